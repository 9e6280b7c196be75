"""Bidding: reserve and increment, pull refunds, ERC-20 bids, extension at the window boundary."""

from collections.abc import Callable
from typing import Any

from tests.contracts.auctions.params import (
    CANCELLED,
    DEFAULT_WINDOW,
    NATIVE,
    RESERVE,
    SETTLED,
    TOKEN,
    next_minimum,
)
from tests.contracts.reverts import reverts_with


def test_first_bid_at_reserve_leads(house: Any, create: Any, bidder: Any) -> None:
    auction_id = create()

    receipt = house.bid(auction_id, sender=bidder, value=RESERVE)

    assert receipt.events == [house.BidPlaced(auctionId=auction_id, bidder=bidder, amount=RESERVE)]
    auction = house.getAuction(auction_id)
    assert (auction.highestBidder, auction.highestBid) == (bidder.address, RESERVE)
    assert house.minimumBid(auction_id) == next_minimum(RESERVE)
    assert house.balance == RESERVE


def test_bid_under_reserve_reverts(house: Any, create: Any, bidder: Any) -> None:
    auction_id = create()

    with reverts_with(house.AuctionHouseBidTooLow, bid=RESERVE - 1, minimum=RESERVE):
        house.bid(auction_id, sender=bidder, value=RESERVE - 1)


def test_outbid_under_increment_reverts(house: Any, create: Any, bidder: Any, rival: Any) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    minimum = next_minimum(RESERVE)

    with reverts_with(house.AuctionHouseBidTooLow, bid=minimum - 1, minimum=minimum):
        house.bid(auction_id, sender=rival, value=minimum - 1)


def test_increment_rounds_up_to_at_least_one_unit(house: Any, create: Any, bidder: Any, rival: Any) -> None:
    auction_id = create(reservePrice=10, minIncrementBps=1)
    house.bid(auction_id, sender=bidder, value=10)

    assert house.minimumBid(auction_id) == 11
    with reverts_with(house.AuctionHouseBidTooLow, bid=10, minimum=11):
        house.bid(auction_id, sender=rival, value=10)


def test_outbid_credits_previous_bidder_for_withdrawal(house: Any, create: Any, bidder: Any, rival: Any) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    outbid = next_minimum(RESERVE)

    receipt = house.bid(auction_id, sender=rival, value=outbid)

    assert receipt.events == [house.BidPlaced(auctionId=auction_id, bidder=rival, amount=outbid)]
    assert house.withdrawableOf(bidder, NATIVE) == RESERVE
    before = bidder.balance
    withdrawn = house.withdraw(NATIVE, bidder, sender=bidder)
    assert withdrawn.events == [house.Withdrawn(account=bidder, currency=NATIVE, to=bidder, amount=RESERVE)]
    assert bidder.balance == before + RESERVE - withdrawn.total_fees_paid
    assert house.withdrawableOf(bidder, NATIVE) == 0
    assert house.balance == outbid


def test_refunds_accumulate_and_can_go_to_another_address(
    house: Any, create: Any, bidder: Any, rival: Any, outsider: Any
) -> None:
    auction_id = create()
    first, second = RESERVE, next_minimum(RESERVE)
    third = next_minimum(second)
    house.bid(auction_id, sender=bidder, value=first)
    house.bid(auction_id, sender=rival, value=second)
    house.bid(auction_id, sender=bidder, value=third)
    house.bid(auction_id, sender=rival, value=next_minimum(third))

    assert house.withdrawableOf(bidder, NATIVE) == first + third
    before = outsider.balance
    house.withdraw(NATIVE, outsider, sender=bidder)
    assert outsider.balance == before + first + third


def test_withdraw_nothing_reverts(house: Any, bidder: Any) -> None:
    with reverts_with(house.AuctionHouseNothingToWithdraw, account=bidder.address, currency=NATIVE):
        house.withdraw(NATIVE, bidder, sender=bidder)


def test_withdraw_to_zero_address_reverts(house: Any, bidder: Any) -> None:
    with reverts_with(house.AuctionHouseZeroAddress):
        house.withdraw(NATIVE, NATIVE, sender=bidder)


def test_seller_cannot_bid(house: Any, create: Any, seller: Any) -> None:
    auction_id = create()

    with reverts_with(house.AuctionHouseSellerCannotBid, auctionId=auction_id, seller=seller.address):
        house.bid(auction_id, sender=seller, value=RESERVE)


def test_bid_on_unknown_auction_reverts(house: Any, bidder: Any) -> None:
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=42):
        house.bid(42, sender=bidder, value=RESERVE)


def test_bid_at_end_time_reverts(house: Any, create: Any, bidder: Any, end_of: Callable[[int], None]) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    end_of(auction_id)

    with reverts_with(house.AuctionHouseAuctionEnded, auctionId=auction_id, endTime=end_time):
        house.bid(auction_id, sender=bidder, value=RESERVE)


def test_bid_on_settled_auction_reverts(
    house: Any, create: Any, bidder: Any, rival: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)
    house.settle(auction_id, sender=bidder)

    with reverts_with(house.AuctionHouseAuctionNotActive, auctionId=auction_id, status=SETTLED):
        house.bid(auction_id, sender=rival, value=10 * RESERVE)


def test_bid_on_cancelled_auction_reverts(house: Any, create: Any, seller: Any, bidder: Any) -> None:
    auction_id = create()
    house.cancel(auction_id, sender=seller)

    with reverts_with(house.AuctionHouseAuctionNotActive, auctionId=auction_id, status=CANCELLED):
        house.bid(auction_id, sender=bidder, value=RESERVE)


