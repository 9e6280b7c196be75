"""Faults are weather: behind a proxy that cuts bodies, answers 429/503, drops connections, stalls
and refuses wide log ranges, the indexer neither exits nor wedges, and ends with exactly the rows
of a clean run."""

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from eth_account import Account
from eth_typing import HexStr
from eth_utils import keccak
from prometheus_client import REGISTRY
from web3 import Web3
from web3.types import Wei

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.helpdesk import donate_calldata
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings, endpoint_label
from indexer.main import wait_for_chain_id
from indexer.rpc import JsonRpcClient, ResponseTooLargeError, RetryPolicy, logs_per_block
from indexer.service import LogIndexer
from tests.integration.indexer.conftest import FAST_RETRY
from tests.integration.indexer.test_chain_continuity import index_until_caught_up
from tests.integration.indexer.test_indexer import donate_many
from tests.integration.indexer.test_round_indexer import CID, FOUNDER, donate
from tests.support.chain import create_round
from tests.support.chain import rpc as node
from tests.support.indexing import clean_index, projected_rows
from tests.support.rpc_proxy import FAULTS, RpcProxy, WeatherHook, log_range


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def counted(name: str) -> float:
    """A counter's total over all its labels."""
    return sum(sample.value for family in REGISTRY.collect() for sample in family.samples if sample.name == name)


def faults_of(endpoint: str) -> float:
    """Every fault counted for `endpoint`, whatever the method and kind."""
    return sum(
        sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "impactchain_indexer_rpc_faults_total" and sample.labels.get("endpoint") == endpoint
    )


