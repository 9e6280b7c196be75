"""Helpers for talking to a test chain: signed native-token donations from dev keys."""

from typing import Any

from eth_account import Account
from web3 import Web3

from impactchain.helpdesk import donate_calldata


def rpc(w3: Web3, method: str, params: list[Any] | None = None) -> Any:
    response = w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
    if "error" in response:
        raise RuntimeError(f"{method} failed: {response['error']}")
    return response["result"]


def send_donation(w3: Web3, help_desk: str, private_key: str, amount: int) -> str:
    """Sign and send `donate()` with `amount` wei from the key's account; wait for the receipt."""
    account = Account.from_key(private_key)
    tx = {
        "chainId": w3.eth.chain_id,
        "from": account.address,
        "to": Web3.to_checksum_address(help_desk),
        "data": donate_calldata(),
        "value": amount,
        "gas": 100_000,
        "maxFeePerGas": w3.eth.gas_price * 2 + 1,
        "maxPriorityFeePerGas": 1,
        "nonce": w3.eth.get_transaction_count(account.address, "pending"),
    }
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    if receipt["status"] != 1:
        raise RuntimeError(f"donation {tx_hash.hex()} reverted")
    return "0x" + tx_hash.hex().removeprefix("0x")
