"""Settlement: the carbon, revenue-share and seller split, lump sums and streams, idempotence."""

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import to_checksum_address

from tests.contracts.auctions.conftest import CARBON_BPS, MULTI_ID, SHARE_BPS, TONNE_PRICE
from tests.contracts.auctions.params import ERC1155, NATIVE, RESERVE, SETTLED, TOKEN, auction_params, next_minimum
from tests.contracts.reverts import reverts_with

PRICE = next_minimum(RESERVE)
CARBON = PRICE * CARBON_BPS // 10_000
SHARE = PRICE * SHARE_BPS // 10_000
SELLER = PRICE - CARBON - SHARE
PAYOUT_DURATION = 30 * 86400
SETTLEMENT_FIELDS = (
    "currency",
    "price",
    "carbonAmount",
    "carbonRetirementEventId",
    "carbonCreditsRetired",
    "revenueShareAmount",
    "sellerAmount",
    "streamId",
)


def settlement_of(receipt: Any, house: Any) -> dict[str, Any]:
    event = receipt.events.filter(house.AuctionSettled)[0]
    settlement = dict(zip(SETTLEMENT_FIELDS, event.settlement, strict=True))
    settlement["currency"] = to_checksum_address(settlement["currency"])
    return settlement


def two_bids(house: Any, auction_id: int, bidder: Any, rival: Any, token: Any = None) -> None:
    """bidder bids the reserve, rival wins at PRICE."""
    if token is None:
        house.bid(auction_id, sender=bidder, value=RESERVE)
        house.bid(auction_id, sender=rival, value=PRICE)
    else:
        house.bidWithToken(auction_id, RESERVE, sender=bidder)
        house.bidWithToken(auction_id, PRICE, sender=rival)


def test_settle_before_end_reverts(house: Any, create: Any, bidder: Any, at: Callable[[int], None]) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_time = house.getAuction(auction_id).endTime
    at(end_time - 1)

    with reverts_with(house.AuctionHouseAuctionNotEnded, auctionId=auction_id, endTime=end_time):
        house.settle(auction_id, sender=bidder)


def test_settle_unknown_auction_reverts(house: Any, keeper: Any) -> None:
    with reverts_with(house.AuctionHouseUnknownAuction, auctionId=5):
        house.settle(5, sender=keeper)