async def run_until_caught_up(indexers: list[LogIndexer[Any]], w3: Web3, db: asyncpg.Connection) -> None:
    """Run every indexer's loop (as the process does) until each checkpoint is the chain's head."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(indexer.run(stop)) for indexer in indexers]
    head = w3.eth.block_number
    try:
        for _ in range(1200):
            done = await db.fetchval("SELECT count(*) FROM indexer_checkpoints WHERE block_number = $1", head)
            if done == len(indexers):
                break
            assert not any(task.done() for task in tasks), "an indexer loop exited"
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the indexers never caught up")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)


@pytest.mark.parametrize("seed", [1, 2])
async def test_under_rpc_weather_the_tables_equal_a_clean_runs(
    chain: Web3,
    manifest: DeploymentManifest,
    proxy: RpcProxy,
    proxied_rpc: JsonRpcClient,
    rpc: JsonRpcClient,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
    db: asyncpg.Connection,
    seed: int,
) -> None:
    donate_many(chain, manifest, 6)
    round_ = create_round(chain, manifest, FOUNDER, salt=keccak(text=f"weather{seed}"), cid=CID, goal=10**19)
    for key in range(1, 4):
        donate(chain, round_, key, 10**17 * key)
    donate_many(chain, manifest, 4, base=3 * 10**15)
    proxy.stall_seconds = 1.5  # the client gives up after 1 s
    proxy.hook = WeatherHook(seed, rate=0.3, max_range=3)
    splits = metric("impactchain_indexer_range_splits_total")
    faults = faults_of(endpoint_label(proxy.url))
    retries = counted("impactchain_indexer_rpc_retries_total")

    await run_until_caught_up(make_indexers(proxied_rpc, poll_seconds=0.05, max_backoff_seconds=0.2), chain, db)

    assert set(proxy.faults) >= set(FAULTS) | {"refuse-range-infura", "refuse-range-bare"}, proxy.faults
    assert metric("impactchain_indexer_range_splits_total") > splits
    # One fault counted per failed attempt (a range refusal is not a fault: it is split).
    weather = sum(count for kind, count in proxy.faults.items() if not kind.startswith("refuse-range"))
    assert faults_of(endpoint_label(proxy.url)) - faults == weather
    # Each fault but a request's last attempt is retried (the loop retries those steps).
    assert 0 < counted("impactchain_indexer_rpc_retries_total") - retries <= weather
    indexed = await projected_rows(db)
    assert len(indexed["donations"]) == 10 and len(indexed["round_donations"]) == 3
    assert indexed == await clean_index(db, lambda: index_until_caught_up(make_indexers(rpc)))


async def test_startup_waits_for_a_node_that_does_not_answer_yet(proxy: RpcProxy) -> None:
    refused = 0

    async def down_for_a_while(method: str, call: dict[str, Any]) -> str | None:
        nonlocal refused
        if method == "eth_chainId" and refused < 12:
            refused += 1
            return ("503", "drop", "cut")[refused % 3]
        return None

    proxy.hook = down_for_a_while
    client = JsonRpcClient(proxy.url, timeout=1.0, retry=RetryPolicy(attempts=3, base_seconds=0.01, cap_seconds=0.02))
    try:
        chain_id = await wait_for_chain_id(client, asyncio.Event(), first_delay=0.01)
    finally:
        await client.close()
    assert chain_id == 31337
    assert refused == 12


async def test_a_dead_endpoint_fails_over_to_the_next(
    chain: Web3,
    manifest: DeploymentManifest,
    proxy: RpcProxy,
    rpc: JsonRpcClient,
    db: asyncpg.Connection,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
) -> None:
    async def down(method: str, call: dict[str, Any]) -> str | None:
        return "503"

    proxy.hook = down
    sent = donate_many(chain, manifest, 3)
    client = JsonRpcClient([proxy.url, rpc.url], timeout=1.0, retry=FAST_RETRY)
    try:
        await index_until_caught_up(make_indexers(client))
        dead, alive = client.endpoints
    finally:
        await client.close()
    assert sorted(r["tx_hash"] for r in await db.fetch("SELECT tx_hash FROM donations")) == sorted(t for t, _ in sent)
    assert alive.served > dead.served == 0
    assert sum(proxy.calls.values()) < 10  # the dead one is left alone while it cools down
    assert metric("impactchain_indexer_rpc_endpoint_up", endpoint=dead.label) == 0
    assert metric("impactchain_indexer_rpc_endpoint_up", endpoint=alive.label) == 1


async def test_a_step_whose_logs_are_too_many_to_read_at_once_narrows_until_they_fit(
    chain: Web3,
    manifest: DeploymentManifest,
    settings: Settings,
    pool: asyncpg.Pool,
    rpc: JsonRpcClient,
    db: asyncpg.Connection,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
) -> None:
    sent = donate_many(chain, manifest, 6)
    blocks = [chain.eth.get_transaction_receipt(HexStr(tx))["blockNumber"] for tx, _ in sent]
    desk = manifest.contract("HelpDesk").address.lower()
    # About two logs' worth of JSON: an answer for several blocks beyond it is abandoned unread.
    capped = JsonRpcClient(settings.chain_rpc_url, max_logs_bytes=2_000)
    splits = metric("impactchain_indexer_range_splits_total")
    try:
        with pytest.raises(ResponseTooLargeError):
            await capped.logs(desk, None, min(blocks), max(blocks))
        assert len(await capped.logs(desk, None, blocks[0], blocks[0])) >= 1  # one block is read whatever its size
        await index_until_caught_up(make_indexers(capped))
    finally:
        await capped.close()
    indexed = await projected_rows(db)
    assert sorted(str(row[-2]) for row in indexed["donations"]) == sorted(tx for tx, _ in sent)
    assert metric("impactchain_indexer_range_splits_total") > splits
    assert indexed == await clean_index(db, lambda: index_until_caught_up(make_indexers(rpc)))


def mine_dense_blocks(w3: Web3, manifest: DeploymentManifest, blocks: int, donations: int) -> None:
    """`blocks` blocks of `donations` donations each (automine off while they are sent)."""
    help_desk = manifest.contract("HelpDesk").address
    node(w3, "evm_setAutomine", [False])
    try:
        for _ in range(blocks):
            for i in range(donations):
                sender = Account.from_key(DEV_PRIVATE_KEYS[i % len(DEV_PRIVATE_KEYS)]).address
                w3.eth.send_transaction(
                    {
                        "from": sender,
                        "to": help_desk,
                        "data": HexStr(donate_calldata()),
                        "value": Wei(10**15 + i),
                        "gas": 400_000,
                    }
                )
            node(w3, "evm_mine", [])
    finally:
        node(w3, "evm_setAutomine", [True])


async def test_a_sparse_stretch_turning_dense_costs_the_node_one_part_of_the_range(
    chain: Web3,
    manifest: DeploymentManifest,
    settings: Settings,
    rpc: JsonRpcClient,
    db: asyncpg.Connection,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
) -> None:
    # One log a block, then empty blocks (the batch grows), then a dense stretch.
    donate_many(chain, manifest, 3)
    node(chain, "anvil_mine", [hex(120)])
    first_dense = chain.eth.block_number + 1
    mine_dense_blocks(chain, manifest, blocks=10, donations=6)
    asked: list[tuple[int, int]] = []

    async def record(method: str, call: dict[str, Any]) -> None:
        if method == "eth_getLogs":
            asked.append(log_range(call))

    proxy = await RpcProxy(settings.chain_rpc_url, hook=record).start()
    # About two donations' logs' worth of JSON: the dense blocks' answers are abandoned past it.
    capped = JsonRpcClient(proxy.url, max_logs_bytes=6_000)
    try:
        await index_until_caught_up(make_indexers(capped, concurrency=4))
    finally:
        await capped.close()
        await proxy.stop()
    dense = {r["block_number"]: r["n"] for r in await db.fetch(
        "SELECT block_number, count(*) AS n FROM contract_events WHERE block_number >= $1 GROUP BY block_number",
        first_dense,
    )}  # fmt: skip
    assert len(dense) == 10
    stored = sum(dense.values())
    served = sum(n for start, end in asked for block, n in dense.items() if start <= block <= end)
    # What the node computed of the dense stretch beyond each log once: the part whose answer
    # outgrew the cap when the chain turned dense (the stretch's first blocks) and a few more;
    # not the whole stretch in four parts at once, then again in narrower ones (before the
    # density was read from abandoned answers: 324 logs served for these 180).
    assert served - stored <= stored // 2, (served, stored, [a for a in asked if a[1] >= first_dense])
    assert await projected_rows(db) == await clean_index(db, lambda: index_until_caught_up(make_indexers(rpc)))


def test_an_abandoned_answer_says_how_many_logs_each_block_it_reached_holds() -> None:
    log = b'{"address":"0xab","blockNumber":"0x%x","logIndex":"0x%x","data":"0x"}'
    answer = b'{"jsonrpc":"2.0","id":1,"result":[' + b",".join(
        log % (block, index) for block, count in ((16, 1), (17, 3), (18, 2)) for index in range(count)
    )
    assert logs_per_block(answer) == {16: 1, 17: 3, 18: 2}
    cut = answer[: answer.rindex(b'"blockNumber"') + 5]  # the last log's block number cut off
    assert logs_per_block(cut) == {16: 1, 17: 3, 18: 1}
    assert logs_per_block(b'{"result":[{"blockNumber": "0x1F"}') == {31: 1}


async def test_ranges_fetched_ahead_follow_each_other_and_read_each_block_once(
    chain: Web3,
    manifest: DeploymentManifest,
    settings: Settings,
    db: asyncpg.Connection,
    rpc: JsonRpcClient,
    make_indexers: Callable[..., list[LogIndexer[Any]]],
) -> None:
    # Final blocks (anvil finalizes all but the last 64), a donation here and there: a backfill
    # whose steps take ranges fetched ahead, two at a time, each from where the one before ended.
    for _ in range(6):
        donate_many(chain, manifest, 2)
        node(chain, "anvil_mine", [hex(40)])
    asked: list[tuple[int, int]] = []

    async def record(method: str, call: dict[str, Any]) -> None:
        if method == "eth_getLogs":
            asked.append(log_range(call))

    proxy = await RpcProxy(settings.chain_rpc_url, hook=record).start()
    client = JsonRpcClient(proxy.url)
    try:
        indexers = make_indexers(client, concurrency=1, max_batch_blocks=16)
        await index_until_caught_up(indexers)
    finally:
        await client.close()
        await proxy.stop()
    ranges = sorted(asked)
    start = indexers[0].start_block
    # No block read twice, none skipped: the ranges tile the chain from the deployment to the head.
    assert ranges[0][0] == start
    assert all(later[0] == earlier[1] + 1 for earlier, later in itertools.pairwise(ranges)), ranges
    assert ranges[-1][1] == chain.eth.block_number
    indexed = await projected_rows(db)
    assert len(indexed["donations"]) == 12
    assert indexed == await clean_index(db, lambda: index_until_caught_up(make_indexers(rpc)))
