"""Payout terms recorded per auction at creation, the auction clock frozen by a pause, and the
seller's control of a payout stream."""

from collections.abc import Callable
from typing import Any

from tests.contracts.auctions.conftest import CARBON_BPS, SHARE_BPS
from tests.contracts.auctions.params import DEFAULT_DURATION, DEFAULT_WINDOW, NATIVE, RESERVE
from tests.contracts.reverts import reverts_with

At = Callable[[int], None]
PAUSE = 5_000
PAYOUT_DURATION = 1_000


def settlement_amounts(receipt: Any, house: Any) -> tuple[int, int]:
    """(carbonAmount, revenueShareAmount) of a settlement."""
    settlement = receipt.events.filter(house.AuctionSettled)[0].settlement
    return settlement[2], settlement[5]


# ----- payout terms -----


def test_new_terms_apply_to_new_auctions_only(
    house: Any,
    create: Any,
    admin: Any,
    carbon_pool: Any,
    treasury: Any,
    outsider: Any,
    bidder: Any,
    keeper: Any,
    at: At,
) -> None:
    running = create(1)
    assert house.getAuction(running).termsId == 2  # conftest: carbon (1), then shares (2)

    carbon = house.setCarbonOffset(carbon_pool, 100, sender=admin)
    shares = house.setRevenueShares([outsider], [700], sender=admin)
    later = create(2)

    assert carbon.events.filter(house.PayoutTermsRecorded) == [
        house.PayoutTermsRecorded(termsId=3, carbonOffsetter=carbon_pool, carbonBps=100, revenueShareBps=SHARE_BPS)
    ]
    assert shares.events.filter(house.PayoutTermsRecorded) == [
        house.PayoutTermsRecorded(termsId=4, carbonOffsetter=carbon_pool, carbonBps=100, revenueShareBps=700)
    ]
    assert house.currentTermsId() == 4
    assert house.getAuction(later).termsId == 4
    old_terms = house.auctionPayoutTerms(running)
    assert (old_terms.carbonOffsetter, old_terms.carbonBps, old_terms.revenueShareBps) == (
        carbon_pool.address,
        CARBON_BPS,
        SHARE_BPS,
    )
    assert [tuple(share) for share in old_terms.revenueShares] == [(treasury.address, SHARE_BPS)]

    for auction_id in (running, later):
        house.bid(auction_id, sender=bidder, value=RESERVE)
    at(house.getAuction(later).endTime)
    settled_running = house.settle(running, sender=keeper)
    settled_later = house.settle(later, sender=keeper)

    assert settlement_amounts(settled_running, house) == (RESERVE * CARBON_BPS // 10_000, RESERVE * SHARE_BPS // 10_000)
    assert house.withdrawableOf(treasury, NATIVE) == RESERVE * SHARE_BPS // 10_000
    assert settlement_amounts(settled_later, house) == (RESERVE * 100 // 10_000, RESERVE * 700 // 10_000)
    assert house.withdrawableOf(outsider, NATIVE) == RESERVE * 700 // 10_000


def test_switching_carbon_off_does_not_touch_a_running_auction(
    house: Any, create: Any, admin: Any, bidder: Any, keeper: Any, end_of: At
) -> None:
    auction_id = create()
    house.setCarbonOffset(NATIVE, 0, sender=admin)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    assert settlement_amounts(receipt, house)[0] == RESERVE * CARBON_BPS // 10_000
    assert house.carbonOffset() == (NATIVE, 0)


def test_unknown_terms_and_auctions_revert(house: Any) -> None:
    with reverts_with(house.AuctionHouseUnknownTerms, termsId=3):
        house.payoutTerms(3)
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=99):
        house.auctionPayoutTerms(99)
    assert house.payoutTerms(0).carbonBps == 0  # terms 0: nothing configured


# ----- the auction clock stops while paused -----


def test_a_pause_delays_a_running_auction_by_its_length(
    chain: Any, house: Any, create: Any, admin: Any, bidder: Any, keeper: Any, at: At
) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    paused_at = end_time - 1_000
    at(paused_at)
    house.pause(sender=admin)
    chain.mine(timestamp=paused_at + 600)
    assert house.getAuction(auction_id).endTime == end_time + 600  # as if unpaused now
    assert house.totalPausedTime() == 600
    at(paused_at + PAUSE)

    receipt = house.unpause(sender=admin)

    assert receipt.events.filter(house.AuctionsDelayed) == [house.AuctionsDelayed(pausedFor=PAUSE, totalPaused=PAUSE)]
    new_end = end_time + PAUSE
    assert house.getAuction(auction_id).endTime == new_end
    assert chain.pending_timestamp > end_time  # past the old end, yet still open
    house.bid(auction_id, sender=bidder, value=RESERVE)
    at(new_end - 1)
    with reverts_with(house.AuctionHouseAuctionNotEnded, auctionId=auction_id, endTime=new_end):
        house.settle(auction_id, sender=keeper)
    at(new_end)
    house.settle(auction_id, sender=keeper)


def test_an_auction_ended_before_the_pause_stays_ended(
    house: Any, create: Any, admin: Any, bidder: Any, keeper: Any, at: At
) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    at(end_time + 10)
    house.pause(sender=admin)
    at(end_time + 10 + PAUSE)
    house.unpause(sender=admin)

    with reverts_with(house.AuctionHouseAuctionEnded, auctionId=auction_id, endTime=end_time + PAUSE):
        house.bid(auction_id, sender=bidder, value=RESERVE)
    house.settle(auction_id, sender=keeper)


def test_an_auction_created_after_a_pause_keeps_its_full_duration(
    house: Any, create: Any, admin: Any, at: At, chain: Any
) -> None:
    now = int(chain.pending_timestamp)
    house.pause(sender=admin)
    at(now + PAUSE)
    house.unpause(sender=admin)

    auction_id = create()

    created = house.getAuction(auction_id)
    assert created.endTime == chain.blocks.head.timestamp + DEFAULT_DURATION
    assert house.totalPausedTime() == PAUSE


def test_extensions_after_a_pause_report_wall_clock_times(
    house: Any, create: Any, admin: Any, bidder: Any, at: At
) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    at(end_time - 2 * DEFAULT_WINDOW)
    house.pause(sender=admin)
    at(end_time - 2 * DEFAULT_WINDOW + PAUSE)
    house.unpause(sender=admin)
    delayed_end = end_time + PAUSE
    bid_at = delayed_end - 60
    at(bid_at)

    receipt = house.bid(auction_id, sender=bidder, value=RESERVE)

    assert receipt.events.filter(house.AuctionExtended) == [
        house.AuctionExtended(auctionId=auction_id, previousEndTime=delayed_end, newEndTime=bid_at + DEFAULT_WINDOW)
    ]
    assert house.getAuction(auction_id).endTime == bid_at + DEFAULT_WINDOW


# ----- the seller controls a payout stream -----


def test_the_sellers_stream_is_the_sellers_to_stop_and_its_rest_goes_back_to_the_seller(
    house: Any, create: Any, streams: Any, admin: Any, seller: Any, bidder: Any, keeper: Any, end_of: At, at: At
) -> None:
    auction_id = create(payoutDuration=PAYOUT_DURATION)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)
    receipt = house.settle(auction_id, sender=keeper)
    stream_id = receipt.events.filter(house.AuctionSettled)[0].settlement[7]
    deposit = streams.getStream(stream_id).deposit

    # The streams admin (the DAO timelock) cannot cancel it and send the rest to a treasury.
    with reverts_with(streams.StreamsUnauthorized, streamId=stream_id, caller=admin.address):
        streams.cancel(stream_id, sender=admin)
    at(receipt.timestamp + PAYOUT_DURATION // 4)
    streams.cancel(stream_id, sender=seller)
    before = seller.balance
    refunded = streams.withdrawRefund(stream_id, sender=seller)

    assert seller.balance == before + deposit * 3 // 4 - refunded.total_fees_paid
    paid = streams.withdraw(stream_id, sender=seller)
    assert paid.events[0].amount == deposit // 4
