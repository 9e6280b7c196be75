"""Rules for building a donation transaction: check the input, price it, and prove it would succeed."""

import asyncio
from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress, HexStr
from eth_utils import to_checksum_address
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.types import RPCEndpoint, TxParams, Wei

from api.contracts.service import ContractsService
from api.kit.addresses import parse_address
from api.kit.chain import ChainNode
from api.kit.problems import ApiError, InvalidFieldError
from api.kit.wei import parse_wei
from impactchain.db.types import UINT256_MAX
from impactchain.helpdesk import GENERAL_FUND, donate_calldata
from impactchain.reverts import describe_revert

GWEI = 10**9
FALLBACK_PRIORITY_FEE = 1 * GWEI
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


@dataclass(frozen=True, slots=True)
class _Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


class TxService:
    def __init__(self, node: ChainNode, contracts: ContractsService) -> None:
        self._node = node
        self._w3 = node.w3
        self._contracts = contracts

    async def build_donation(self, sender: str, amount: str, request_id: int = GENERAL_FUND) -> Eip1559Transaction:
        """An unsigned `HelpDesk.donate(request_id)` of `amount` wei from `sender`, simulated and priced."""
        donor = parse_address("from", sender)
        value = parse_wei("amount", amount)
        if request_id > UINT256_MAX:
            raise InvalidFieldError("requestId", request_id, "must be at most 2**256-1 (a uint256)")
        help_desk = await self._contracts.deployed("HelpDesk")
        to, data = to_checksum_address(help_desk.address), HexStr(donate_calldata(request_id))
        call: TxParams = {"from": donor, "to": to, "data": data, "value": Wei(value)}
        # Two rounds of concurrent node requests instead of six requests one after another.
        async with self._node.reaching():
            nonce, fees, balance = await asyncio.gather(
                self._w3.eth.get_transaction_count(donor, "pending"),
                self._fees(),
                self._w3.eth.get_balance(donor, "pending"),
            )
            # Without the value the simulation fails on funds, not on the contract: say so plainly.
            if balance < value:
                raise InsufficientBalanceError(value, donor, balance, value, "the amount alone, before gas")
            gas = _with_margin(await self._simulate_and_estimate(call, help_desk.abi))
        needed = value + gas * fees.max_fee_per_gas
        if balance < needed:
            raise InsufficientBalanceError(value, donor, balance, needed, "the amount + gas × maxFeePerGas")
        return Eip1559Transaction(
            chain_id=await self._node.chain_id(),
            sender=donor,
            to=to,
            data=data,
            value=value,
            gas=gas,
            max_fee_per_gas=fees.max_fee_per_gas,
            max_priority_fee_per_gas=fees.max_priority_fee_per_gas,
            nonce=nonce,
        )

    async def _fees(self) -> _Fees:
        """Tip from the node (1 gwei if it has no opinion); room for the base fee to double."""
        response, block = await asyncio.gather(
            self._w3.provider.make_request(RPCEndpoint("eth_maxPriorityFeePerGas"), []),
            self._w3.eth.get_block("latest"),
        )
        result = response.get("result")
        priority = int(result, 16) if isinstance(result, str) else FALLBACK_PRIORITY_FEE
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            base_fee = await self._w3.eth.gas_price
        return _Fees(max_fee_per_gas=2 * base_fee + priority, max_priority_fee_per_gas=priority)

    async def _simulate_and_estimate(self, call: TxParams, abi: list[dict[str, Any]]) -> int:
        """Gas the call needs, asked alongside its simulation; the simulation's failure (the
        node's `eth_call` reason) is the one reported when both fail."""
        simulated, estimated = await asyncio.gather(
            self._simulate(call, abi), self._estimate_gas(call, abi), return_exceptions=True
        )
        if isinstance(simulated, BaseException):
            raise simulated
        if isinstance(estimated, BaseException):
            raise estimated
        return estimated

    async def _simulate(self, call: TxParams, abi: list[dict[str, Any]]) -> None:
        try:
            await self._w3.eth.call(call, "pending")
        except (ContractLogicError, Web3RPCError) as exc:
            raise _would_fail(exc, abi) from exc

    async def _estimate_gas(self, call: TxParams, abi: list[dict[str, Any]]) -> int:
        try:
            return await self._w3.eth.estimate_gas(call, "pending")
        except (ContractLogicError, Web3RPCError) as exc:
            raise _would_fail(exc, abi) from exc


def _with_margin(gas: int) -> int:
    return -(-gas * (100 + GAS_MARGIN_PERCENT) // 100)


def _would_fail(exc: ContractLogicError | Web3RPCError, abi: list[dict[str, Any]]) -> TransactionWouldFailError:
    data = getattr(exc, "data", None)
    revert_data = data if isinstance(data, str) else None
    described = describe_revert(revert_data, abi)
    if described is not None:
        return TransactionWouldFailError(f"reverted with {described}", revert_data)
    message = exc.message if isinstance(exc.message, str) and exc.message else str(exc)
    return TransactionWouldFailError(message, revert_data)
