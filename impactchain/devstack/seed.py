"""Demo data for a development chain, signed with anvil's public development keys: donations to
HelpDesk's general fund, and a funding round with a few donations."""

from typing import Any, cast

from eth_account import Account
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3
from web3.types import TxParams, TxReceipt

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.helpdesk import GENERAL_FUND, donate_calldata
from impactchain.registry import DeploymentManifest, contract_at

DEMO_DONATIONS_WEI = (10**18, 25 * 10**17, 42 * 10**16)
DEMO_ROUND_DONATIONS_WEI = (3 * 10**18, 5 * 10**17)
DEMO_ROUND_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
_DAY = 24 * 3600


def send_donation(w3: Web3, help_desk: str, private_key: str, amount: int, request_id: int = GENERAL_FUND) -> str:
    """Sign and send `donate(request_id)` with `amount` wei; wait for the receipt; return the tx hash."""
    receipt = send_signed(w3, private_key, help_desk, donate_calldata(request_id), amount)
    return "0x" + receipt["transactionHash"].hex().removeprefix("0x")


def send_signed(w3: Web3, private_key: str, to: str | None, data: str, value: int = 0) -> TxReceipt:
    """Sign an EIP-1559 transaction with the key, send it, wait, and return its successful
    receipt (`to` None deploys `data`). Gas is estimated against the pending block, as a wallet
    does: the first mint of a block costs more (a new total-supply checkpoint) than replaying the
    same call in the latest block would show."""
    account = Account.from_key(private_key)
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas", 0)
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": w3.eth.chain_id,
        "from": account.address,
        "data": data,
        "value": value,
        "maxFeePerGas": 2 * base_fee + 1,
        "maxPriorityFeePerGas": 1,
        "nonce": w3.eth.get_transaction_count(account.address, "pending"),
    }
    if to is not None:
        tx["to"] = Web3.to_checksum_address(to)
    tx["gas"] = w3.eth.estimate_gas(cast(TxParams, tx), "pending") * 6 // 5
    tx_hash = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction 0x{tx_hash.hex().removeprefix('0x')} reverted")
    return receipt


def seed_donations(rpc_url: str, help_desk: str) -> list[str]:
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    keys = DEV_PRIVATE_KEYS[1 : 1 + len(DEMO_DONATIONS_WEI)]
    return [send_donation(w3, help_desk, key, amount) for key, amount in zip(keys, DEMO_DONATIONS_WEI, strict=True)]


def create_round_as_timelock(
    w3: Web3,
    manifest: DeploymentManifest,
    founder: str,
    *,
    salt: bytes,
    cid: str = DEMO_ROUND_CID,
    goal: int = 10 * 10**18,
    shares: tuple[int, ...] = (10_000,),
) -> ChecksumAddress:
    """Do on a development chain what a passed FOUNDER_IDEA proposal does: create a round (open for
    30 days, a milestone per share, each 30 days after the last); returns its address. The round
    needs no roles: the factory rewards its donors for what the round releases.

    On a real deployment only the DAO's timelock can do this, after a vote. A dev chain has no
    voters yet, so these calls are sent as the timelock through anvil's impersonation, which only
    a development node offers (tests/integration/deploy/test_dao_round.py takes the real path).
    """
    factory = contract_at(w3, manifest, "FundingRoundFactory")
    timelock = Web3.to_checksum_address(manifest.contract("DAOTimelock").address)
    deadline = w3.eth.get_block("latest")["timestamp"] + 30 * _DAY
    milestones = [(share, deadline + 30 * _DAY * (i + 1), 0, cid) for i, share in enumerate(shares)]
    address = factory.functions.predictRoundAddress(salt).call()
    calls = [factory.functions.createRound(salt, (founder, cid, goal, deadline, [], milestones))]
    _anvil(w3, "anvil_impersonateAccount", timelock)
    _anvil(w3, "anvil_setBalance", timelock, hex(10**18))
    try:
        for call in calls:
            receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": timelock}), timeout=30)
            if receipt["status"] != 1:
                raise RuntimeError(f"{call.fn_name} as the timelock reverted")
    finally:
        _anvil(w3, "anvil_stopImpersonatingAccount", timelock)
    return cast(ChecksumAddress, address)


def seed_round(rpc_url: str, manifest: DeploymentManifest) -> ChecksumAddress:
    """A demo funding round (two milestones) with a few native donations; returns its address."""
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    founder = Account.from_key(DEV_PRIVATE_KEYS[4]).address
    salt = keccak(text=f"demo round {w3.eth.get_block('latest')['timestamp']}")
    address = create_round_as_timelock(w3, manifest, founder, salt=salt, shares=(6_000, 4_000))
    round_ = contract_at(w3, manifest, "FundingRound", address)
    donate = round_.encode_abi("donate", [])
    keys = DEV_PRIVATE_KEYS[1 : 1 + len(DEMO_ROUND_DONATIONS_WEI)]
    for key, amount in zip(keys, DEMO_ROUND_DONATIONS_WEI, strict=True):
        send_signed(w3, key, address, donate, amount)
    return address


def _anvil(w3: Web3, method: str, *params: str) -> None:
    response = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    if "error" in response:
        raise RuntimeError(f"{method} failed (a development node is needed): {response['error']}")
