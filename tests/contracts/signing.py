"""EIP-712 signatures for contract tests (permits, ballots)."""

from typing import Any

from eth_account import Account
from eth_account.datastructures import SignedMessage
from eth_account.messages import encode_typed_data


def sign_typed(
    signer: Any, contract: Any, domain_name: str, primary_type: str, fields: list[tuple[str, str]], **message: Any
) -> SignedMessage:
    """Sign `message` as `primary_type` (its `fields` as (name, type)) for `contract`'s version-1 domain."""
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            primary_type: [{"name": name, "type": kind} for name, kind in fields],
        },
        "primaryType": primary_type,
        "domain": {
            "name": domain_name,
            "version": "1",
            "chainId": contract.chain_manager.chain_id,
            "verifyingContract": contract.address,
        },
        "message": message,
    }
    return Account.sign_message(encode_typed_data(full_message=typed), signer.private_key)
