"""A settlement paying its carbon share through the ToucanOffsetAdapter (the real-network wiring):
credits retired on the TCO2 with Toucan's event id, or the share kept owed when the adapter
cannot cover it."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.auctions.conftest import CARBON_BPS, TONNE_PRICE
from tests.contracts.auctions.params import NATIVE, RESERVE, TOKEN

CARBON = RESERVE * CARBON_BPS // 10_000


@pytest.fixture
def adapter(project: Any, admin: Any, credits: Any, house: Any) -> Any:
    adapter = admin.deploy(project.ToucanOffsetAdapter, 0, admin, credits)
    adapter.setPrice(NATIVE, TONNE_PRICE, sender=admin)
    house.setCarbonOffset(adapter, CARBON_BPS, sender=admin)
    return adapter


def test_settlement_retires_credits_on_the_tco2_through_the_adapter(
    house: Any,
    create: Any,
    adapter: Any,
    credits: Any,
    admin: Any,
    seller: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    credits.mint(adapter, 100 * TOKEN, sender=admin)
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    retired = CARBON * TOKEN // TONNE_PRICE
    toucan = receipt.events.filter(credits.Retired)
    assert toucan == [credits.Retired(sender=adapter, amount=retired, eventId=1)]
    assert receipt.events.filter(adapter.CreditsRetired)[0].beneficiary == seller.address
    settlement = receipt.events.filter(house.AuctionSettled)[0].settlement
    assert (settlement[2], settlement[3], settlement[4]) == (CARBON, 1, retired)
    assert adapter.balance == CARBON


def test_an_empty_adapter_leaves_the_carbon_share_owed(
    house: Any,
    create: Any,
    adapter: Any,
    credits: Any,
    admin: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    auction_id = create()
    house.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper)

    assert receipt.events.filter(house.CarbonOffsetDeferred) == [
        house.CarbonOffsetDeferred(auctionId=auction_id, currency=NATIVE, amount=CARBON)
    ]
    assert house.carbonOwedOf(NATIVE) == CARBON
    credits.mint(adapter, 100 * TOKEN, sender=admin)  # the carbon desk restocks
    retried = house.offsetOwedCarbon(NATIVE, sender=keeper)
    assert retried.events.filter(house.OwedCarbonOffset)[0].credits == CARBON * TOKEN // TONNE_PRICE
    assert house.carbonOwedOf(NATIVE) == 0
