"""Auction parameters as AuctionHouse.createAuction takes them, with test defaults."""

from typing import Any

NATIVE = "0x0000000000000000000000000000000000000000"
TOKEN = 10**18
RESERVE = TOKEN
INCREMENT_BPS = 500
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
ERC721, ERC1155 = 0, 1
PATENT, DOMAIN, NFT, OTHER = 0, 1, 2, 3
NONE, ACTIVE, SETTLED, CANCELLED = 0, 1, 2, 3
HOUR = 3600
DEFAULT_DURATION = 72 * HOUR
DEFAULT_WINDOW = 15 * 60


def auction_params(asset: Any, token_id: int, **overrides: Any) -> dict[str, Any]:
    """An ERC-721 native-currency auction with default timing, lump-sum payout."""
    params: dict[str, Any] = {
        "assetContract": getattr(asset, "address", asset),
        "assetKind": ERC721,
        "tokenId": token_id,
        "assetAmount": 1,
        "assetType": NFT,
        "metadataCID": CID,
        "currency": NATIVE,
        "reservePrice": RESERVE,
        "minIncrementBps": INCREMENT_BPS,
        "duration": 0,
        "extensionWindow": 0,
        "payoutDuration": 0,
    }
    params.update(overrides)
    return params


def next_minimum(amount: int, increment_bps: int = INCREMENT_BPS) -> int:
    """The contract's minimum outbid: the increment rounded up."""
    return amount + (amount * increment_bps + 9_999) // 10_000
