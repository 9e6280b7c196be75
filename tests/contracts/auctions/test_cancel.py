"""Cancelling before the first bid, by the seller or the admin, paused or not."""

from typing import Any

from tests.contracts.auctions.params import CANCELLED, RESERVE
from tests.contracts.reverts import reverts_with


def test_seller_cancels_and_gets_asset_back(house: Any, create: Any, nft: Any, seller: Any) -> None:
    auction_id = create()

    receipt = house.cancel(auction_id, sender=seller)

    assert receipt.events.filter(house.AuctionCancelled) == [house.AuctionCancelled(auctionId=auction_id, by=seller)]
    assert nft.ownerOf(1) == seller.address
    assert house.getAuction(auction_id).status == CANCELLED


def test_admin_cancels_even_while_paused(house: Any, create: Any, nft: Any, seller: Any, admin: Any) -> None:
    auction_id = create()
    house.pause(sender=admin)

    receipt = house.cancel(auction_id, sender=admin)

    assert receipt.events.filter(house.AuctionCancelled) == [house.AuctionCancelled(auctionId=auction_id, by=admin)]
    assert nft.ownerOf(1) == seller.address


def test_stranger_cannot_cancel(house: Any, create: Any, outsider: Any) -> None:
    auction_id = create()

    with reverts_with(house.AuctionHouseNotSellerOrAdmin, auctionId=auction_id, caller=outsider.address):
        house.cancel(auction_id, sender=outsider)


def test_cancel_after_a_bid_reverts(house: Any, create: Any, seller: Any, bidder: Any) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)

    with reverts_with(house.AuctionHouseAuctionHasBids, auctionId=auction_id, highestBid=RESERVE):
        house.cancel(auction_id, sender=seller)


def test_cancel_twice_reverts(house: Any, create: Any, seller: Any) -> None:
    auction_id = create()
    house.cancel(auction_id, sender=seller)

    with reverts_with(house.AuctionHouseAuctionNotActive, auctionId=auction_id, status=CANCELLED):
        house.cancel(auction_id, sender=seller)


def test_cancel_unknown_auction_reverts(house: Any, seller: Any) -> None:
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=3):
        house.cancel(3, sender=seller)


def test_settle_cancelled_auction_reverts(house: Any, create: Any, seller: Any, keeper: Any) -> None:
    auction_id = create()
    house.cancel(auction_id, sender=seller)

    with reverts_with(house.AuctionHouseAuctionNotActive, auctionId=auction_id, status=CANCELLED):
        house.settle(auction_id, sender=keeper)
