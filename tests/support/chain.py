"""Helpers for talking to a test chain."""

import time
from typing import Any

from eth_account import Account
from web3 import Web3

from impactchain.devstack.deploy import compiled_contract_type
from impactchain.devstack.seed import create_round_as_timelock, send_signed
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
    """Sign and send a web3 contract call (or constructor) from the key's account, as the dev seed
    sends its transactions; return the successful receipt."""
    # Only its target and calldata are wanted here: gas 0 spares an estimate that send_signed makes.
    fields = call.build_transaction({"from": Account.from_key(private_key).address, "value": value, "gas": 0})
    return send_signed(w3, private_key, fields.get("to") or None, fields["data"], value)  # a deploy has to=b""


def deploy_from_build(w3: Web3, name: str, private_key: str, *args: Any) -> Any:
    """Deploy a compiled project contract (e.g. a test NFT) straight from ape's build output."""
    contract_type = compiled_contract_type(name)
    factory = w3.eth.contract(abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"])
    receipt = transact(w3, factory.constructor(*args), private_key)
    return w3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def create_round(w3: Web3, manifest: DeploymentManifest, founder: str, *, salt: bytes, cid: str, goal: int) -> Any:
    """A round created as a passed FOUNDER_IDEA proposal would (see `create_round_as_timelock`)."""
    address = create_round_as_timelock(w3, manifest, founder, salt=salt, cid=cid, goal=goal)
    return contract_at(w3, manifest, "FundingRound", address)
