"""Rules for building a donation transaction: check the input, price it, and prove it would succeed."""

from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from api.contracts.service import ContractsService
from api.kit.addresses import checksummed, parse_address
from api.kit.chain import ChainNode, ChainUnavailableError, RpcError
from api.kit.problems import ApiError, InvalidFieldError
from api.kit.wei import parse_wei
from impactchain.db.types import UINT256_MAX
from impactchain.helpdesk import GENERAL_FUND, donate_calldata
from impactchain.reverts import describe_revert

GAS_MARGIN_PERCENT = 20
EIP1559_TYPE = 2


class TransactionWouldFailError(ApiError):
    """Simulating the transaction on the current chain state failed; carries the node's reason."""

    status_code = HTTP_422_UNPROCESSABLE_ENTITY
    slug = "transaction-would-fail"
    title = "Transaction would fail"

    def __init__(self, reason: str, revert_data: str | None = None) -> None:
        super().__init__(f"the transaction would fail: {reason}")
        self.reason = reason
        self.revert_data = revert_data


class InsufficientBalanceError(InvalidFieldError):
    """The sender cannot pay the amount plus the most the gas could cost."""

    status_code = HTTP_422_UNPROCESSABLE_ENTITY
    slug = "insufficient-balance"
    title = "Insufficient balance"

    def __init__(self, amount: int, sender: str, balance: int, needed: int, what: str) -> None:
        super().__init__(
            "amount", str(amount), f"the sender {sender} holds {balance} wei but needs {needed} wei ({what})"
        )
        self.sender = sender
        self.balance = balance
        self.needed = needed


@dataclass(frozen=True, slots=True)
class Eip1559Transaction:
    chain_id: int
    sender: ChecksumAddress
    to: ChecksumAddress
    data: str
    value: int
    gas: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    nonce: int
    type: int = EIP1559_TYPE


class TxService:
    def __init__(self, node: ChainNode, contracts: ContractsService) -> None:
        self._node = node
        self._contracts = contracts

    async def build_donation(self, sender: str, amount: str, request_id: int = GENERAL_FUND) -> Eip1559Transaction:
        """An unsigned `HelpDesk.donate(request_id)` of `amount` wei from `sender`, simulated and priced."""
        donor = parse_address("from", sender)
        value = parse_wei("amount", amount)
        if request_id > UINT256_MAX:
            raise InvalidFieldError("requestId", request_id, "must be at most 2**256-1 (a uint256)")
        help_desk = await self._contracts.deployed("HelpDesk")
        to, data = checksummed(help_desk.address.lower()), donate_calldata(request_id)
        call = {"from": donor, "to": to, "data": data, "value": hex(value)}
        # Every node call the build needs, in one JSON-RPC batch (one round trip).
        nonce, balance, simulated, estimated, head = await self._node.batch(
            [
                ("eth_getTransactionCount", [donor, "pending"]),
                ("eth_getBalance", [donor, "pending"]),
                ("eth_call", [call, "pending"]),
                ("eth_estimateGas", [call, "pending"]),
                ("eth_blockNumber", []),
            ]
        )
        balance_wei = _quantity(self._node, "eth_getBalance", balance)
        # Without the value the simulation fails on funds, not on the contract: say so plainly.
        if balance_wei < value:
            raise InsufficientBalanceError(value, donor, balance_wei, value, "the amount alone, before gas")
        # The simulation's failure (the node's `eth_call` reason) is the one reported when both fail.
        for answer in (simulated, estimated):
            if isinstance(answer, RpcError):
                raise _would_fail(answer, help_desk.abi)
        gas = _with_margin(_quantity(self._node, "eth_estimateGas", estimated))
        fees = await self._node.fees_at(_quantity(self._node, "eth_blockNumber", head))
        # Room for the base fee to double before the transaction is mined.
        max_fee = 2 * fees.base_fee + fees.priority_fee
        needed = value + gas * max_fee
        if balance_wei < needed:
            raise InsufficientBalanceError(value, donor, balance_wei, needed, "the amount + gas × maxFeePerGas")
        return Eip1559Transaction(
            chain_id=await self._node.chain_id(),
            sender=donor,
            to=to,
            data=data,
            value=value,
            gas=gas,
            max_fee_per_gas=max_fee,
            max_priority_fee_per_gas=fees.priority_fee,
            nonce=_quantity(self._node, "eth_getTransactionCount", nonce),
        )


def _quantity(node: ChainNode, method: str, answer: Any) -> int:
    if isinstance(answer, str) and answer.startswith("0x"):
        return int(answer, 16)
    reason = answer.message if isinstance(answer, RpcError) else f"unexpected answer {answer!r}"
    raise ChainUnavailableError(node.rpc_url, f"{method} failed: {reason}")


def _with_margin(gas: int) -> int:
    return -(-gas * (100 + GAS_MARGIN_PERCENT) // 100)


def _would_fail(error: RpcError, abi: list[dict[str, Any]]) -> TransactionWouldFailError:
    described = describe_revert(error.data, abi)
    if described is not None:
        return TransactionWouldFailError(f"reverted with {described}", error.data)
    return TransactionWouldFailError(error.message or f"the node answered error {error.code}", error.data)
