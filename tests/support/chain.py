"""Helpers for talking to a test chain."""

import time
from typing import Any, cast

from eth_account import Account
from eth_typing import ABI
from web3 import Web3

from impactchain.devstack.deploy import compiled_contract_type
from impactchain.helpdesk import NATIVE_CURRENCY
from impactchain.registry import DeploymentManifest, contract_at


def rpc(w3: Web3, method: str, params: list[Any] | None = None) -> Any:
    response = w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
    if "error" in response:
        raise RuntimeError(f"{method} failed: {response['error']}")
    return response["result"]


def open_help_request(
    w3: Web3, manifest: DeploymentManifest, private_key: str, *, goal: int = 10**18, critical: bool = False
) -> int:
    """Open a native-currency help request from the key's account; returns its id."""
    help_desk = contract_at(w3, manifest, "HelpDesk")
    sender = Account.from_key(private_key).address
    deadline = max(int(time.time()), w3.eth.get_block("latest")["timestamp"]) + 30 * 24 * 3600
    call = help_desk.functions.openRequest(
        NATIVE_CURRENCY, goal, "food", "u4pruyd", "bafkreiexample", critical, deadline
    )
    request_id = int(call.call({"from": sender}))
    transact(w3, call, private_key)
    return request_id


def transact(w3: Web3, call: Any, private_key: str, value: int = 0) -> Any:
    """Sign and send a web3 contract call from the key's account; return the successful receipt."""
    account = Account.from_key(private_key)
    params = {"from": account.address, "value": value, "nonce": w3.eth.get_transaction_count(account.address)}
    # Estimated against the pending block, as a wallet should: the first mint of a block costs
    # more (a new total-supply checkpoint) than the same call replayed in the latest block.
    gas = call.estimate_gas(params, "pending")
    tx = call.build_transaction({**params, "gas": gas * 6 // 5})
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    )
    if receipt["status"] != 1:
        raise RuntimeError(f"{call.fn_name} reverted")
    return receipt


def deploy_from_build(w3: Web3, name: str, private_key: str, *args: Any) -> Any:
    """Deploy a compiled project contract (e.g. a test NFT) straight from ape's build output."""
    contract_type = compiled_contract_type(name)
    factory = w3.eth.contract(abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"])
    receipt = transact(w3, factory.constructor(*args), private_key)
    return w3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def create_round(w3: Web3, manifest: DeploymentManifest, founder: str, *, salt: bytes, cid: str, goal: int) -> Any:
    """Create a funding round as the DAO's timelock would after a FOUNDER_IDEA passes, by
    impersonating the timelock on anvil (the governance path itself is tested in
    tests/integration/deploy/test_dao_round.py); returns the round contract."""
    factory = contract_at(w3, manifest, "FundingRoundFactory")
    timelock = Web3.to_checksum_address(manifest.contract("DAOTimelock").address)
    deadline = w3.eth.get_block("latest")["timestamp"] + 30 * 24 * 3600
    params: tuple[object, ...] = (founder, cid, goal, deadline, [], [(10_000, deadline + 30 * 24 * 3600, 0, cid)])
    rpc(w3, "anvil_impersonateAccount", [timelock])
    rpc(w3, "anvil_setBalance", [timelock, hex(10**18)])
    try:
        tx = factory.functions.createRound(salt, params).transact({"from": timelock})
    finally:
        rpc(w3, "anvil_stopImpersonatingAccount", [timelock])
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    if receipt["status"] != 1:
        raise RuntimeError("createRound reverted")
    address = factory.functions.predictRoundAddress(salt).call()
    return w3.eth.contract(address=address, abi=cast(ABI, manifest.contract("FundingRound").abi))
