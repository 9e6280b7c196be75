"""A reorg at any moment of a step, timed by a JSON-RPC proxy: the indexer never commits a range
that does not descend from its checkpoint, and ends with exactly the rows a clean index of the
final chain gives."""

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from web3 import Web3

from impactchain.registry import DeploymentManifest
from indexer.rpc import JsonRpcClient
from indexer.service import ChainMovedError, LogIndexer
from tests.integration.indexer.test_indexer import donate_many
from tests.support.chain import rpc as chain_rpc
from tests.support.indexing import clean_index, projected_rows
from tests.support.rpc_proxy import RpcProxy


async def index_until_caught_up(indexers: list[LogIndexer[Any]]) -> int:
    """Step every indexer until none advances; returns how many steps the chain moved under."""
    moved = 0
    for indexer in indexers:
        for _ in range(500):
            try:
                if not (await indexer.step()).advanced:
                    break
            except ChainMovedError:
                moved += 1
        else:
            raise AssertionError(f"{indexer.name} never caught up")
    return moved


class ReorgAt:
    """A proxy hook: at the first `method` request after it is armed, revert the chain to
    `snapshot` and mine `replacement` donations there (a longer fork), then let the request through."""

    def __init__(self, w3: Web3, manifest: DeploymentManifest, snapshot: str, method: str) -> None:
        self.w3, self.manifest, self.snapshot, self.method = w3, manifest, snapshot, method
        self.replacement: list[tuple[str, int]] = []

    async def __call__(self, method: str, call: dict[str, Any]) -> str | None:
        if method == self.method and not self.replacement:
            chain_rpc(self.w3, "evm_revert", [self.snapshot])
            self.replacement = donate_many(self.w3, self.manifest, 6, base=7 * 10**15)
        return None


@pytest.mark.parametrize(
    ("trigger", "fork_below_checkpoint"),
    [
        ("eth_getLogs", True),  # between the checkpoint check and the fetch
        ("batch:eth_getBlockByNumber", True),  # between the logs and the headers
        ("eth_getLogs", False),  # the fork above the checkpoint: the step reads the new fork
    ],
)
async def test_a_reorg_under_a_step_ends_in_the_tables_of_a_clean_index(
    chain: Web3,
    manifest: DeploymentManifest,
    proxy: RpcProxy,
    proxied_rpc: JsonRpcClient,
    rpc: JsonRpcClient,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
    db: asyncpg.Connection,
    trigger: str,
    fork_below_checkpoint: bool,
) -> None:
    indexers = make_indexers(proxied_rpc)  # the one stream: every table of every projection
    donate_many(chain, manifest, 2)
    if not fork_below_checkpoint:
        await index_until_caught_up(indexers)
    fork = chain_rpc(chain, "evm_snapshot")
    orphaned = donate_many(chain, manifest, 3, base=5 * 10**15)
    if fork_below_checkpoint:
        await index_until_caught_up(indexers)  # the checkpoint now sits on the doomed fork
    donate_many(chain, manifest, 1, base=6 * 10**15)  # the next step has a range to read
    reorg = ReorgAt(chain, manifest, fork, trigger)
    proxy.hook = reorg

    moved = await index_until_caught_up(indexers)

    assert reorg.replacement, f"the proxy never saw {trigger}"
    assert moved == (1 if fork_below_checkpoint else 0)
    indexed = await projected_rows(db)
    assert {tx for tx, _ in orphaned}.isdisjoint(row[-2] for row in indexed["donations"])
    assert {tx for tx, _ in reorg.replacement} <= {row[-2] for row in indexed["donations"]}
    assert indexed == await clean_index(db, lambda: index_until_caught_up(make_indexers(rpc)))