def test_bid_while_paused_reverts_but_withdraw_works(
    house: Any, create: Any, admin: Any, bidder: Any, rival: Any
) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    house.bid(auction_id, sender=rival, value=next_minimum(RESERVE))
    house.pause(sender=admin)

    with reverts_with(house.EnforcedPause):
        house.bid(auction_id, sender=bidder, value=10 * RESERVE)
    house.withdraw(NATIVE, bidder, sender=bidder)
    assert house.withdrawableOf(bidder, NATIVE) == 0


# ----- ERC-20 auctions -----


def test_erc20_bids_pull_tokens_and_credit_refunds_in_that_token(
    house: Any, create: Any, funded_token: Any, bidder: Any, rival: Any
) -> None:
    auction_id = create(currency=funded_token.address)
    start = funded_token.balanceOf(bidder)

    house.bidWithToken(auction_id, RESERVE, sender=bidder)
    receipt = house.bidWithToken(auction_id, next_minimum(RESERVE), sender=rival)

    assert receipt.events.filter(house.BidPlaced) == [
        house.BidPlaced(auctionId=auction_id, bidder=rival, amount=next_minimum(RESERVE))
    ]
    assert funded_token.balanceOf(house) == RESERVE + next_minimum(RESERVE)
    assert house.withdrawableOf(bidder, funded_token) == RESERVE
    assert house.withdrawableOf(bidder, NATIVE) == 0
    house.withdraw(funded_token, bidder, sender=bidder)
    assert funded_token.balanceOf(bidder) == start


def test_native_bid_on_erc20_auction_reverts(house: Any, create: Any, token: Any, bidder: Any) -> None:
    auction_id = create(currency=token.address)

    with reverts_with(house.AuctionHouseWrongCurrency, auctionId=auction_id, currency=token.address):
        house.bid(auction_id, sender=bidder, value=RESERVE)


def test_token_bid_on_native_auction_reverts(house: Any, create: Any, funded_token: Any, bidder: Any) -> None:
    auction_id = create()

    with reverts_with(house.AuctionHouseWrongCurrency, auctionId=auction_id, currency=NATIVE):
        house.bidWithToken(auction_id, RESERVE, sender=bidder)


def test_token_bid_above_96_bits_reverts(house: Any, create: Any, funded_token: Any, admin: Any, bidder: Any) -> None:
    auction_id = create(currency=funded_token.address)
    too_much = 2**96
    funded_token.mint(bidder, too_much, sender=admin)

    with reverts_with(house.AuctionHouseBidTooHigh, bid=too_much, maximum=2**96 - 1):
        house.bidWithToken(auction_id, too_much, sender=bidder)


def test_token_bid_without_allowance_reverts(house: Any, create: Any, token: Any, outsider: Any, admin: Any) -> None:
    auction_id = create(currency=token.address)
    token.mint(outsider, TOKEN, sender=admin)

    with reverts_with(token.ERC20InsufficientAllowance, spender=house.address, allowance=0, needed=TOKEN):
        house.bidWithToken(auction_id, TOKEN, sender=outsider)


# ----- extension: the final window is (endTime - window, endTime) -----


def test_bid_at_window_boundary_does_not_extend(
    house: Any, create: Any, bidder: Any, at: Callable[[int], None]
) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    at(end_time - DEFAULT_WINDOW)

    receipt = house.bid(auction_id, sender=bidder, value=RESERVE)

    assert receipt.events.filter(house.AuctionExtended) == []
    assert house.getAuction(auction_id).endTime == end_time


def test_bid_one_second_inside_window_extends(house: Any, create: Any, bidder: Any, at: Callable[[int], None]) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    bid_time = end_time - DEFAULT_WINDOW + 1
    at(bid_time)

    receipt = house.bid(auction_id, sender=bidder, value=RESERVE)

    assert receipt.events == [
        house.BidPlaced(auctionId=auction_id, bidder=bidder, amount=RESERVE),
        house.AuctionExtended(auctionId=auction_id, previousEndTime=end_time, newEndTime=bid_time + DEFAULT_WINDOW),
    ]
    assert house.getAuction(auction_id).endTime == end_time + 1


def test_last_second_bid_extends_by_a_full_window_and_keeps_it_open(
    house: Any, create: Any, bidder: Any, rival: Any, at: Callable[[int], None]
) -> None:
    auction_id = create(extensionWindow=300)
    end_time = house.getAuction(auction_id).endTime
    at(end_time - 1)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    new_end = end_time - 1 + 300
    assert house.getAuction(auction_id).endTime == new_end

    at(end_time + 10)
    house.bid(auction_id, sender=rival, value=next_minimum(RESERVE))
    assert house.getAuction(auction_id).endTime == end_time + 10 + 300

    at(end_time + 10 + 300)
    with reverts_with(house.AuctionHouseAuctionEnded, auctionId=auction_id, endTime=end_time + 10 + 300):
        house.bid(auction_id, sender=bidder, value=10 * RESERVE)


def test_bid_before_window_does_not_extend(house: Any, create: Any, bidder: Any) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime

    receipt = house.bid(auction_id, sender=bidder, value=RESERVE)

    assert receipt.events.filter(house.AuctionExtended) == []
    assert house.getAuction(auction_id).endTime == end_time
