"""The node client against anvil: a build is one JSON-RPC batch, fee data is cached per block."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from api.contracts.service import ContractsService
from api.kit.chain import ChainNode, RpcError
from api.tx.service import TxService
from impactchain.devstack.anvil import DEV_PRIVATE_KEYS, Anvil
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
