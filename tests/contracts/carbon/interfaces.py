"""ERC-165 interface ids of the carbon interfaces, computed from their selectors."""

from eth_utils import keccak


def interface_id(*signatures: str) -> bytes:
    """XOR of the functions' selectors, as Solidity's `type(I).interfaceId`."""
    result = 0
    for signature in signatures:
        result ^= int.from_bytes(keccak(text=signature)[:4], "big")
    return result.to_bytes(4, "big")


OFFSET_PAYMENTS = interface_id("offset(address)", "offsetWithToken(address,uint256,address)")
OFFSETTER = interface_id("retire(uint256)", "retireAndMintCertificate(string,address,string,string,uint256)")
