"""Pull refunds: a bidder contract that reverts or burns gas on payment cannot block or
overcharge the next bidder, nor block settlement when it wins."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.auctions.conftest import MULTI_ID
from tests.contracts.auctions.params import ERC1155, NATIVE, RESERVE, next_minimum
from tests.contracts.reverts import reverts_with

REVERT, BURN_GAS = 0, 1


@pytest.fixture(params=[REVERT, BURN_GAS], ids=["reverts", "burns-gas"])
def griefer_mode(request: Any) -> int:
    return int(request.param)


@pytest.fixture
def griefer(project: Any, admin: Any, house: Any, griefer_mode: int) -> Any:
    return admin.deploy(project.MockMaliciousBidder, house, griefer_mode)


def test_outbidding_a_griefer_costs_the_same_as_outbidding_anyone(
    house: Any, create: Any, griefer: Any, bidder: Any, outsider: Any, rival: Any
) -> None:
    griefed, control = create(1), create(2)
    griefer.bid(griefed, sender=bidder, value=RESERVE)
    house.bid(control, sender=outsider, value=RESERVE)

    over_griefer = house.bid(griefed, sender=rival, value=next_minimum(RESERVE), gas=100_000)
    over_control = house.bid(control, sender=rival, value=next_minimum(RESERVE), gas=100_000)

    assert over_griefer.gas_used == over_control.gas_used
    assert house.getAuction(griefed).highestBidder == rival.address
    assert house.withdrawableOf(griefer, NATIVE) == RESERVE


def test_griefer_can_only_hurt_its_own_withdrawal(
    house: Any, create: Any, griefer: Any, griefer_mode: int, bidder: Any, rival: Any, outsider: Any
) -> None:
    auction_id = create()
    griefer.bid(auction_id, sender=bidder, value=RESERVE)
    house.bid(auction_id, sender=rival, value=next_minimum(RESERVE))

    refused = griefer.MockMaliciousBidderRefused if griefer_mode == REVERT else house.FailedCall
    with reverts_with(refused):
        griefer.withdraw(griefer, sender=bidder, gas=2_000_000)
    assert house.withdrawableOf(griefer, NATIVE) == RESERVE

    before = outsider.balance
    griefer.withdraw(outsider, sender=bidder)
    assert outsider.balance == before + RESERVE


@pytest.mark.parametrize("kind", ["erc721", "erc1155"])
def test_griefer_winning_cannot_block_settlement(
    house: Any,
    create: Any,
    nft: Any,
    multi: Any,
    griefer: Any,
    seller: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
    kind: str,
) -> None:
    """The griefer's receiver hook reverts or burns every gas unit it gets: the asset stays held."""
    erc1155 = {"asset": multi, "assetKind": ERC1155, "assetAmount": 2}
    auction_id = create() if kind == "erc721" else create(MULTI_ID, **erc1155)
    griefer.bid(auction_id, sender=bidder, value=RESERVE)
    end_of(auction_id)

    receipt = house.settle(auction_id, sender=keeper, gas=2_000_000)

    assert receipt.events.filter(house.AssetHeld) == [house.AssetHeld(auctionId=auction_id, recipient=griefer)]
    held = nft.ownerOf(1) == house.address if kind == "erc721" else multi.balanceOf(house, MULTI_ID) == 2
    assert held
    assert house.getAuction(auction_id).assetHeld
    assert house.withdrawableOf(seller, NATIVE) > 0