def test_settle_without_bids_returns_asset_to_seller(
    house: Any, create: Any, nft: Any, seller: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create()
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    event = receipt.events.filter(house.AuctionSettled)[0]
    assert (event.auctionId, event.winner, event.seller) == (auction_id, NATIVE, seller.address)
    assert settlement_of(receipt, house) == dict.fromkeys(SETTLEMENT_FIELDS, 0) | {"currency": NATIVE}
    assert nft.ownerOf(1) == seller.address
    assert house.getAuction(auction_id).status == SETTLED


def test_keeper_settles_native_lump_sum_split(
    house: Any,
    create: Any,
    nft: Any,
    carbon_pool: Any,
    seller: Any,
    bidder: Any,
    rival: Any,
    keeper: Any,
    treasury: Any,
    end_of: Callable[[int], None],
) -> None:
    auction_id = create()
    two_bids(house, auction_id, bidder, rival)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    retirement_id = carbon_pool.lastRetirementEventId()
    assert retirement_id == 1
    assert settlement_of(receipt, house) == {
        "currency": NATIVE,
        "price": PRICE,
        "carbonAmount": CARBON,
        "carbonRetirementEventId": retirement_id,
        "carbonCreditsRetired": CARBON * TOKEN // TONNE_PRICE,
        "revenueShareAmount": SHARE,
        "sellerAmount": SELLER,
        "streamId": 0,
    }
    assert receipt.events.filter(house.ProceedsCredited) == [
        house.ProceedsCredited(auctionId=auction_id, account=treasury, currency=NATIVE, amount=SHARE),
        house.ProceedsCredited(auctionId=auction_id, account=seller, currency=NATIVE, amount=SELLER),
    ]
    assert carbon_pool.retirement(retirement_id).beneficiary == seller.address
    assert carbon_pool.retirement(retirement_id).amount == CARBON * TOKEN // TONNE_PRICE
    assert carbon_pool.balance == CARBON
    assert nft.ownerOf(1) == rival.address
    assert house.withdrawableOf(seller, NATIVE) == SELLER
    assert house.withdrawableOf(treasury, NATIVE) == SHARE
    assert house.withdrawableOf(bidder, NATIVE) == RESERVE
    assert house.balance == SELLER + SHARE + RESERVE

    before = seller.balance
    paid = house.withdraw(NATIVE, seller, sender=seller)
    assert seller.balance == before + SELLER - paid.total_fees_paid


def test_settle_twice_reverts_with_settled_status(
    house: Any, create: Any, bidder: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)
    house.settle(auction_id, sender=keeper)

    with reverts_with(house.AuctionHouseAuctionNotActive, auctionId=auction_id, status=SETTLED):
        house.settle(auction_id, sender=keeper)


def test_settle_native_stream_payout(
    house: Any,
    create: Any,
    streams: Any,
    seller: Any,
    bidder: Any,
    rival: Any,
    keeper: Any,
    end_of: Callable[[int], None],
    at: Callable[[int], None],
) -> None:
    auction_id = create(payoutDuration=PAYOUT_DURATION)
    two_bids(house, auction_id, bidder, rival)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    stream_id = settlement_of(receipt, house)["streamId"]
    assert stream_id == 1
    assert settlement_of(receipt, house)["sellerAmount"] == SELLER
    assert house.withdrawableOf(seller, NATIVE) == 0
    stream = streams.getStream(stream_id)
    # The seller controls the stream (and would get its unvested rest back), not the treasury.
    assert (stream.sender, stream.recipient, stream.token) == (seller.address, seller.address, NATIVE)
    assert not streams.isAdminControlled(stream_id)
    assert stream.deposit == SELLER
    assert (stream.startTime, stream.endTime) == (receipt.timestamp, receipt.timestamp + PAYOUT_DURATION)
    assert streams.balance == SELLER

    at(receipt.timestamp + PAYOUT_DURATION)
    streams.withdraw(stream_id, sender=seller)
    assert streams.balance == 0


def test_settle_erc20_lump_sum_pays_carbon_in_token(
    house: Any,
    create: Any,
    funded_token: Any,
    carbon_pool: Any,
    seller: Any,
    bidder: Any,
    rival: Any,
    keeper: Any,
    treasury: Any,
    end_of: Callable[[int], None],
) -> None:
    auction_id = create(currency=funded_token.address)
    two_bids(house, auction_id, bidder, rival, funded_token)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    settlement = settlement_of(receipt, house)
    assert settlement["currency"] == funded_token.address
    assert settlement["carbonRetirementEventId"] == 1
    assert funded_token.balanceOf(carbon_pool) == CARBON
    assert funded_token.allowance(house, carbon_pool) == 0
    assert house.withdrawableOf(seller, funded_token) == SELLER
    assert house.withdrawableOf(treasury, funded_token) == SHARE
    assert funded_token.balanceOf(house) == SELLER + SHARE + RESERVE


def test_settle_erc20_stream_payout(
    house: Any,
    create: Any,
    funded_token: Any,
    streams: Any,
    seller: Any,
    bidder: Any,
    rival: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    auction_id = create(currency=funded_token.address, payoutDuration=PAYOUT_DURATION)
    two_bids(house, auction_id, bidder, rival, funded_token)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    stream = streams.getStream(settlement_of(receipt, house)["streamId"])
    assert (stream.recipient, stream.token, stream.deposit) == (seller.address, funded_token.address, SELLER)
    assert funded_token.balanceOf(streams) == SELLER
    assert funded_token.allowance(house, streams) == 0


def test_settle_erc1155_delivers_the_escrowed_amount(
    house: Any, multi: Any, seller: Any, bidder: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create_multi(house, multi, seller, 3)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    house.settle(auction_id, sender=keeper)

    assert multi.balanceOf(bidder, MULTI_ID) == 3
    assert multi.balanceOf(house, MULTI_ID) == 0


def create_multi(house: Any, multi: Any, seller: Any, amount: int) -> int:
    params = auction_params(multi, MULTI_ID, assetKind=ERC1155, assetAmount=amount)
    receipt = house.createAuction(params, sender=seller)
    return int(receipt.events.filter(house.AuctionCreated)[0].auctionId)


def test_stream_payout_falls_back_to_lump_sum_when_streams_removed(
    house: Any, create: Any, admin: Any, seller: Any, bidder: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create(payoutDuration=PAYOUT_DURATION)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    house.setStreams(NATIVE, sender=admin)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    assert settlement_of(receipt, house)["streamId"] == 0
    seller_share = RESERVE - RESERVE * (CARBON_BPS + SHARE_BPS) // 10_000
    assert house.withdrawableOf(seller, NATIVE) == seller_share


def test_settle_without_offsetter_or_shares_pays_seller_everything(
    house: Any, create: Any, admin: Any, seller: Any, bidder: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    house.setCarbonOffset(NATIVE, 0, sender=admin)
    house.setRevenueShares([], [], sender=admin)
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    settlement = settlement_of(receipt, house)
    assert (settlement["carbonAmount"], settlement["revenueShareAmount"]) == (0, 0)
    assert house.withdrawableOf(seller, NATIVE) == RESERVE


def test_settle_while_paused_reverts(
    house: Any, create: Any, admin: Any, bidder: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    house.pause(sender=admin)
    end_of(auction_id)

    with reverts_with(house.EnforcedPause):
        house.settle(auction_id, sender=keeper)
    house.unpause(sender=admin)
    end_of(auction_id)  # the pause froze the auction clock: it ends that much later
    house.settle(auction_id, sender=keeper)


# ----- a refusing offsetter defers the carbon share instead of blocking settlement -----


@pytest.mark.parametrize("erc20", [False, True])
def test_refused_offset_is_owed_and_retried(
    house: Any,
    create: Any,
    funded_token: Any,
    carbon_pool: Any,
    admin: Any,
    seller: Any,
    bidder: Any,
    rival: Any,
    keeper: Any,
    end_of: Callable[[int], None],
    erc20: bool,
) -> None:
    currency = funded_token.address if erc20 else NATIVE
    carbon_pool.setPrice(currency, 0, sender=admin)
    auction_id = create(currency=currency)
    two_bids(house, auction_id, bidder, rival, funded_token if erc20 else None)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    assert receipt.events.filter(house.CarbonOffsetDeferred) == [
        house.CarbonOffsetDeferred(auctionId=auction_id, currency=currency, amount=CARBON)
    ]
    assert settlement_of(receipt, house)["carbonRetirementEventId"] == 0
    assert settlement_of(receipt, house)["carbonCreditsRetired"] == 0
    assert house.carbonOwedOf(currency) == CARBON
    assert house.withdrawableOf(seller, currency) == SELLER
    if erc20:
        assert funded_token.allowance(house, carbon_pool) == 0

    carbon_pool.setPrice(currency, TONNE_PRICE, sender=admin)
    retried = house.offsetOwedCarbon(currency, sender=keeper)

    assert retried.events.filter(house.OwedCarbonOffset) == [
        house.OwedCarbonOffset(
            currency=currency, amount=CARBON, retirementEventId=1, credits=CARBON * TOKEN // TONNE_PRICE
        )
    ]
    assert carbon_pool.retirement(1).beneficiary == house.address
    assert house.carbonOwedOf(currency) == 0


def test_offset_owed_carbon_with_nothing_owed_reverts(house: Any, keeper: Any) -> None:
    with reverts_with(house.AuctionHouseNothingOwed, currency=NATIVE):
        house.offsetOwedCarbon(NATIVE, sender=keeper)


def test_offset_owed_carbon_while_paused_reverts(house: Any, admin: Any, keeper: Any) -> None:
    house.pause(sender=admin)

    with reverts_with(house.EnforcedPause):
        house.offsetOwedCarbon(NATIVE, sender=keeper)


def test_offset_owed_carbon_without_offsetter_reverts(
    house: Any,
    create: Any,
    carbon_pool: Any,
    admin: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    carbon_pool.setPrice(NATIVE, 0, sender=admin)
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)
    house.settle(auction_id, sender=keeper)
    house.setCarbonOffset(NATIVE, 0, sender=admin)

    with reverts_with(house.AuctionHouseCarbonOffsetNotConfigured):
        house.offsetOwedCarbon(NATIVE, sender=keeper)
    assert house.carbonOwedOf(NATIVE) == RESERVE * CARBON_BPS // 10_000


def test_split_over_several_recipients_rounds_down_and_seller_takes_the_dust(
    house: Any,
    create: Any,
    admin: Any,
    seller: Any,
    treasury: Any,
    outsider: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    house.setRevenueShares([treasury, outsider], [333, 1], sender=admin)
    price = 10_007
    auction_id = create(reservePrice=price)
    house.bid(auction_id, sender=bidder, value=price)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    carbon, first, second = price * CARBON_BPS // 10_000, price * 333 // 10_000, price * 1 // 10_000
    settlement = settlement_of(receipt, house)
    assert settlement["carbonAmount"] == carbon
    assert settlement["revenueShareAmount"] == first + second
    assert settlement["sellerAmount"] == price - carbon - first - second
    assert house.withdrawableOf(treasury, NATIVE) == first
    assert house.withdrawableOf(outsider, NATIVE) == second
    assert house.withdrawableOf(seller, NATIVE) == settlement["sellerAmount"]


def test_extended_auction_settles_only_after_the_new_end(
    house: Any, create: Any, bidder: Any, keeper: Any, at: Callable[[int], None]
) -> None:
    auction_id = create()
    end_time = house.getAuction(auction_id).endTime
    at(end_time - 60)
    house.bid(auction_id, sender=bidder, value=RESERVE)
    new_end = end_time - 60 + 15 * 60
    at(end_time)

    with reverts_with(house.AuctionHouseAuctionNotEnded, auctionId=auction_id, endTime=new_end):
        house.settle(auction_id, sender=keeper)
    at(new_end)
    house.settle(auction_id, sender=keeper)


def test_erc20_auction_without_bids_reports_its_currency(
    house: Any, create: Any, token: Any, keeper: Any, end_of: Callable[[int], None]
) -> None:
    auction_id = create(currency=token.address)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    assert settlement_of(receipt, house) == dict.fromkeys(SETTLEMENT_FIELDS, 0) | {"currency": token.address}


def test_one_unit_price_goes_wholly_to_the_seller(
    house: Any,
    create: Any,
    carbon_pool: Any,
    seller: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    auction_id = create(reservePrice=1)
    house.bid(auction_id, sender=bidder, value=1)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    settlement = settlement_of(receipt, house)
    assert (settlement["carbonAmount"], settlement["revenueShareAmount"], settlement["sellerAmount"]) == (0, 0, 1)
    assert carbon_pool.lastRetirementEventId() == 0
    assert receipt.events.filter(house.CarbonOffsetDeferred) == []
    assert house.withdrawableOf(seller, NATIVE) == 1


def test_largest_price_splits_exactly_into_a_stream(
    house: Any,
    create: Any,
    funded_token: Any,
    streams: Any,
    admin: Any,
    seller: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    price = 2**96 - 1
    funded_token.mint(bidder, price, sender=admin)
    auction_id = create(currency=funded_token.address, reservePrice=price, payoutDuration=PAYOUT_DURATION)
    house.bidWithToken(auction_id, price, sender=bidder)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    settlement = settlement_of(receipt, house)
    carbon, share = price * CARBON_BPS // 10_000, price * SHARE_BPS // 10_000
    assert (settlement["carbonAmount"], settlement["revenueShareAmount"]) == (carbon, share)
    assert settlement["sellerAmount"] == price - carbon - share
    assert streams.getStream(settlement["streamId"]).deposit == price - carbon - share
    # The pool's inventory cannot cover this much: the carbon share waits as owed.
    assert house.carbonOwedOf(funded_token) == carbon
