"""Opening auctions: escrow, recorded terms, defaults and every rejected input."""

from typing import Any

import pytest

from tests.contracts.auctions.conftest import MULTI_ID, MULTI_SUPPLY
from tests.contracts.auctions.params import (
    ACTIVE,
    CID,
    DEFAULT_DURATION,
    DEFAULT_WINDOW,
    DOMAIN,
    ERC1155,
    HOUR,
    NATIVE,
    PATENT,
    RESERVE,
    TOKEN,
    auction_params,
)
from tests.contracts.reverts import reverts_with


def test_create_escrows_erc721_and_records_defaults(house: Any, nft: Any, seller: Any, chain: Any) -> None:
    receipt = house.createAuction(auction_params(nft, 1, assetType=PATENT), sender=seller)

    start = receipt.timestamp
    created = receipt.events.filter(house.AuctionCreated)[0]
    assert (created.auctionId, created.seller, created.assetContract) == (1, seller.address, nft.address)
    assert (created.startTime, created.endTime) == (start, start + DEFAULT_DURATION)
    assert created.params[5] == CID
    assert nft.ownerOf(1) == house.address
    auction = house.getAuction(1)
    assert auction.seller == seller.address
    assert auction.status == ACTIVE
    assert auction.endTime == start + DEFAULT_DURATION
    assert auction.extensionWindow == DEFAULT_WINDOW
    assert auction.assetType == PATENT
    assert auction.metadataCID == CID
    assert auction.nativeCurrency
    assert house.minimumBid(1) == RESERVE
    assert house.nextAuctionId() == 2


def test_create_escrows_erc1155_in_an_erc20_with_custom_timing(house: Any, multi: Any, token: Any, seller: Any) -> None:
    params = auction_params(
        multi,
        MULTI_ID,
        assetKind=ERC1155,
        assetAmount=4,
        assetType=DOMAIN,
        currency=token.address,
        duration=2 * HOUR,
        extensionWindow=600,
        payoutDuration=30 * 86400,
    )
    receipt = house.createAuction(params, sender=seller)

    assert multi.balanceOf(house, MULTI_ID) == 4
    assert multi.balanceOf(seller, MULTI_ID) == MULTI_SUPPLY - 4
    auction = house.getAuction(1)
    assert auction.endTime == receipt.timestamp + 2 * HOUR
    assert auction.extensionWindow == 600
    assert auction.currency == token.address
    assert not auction.nativeCurrency
    assert auction.payoutDuration == 30 * 86400


@pytest.mark.parametrize(
    ("overrides", "error", "inputs"),
    [
        ({"assetAmount": 2}, "AuctionHouseInvalidAssetAmount", {"kind": 0, "amount": 2}),
        ({"metadataCID": ""}, "AuctionHouseEmptyMetadata", {}),
        ({"reservePrice": 0}, "AuctionHouseZeroReserve", {}),
        ({"minIncrementBps": 0}, "AuctionHouseInvalidIncrement", {"bps": 0, "minimum": 1, "maximum": 5000}),
        ({"minIncrementBps": 5001}, "AuctionHouseInvalidIncrement", {"bps": 5001, "minimum": 1, "maximum": 5000}),
        (
            {"duration": HOUR - 1},
            "AuctionHouseInvalidDuration",
            {"duration": HOUR - 1, "minimum": HOUR, "maximum": 30 * 86400},
        ),
        (
            {"duration": 30 * 86400 + 1},
            "AuctionHouseInvalidDuration",
            {"duration": 30 * 86400 + 1, "minimum": HOUR, "maximum": 30 * 86400},
        ),
        ({"extensionWindow": 59}, "AuctionHouseInvalidExtensionWindow", {"window": 59, "minimum": 60, "maximum": HOUR}),
        (
            {"extensionWindow": HOUR + 1},
            "AuctionHouseInvalidExtensionWindow",
            {"window": HOUR + 1, "minimum": 60, "maximum": HOUR},
        ),
        (
            {"payoutDuration": 365 * 86400 + 1},
            "AuctionHouseInvalidPayoutDuration",
            {"duration": 365 * 86400 + 1, "maximum": 365 * 86400},
        ),
    ],
)
def test_create_rejects_bad_terms(
    house: Any, nft: Any, seller: Any, overrides: dict[str, Any], error: str, inputs: dict[str, Any]
) -> None:
    with reverts_with(getattr(house, error), **inputs):
        house.createAuction(auction_params(nft, 1, **overrides), sender=seller)


