"""Demo donations for a development chain, signed with anvil's public development keys."""

from eth_account import Account
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.helpdesk import GENERAL_FUND, donate_calldata

DEMO_DONATIONS_WEI = (10**18, 25 * 10**17, 42 * 10**16)


def send_donation(w3: Web3, help_desk: str, private_key: str, amount: int, request_id: int = GENERAL_FUND) -> str:
    """Sign and send `donate(request_id)` with `amount` wei; wait for the receipt; return the tx hash."""
    account = Account.from_key(private_key)
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas", 0)
    tx = {
        "type": 2,
        "chainId": w3.eth.chain_id,
        "from": account.address,
        "to": Web3.to_checksum_address(help_desk),
        "data": donate_calldata(request_id),
        "value": amount,
        "maxFeePerGas": 2 * base_fee + 1,
        "maxPriorityFeePerGas": 1,
        "nonce": w3.eth.get_transaction_count(account.address, "pending"),
    }
    # Against the pending block: a donation is the first of its block to mint, which costs more
    # (a new total-supply checkpoint) than re-running it in the latest block would show.
    tx["gas"] = w3.eth.estimate_gas(tx, "pending") * 6 // 5  # type: ignore[arg-type]
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    if receipt["status"] != 1:
        raise RuntimeError(f"donation {tx_hash.hex()} reverted")
    return "0x" + tx_hash.hex().removeprefix("0x")


def seed_donations(rpc_url: str, help_desk: str) -> list[str]:
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    keys = DEV_PRIVATE_KEYS[1 : 1 + len(DEMO_DONATIONS_WEI)]
    return [send_donation(w3, help_desk, key, amount) for key, amount in zip(keys, DEMO_DONATIONS_WEI, strict=True)]
