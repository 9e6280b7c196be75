"""An indexer step's trace: one `indexer.step` span with the block range, parent of its JSON-RPC
requests and of its SQL and COPY, all in one trace."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.devstack.seed import send_donation
from impactchain.registry import DeploymentManifest
from indexer.service import LogIndexer
from tests.support.observability import children_of, trace_id, traced


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with traced() as exporter:
        yield exporter


async def test_a_step_is_one_span_over_its_rpc_sql_and_copy(
    chain: Web3,
    manifest: DeploymentManifest,
    make_indexer: Callable[..., LogIndexer[Any]],
    spans: InMemorySpanExporter,
) -> None:
    send_donation(chain, manifest.contract("HelpDesk").address, DEV_PRIVATE_KEYS[1], 10**15)
    head = chain.eth.block_number
    indexer = make_indexer(max_batch_blocks=10_000)
    indexer._batch_blocks = 10_000  # the whole chain in one step

    result = await indexer.step()
    assert result.to_block == head and result.events >= 1

    finished = spans.get_finished_spans()
    (step,) = [s for s in finished if s.name == "indexer.step"]
    attributes = dict(step.attributes or {})
    assert attributes["indexer.name"] == indexer.name
    assert (attributes["chain.from_block"], attributes["chain.to_block"]) == (result.from_block, head)
    assert attributes["indexer.events"] == result.events

    children = children_of(step, finished)
    rpc = [s for s in children if s.name.startswith("JSON-RPC ")]  # the JSON-RPC client's spans
    sql = [s for s in children if (s.attributes or {}).get("db.system") == "postgresql"]
    copies = [s for s in sql if s.name.startswith("COPY ")]
    assert rpc, [s.name for s in children]
    assert copies, [s.name for s in sql]
    assert sum(int(str((s.attributes or {}).get("db.rows", 0))) for s in copies) >= 1
    assert {trace_id(s) for s in [*rpc, *sql]} == {trace_id(step)}
    # Provider paths can carry API keys: a JSON-RPC span shows scheme, host and port only.
    assert {(s.attributes or {}).get("url.full") for s in rpc} == {indexer.rpc.url.rstrip("/")}
