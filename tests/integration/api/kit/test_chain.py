"""The node client against anvil: a build is one JSON-RPC batch, fee data is cached per block."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from prometheus_client import REGISTRY
from web3 import Web3

from api.contracts.service import ContractsService
from api.kit.chain import ChainNode, ChainUnavailableError, RpcError
from api.tx.service import TxService
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS, Anvil
from impactchain.settings import endpoint_label
from tests.support.chain import rpc
from tests.support.rpc_proxy import RpcProxy

DONOR = Account.from_key(DEV_PRIVATE_KEYS[1]).address


class Sent:
    """How many HTTP requests the node client made, as a JSON-RPC proxy in front of anvil saw them."""

    def __init__(self, proxy: RpcProxy) -> None:
        self._proxy = proxy
        self._cleared = 0

    def __len__(self) -> int:
        return sum(self._proxy.calls.values()) - self._cleared

    def clear(self) -> None:
        self._cleared += len(self)


@pytest.fixture
async def node(anvil: Anvil) -> AsyncIterator[tuple[ChainNode, Sent]]:
    proxy = await RpcProxy(anvil.url).start()
    node = ChainNode(proxy.url)
    yield node, Sent(proxy)
    await node.close()
    await proxy.stop()


async def test_a_batch_answers_each_call_in_order_with_errors_in_place(
    chain: Web3, node: tuple[ChainNode, Sent]
) -> None:
    client, sent = node

    answers = await client.batch([("eth_chainId", []), ("eth_noSuchMethod", []), ("eth_blockNumber", [])])

    assert answers[0] == hex(31337)
    assert isinstance(answers[1], RpcError)
    assert int(answers[2], 16) == chain.eth.block_number
    assert len(sent) == 1


async def test_fee_data_is_read_once_per_block(chain: Web3, node: tuple[ChainNode, Sent]) -> None:
    client, sent = node
    head = chain.eth.block_number

    first = await client.fees_at(head)
    again = await client.fees_at(head)
    reads_in_one_block = len(sent)
    rpc(chain, "evm_mine")
    newer = await client.fees_at(head + 1)

    assert first is again
    assert reads_in_one_block == 1
    assert len(sent) == 2
    assert newer.block_number == head + 1
    assert first.base_fee == chain.eth.get_block(head)["baseFeePerGas"]


async def test_a_build_in_a_known_block_is_one_round_trip(
    chain: Web3, deployments_dir: Path, node: tuple[ChainNode, Sent]
) -> None:
    client, sent = node
    service = TxService(client, ContractsService(client, deployments_dir))
    await service.build_donation(DONOR, "1000")
    sent.clear()

    tx = await service.build_donation(DONOR, "2000")

    assert tx.value == 2000
    assert len(sent) == 1


def sample(name: str, endpoint: str) -> float:
    value = REGISTRY.get_sample_value(name, {"endpoint": endpoint})
    assert value is not None, (name, endpoint)
    return value


async def test_a_failing_endpoint_is_skipped_for_its_backoff_and_tried_again_after(chain: Web3, anvil: Anvil) -> None:
    failing = True

    async def hook(method: str, call: dict[str, Any]) -> str | None:
        return "503" if failing else None

    primary = await RpcProxy(anvil.url, hook=hook).start()
    backup = await RpcProxy(anvil.url).start()
    client = ChainNode([primary.url, backup.url])
    first, second = client.endpoints
    failures_before = sample("impactchain_api_rpc_endpoint_failures_total", first.label)
    try:
        assert await client.block_number() == chain.eth.block_number
        assert await client.block_number() == chain.eth.block_number

        # The primary failed once and was skipped the second time; the backup answered both.
        assert (sum(primary.calls.values()), sum(backup.calls.values())) == (1, 2)
        assert sample("impactchain_api_rpc_endpoint_up", first.label) == 0
        assert sample("impactchain_api_rpc_endpoint_up", second.label) == 1
        assert sample("impactchain_api_rpc_endpoint_failures_total", first.label) == failures_before + 1
        assert client.rpc_url == backup.url

        # Healthy again and past its backoff: preferred again.
        failing = False
        first.down_until = 0.0
        assert await client.chain_id() == 31337
        assert sum(primary.calls.values()) == 2
        assert sample("impactchain_api_rpc_endpoint_up", first.label) == 1
        assert client.rpc_url == primary.url
    finally:
        await client.close()
        await primary.stop()
        await backup.stop()


async def test_every_endpoint_failing_is_a_503_problem_not_a_crash(anvil: Anvil) -> None:
    async def hook(method: str, call: dict[str, Any]) -> str | None:
        return "drop"

    proxies = [await RpcProxy(anvil.url, hook=hook).start() for _ in range(2)]
    client = ChainNode([proxy.url for proxy in proxies])
    try:
        with pytest.raises(ChainUnavailableError) as failure:
            await client.block_number()
        # Both were tried, and the message a client sees names no URL (a provider's key may be in it).
        assert [sum(proxy.calls.values()) for proxy in proxies] == [1, 1]
        assert failure.value.status_code == 503
        assert "127.0.0.1" not in str(failure.value.detail)
    finally:
        await client.close()
        for proxy in proxies:
            await proxy.stop()


def test_endpoint_labels_never_show_a_key() -> None:
    assert endpoint_label("https://user:secret@polygon.example:8443/v3/KEY?apikey=x") == "https://polygon.example:8443"