def test_create_rejects_erc1155_amount_zero(house: Any, multi: Any, seller: Any) -> None:
    with reverts_with(house.AuctionHouseInvalidAssetAmount, kind=ERC1155, amount=0):
        house.createAuction(auction_params(multi, MULTI_ID, assetKind=ERC1155, assetAmount=0), sender=seller)


def test_create_rejects_asset_without_code(house: Any, seller: Any, outsider: Any) -> None:
    with reverts_with(house.AuctionHouseNotAContract, account=outsider.address):
        house.createAuction(auction_params(outsider.address, 1), sender=seller)


def test_create_rejects_unlisted_currency(house: Any, nft: Any, seller: Any, credits: Any) -> None:
    with reverts_with(house.AuctionHouseUnsupportedCurrency, currency=credits.address):
        house.createAuction(auction_params(nft, 1, currency=credits.address), sender=seller)


def test_create_rejects_delisted_currency(house: Any, nft: Any, seller: Any, admin: Any, token: Any) -> None:
    house.setCurrencyAllowed(token, False, sender=admin)

    with reverts_with(house.AuctionHouseUnsupportedCurrency, currency=token.address):
        house.createAuction(auction_params(nft, 1, currency=token.address), sender=seller)


def test_create_stream_payout_needs_streams(house: Any, nft: Any, seller: Any, admin: Any) -> None:
    house.setStreams(NATIVE, sender=admin)

    with reverts_with(house.AuctionHouseStreamsNotConfigured):
        house.createAuction(auction_params(nft, 1, payoutDuration=86400), sender=seller)


def test_create_without_escrow_approval_reverts(house: Any, nft: Any, seller: Any) -> None:
    nft.setApprovalForAll(house, False, sender=seller)

    with reverts_with(nft.ERC721InsufficientApproval, operator=house.address, tokenId=1):
        house.createAuction(auction_params(nft, 1), sender=seller)


def test_create_while_paused_reverts(house: Any, nft: Any, seller: Any, admin: Any) -> None:
    house.pause(sender=admin)

    with reverts_with(house.EnforcedPause):
        house.createAuction(auction_params(nft, 1), sender=seller)


def test_unknown_auction_views_revert(house: Any) -> None:
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=9):
        house.getAuction(9)
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=9):
        house.minimumBid(9)


def test_unsolicited_erc721_safe_transfer_is_refused(house: Any, nft: Any, seller: Any) -> None:
    with reverts_with(house.AuctionHouseUnsolicitedTransfer, operator=seller.address):
        nft.safeTransferFrom(seller, house, 2, sender=seller)


def test_unsolicited_erc1155_transfers_are_refused(house: Any, multi: Any, seller: Any) -> None:
    with reverts_with(house.AuctionHouseUnsolicitedTransfer, operator=seller.address):
        multi.safeTransferFrom(seller, house, MULTI_ID, 1, b"", sender=seller)
    with reverts_with(house.AuctionHouseUnsolicitedTransfer, operator=seller.address):
        multi.safeBatchTransferFrom(seller, house, [MULTI_ID], [1], b"", sender=seller)


def test_supports_erc1155_receiver_and_access_control(house: Any) -> None:
    assert house.supportsInterface("0x4e2312e0")  # IERC1155Receiver
    assert house.supportsInterface("0x7965db0b")  # IAccessControl
    assert house.supportsInterface("0x01ffc9a7")  # IERC165
    assert not house.supportsInterface("0xffffffff")


def test_constructor_rejects_zero_admin(project: Any, admin: Any) -> None:
    with reverts_with(project.AuctionHouse.AuctionHouseZeroAddress):
        admin.deploy(project.AuctionHouse, NATIVE)


def test_reserve_is_the_first_minimum(house: Any, create: Any) -> None:
    auction_id = create(reservePrice=3 * TOKEN)

    assert house.minimumBid(auction_id) == 3 * TOKEN
