"""Re-entry through ERC-721/1155 receiver hooks and through the refund path is refused by the
guard; a hook that reverts leaves the asset held for `claimAsset` instead of blocking settlement."""

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.auctions.conftest import MULTI_ID
from tests.contracts.auctions.params import ERC1155, NATIVE, RESERVE, auction_params, next_minimum
from tests.contracts.reverts import reverts_with

GUARD_ERROR = keccak(text="ReentrancyGuardReentrantCall()")[:4]


@pytest.fixture
def receiver(project: Any, admin: Any, house: Any) -> Any:
    return admin.deploy(project.MockReentrantReceiver, house)


def reentry_call(house: Any, name: str, other_auction: int, receiver: Any) -> bytes:
    calls = {
        "bid": lambda: house.bid.encode_input(other_auction),
        "settle": lambda: house.settle.encode_input(other_auction),
        "withdraw": lambda: house.withdraw.encode_input(NATIVE, receiver),
    }
    return bytes(calls[name]())


def win_with_receiver(
    house: Any, create: Any, multi: Any, seller: Any, receiver: Any, bidder: Any, kind: str
) -> tuple[int, int]:
    """The receiver wins one auction (ERC-721 #1 or 2 of the ERC-1155), a second one is ended too."""
    if kind == "erc721":
        won = create(1)
    else:
        params = auction_params(multi, MULTI_ID, assetKind=ERC1155, assetAmount=2)
        won = int(house.createAuction(params, sender=seller).events.filter(house.AuctionCreated)[0].auctionId)
    other = create(2)
    receiver.execute(house, house.bid.encode_input(won), sender=bidder, value=RESERVE)
    return won, other


@pytest.mark.parametrize("kind", ["erc721", "erc1155"])
@pytest.mark.parametrize("call", ["bid", "settle", "withdraw"])
def test_receiver_hook_reentry_is_refused(
    house: Any,
    create: Any,
    nft: Any,
    multi: Any,
    seller: Any,
    receiver: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
    kind: str,
    call: str,
) -> None:
    won, other = win_with_receiver(house, create, multi, seller, receiver, bidder, kind)
    receiver.arm(reentry_call(house, call, other, receiver), False, sender=bidder)
    end_of(won)

    receipt = house.settle(won, sender=keeper)

    hook = "onERC721Received" if kind == "erc721" else "onERC1155Received"
    assert receipt.events.filter(receiver.ReentryAttempted) == [
        receiver.ReentryAttempted(hook=hook, succeeded=False, returnData=GUARD_ERROR)
    ]
    if kind == "erc721":
        assert nft.ownerOf(1) == receiver.address
    else:
        assert multi.balanceOf(receiver, MULTI_ID) == 2
    assert not house.getAuction(won).assetHeld


def test_reverting_hook_leaves_asset_held_then_claimed(
    house: Any,
    create: Any,
    nft: Any,
    multi: Any,
    seller: Any,
    receiver: Any,
    bidder: Any,
    keeper: Any,
    outsider: Any,
    end_of: Callable[[int], None],
) -> None:
    won, other = win_with_receiver(house, create, multi, seller, receiver, bidder, "erc721")
    receiver.arm(reentry_call(house, "settle", other, receiver), True, sender=bidder)
    end_of(won)

    receipt = house.settle(won, sender=keeper)

    assert receipt.events.filter(house.AssetHeld) == [house.AssetHeld(auctionId=won, recipient=receiver)]
    assert nft.ownerOf(1) == house.address
    with reverts_with(house.AuctionHouseNotEntitled, auctionId=won, caller=outsider.address, claimant=receiver.address):
        house.claimAsset(won, outsider, sender=outsider)

    claimed = receiver.execute(house, house.claimAsset.encode_input(won, outsider), sender=bidder)

    assert claimed.events.filter(house.AssetClaimed) == [
        house.AssetClaimed(auctionId=won, claimant=receiver, to=outsider)
    ]
    assert nft.ownerOf(1) == outsider.address
    with reverts_with(house.AuctionHouseAssetNotHeld, auctionId=won):
        house.claimAsset(won, outsider, sender=outsider)


def test_claim_to_zero_address_reverts(
    house: Any,
    create: Any,
    multi: Any,
    seller: Any,
    receiver: Any,
    bidder: Any,
    keeper: Any,
    end_of: Callable[[int], None],
) -> None:
    won, other = win_with_receiver(house, create, multi, seller, receiver, bidder, "erc1155")
    receiver.arm(reentry_call(house, "bid", other, receiver), True, sender=bidder)
    end_of(won)
    house.settle(won, sender=keeper)
    receiver.arm(b"", False, sender=bidder)

    with reverts_with(house.AuctionHouseZeroAddress):
        receiver.execute(house, house.claimAsset.encode_input(won, NATIVE), sender=bidder)
    receiver.execute(house, house.claimAsset.encode_input(won, receiver), sender=bidder)
    assert multi.balanceOf(receiver, MULTI_ID) == 2


def test_claim_when_nothing_held_reverts(house: Any, create: Any, seller: Any) -> None:
    auction_id = create()

    with reverts_with(house.AuctionHouseAssetNotHeld, auctionId=auction_id):
        house.claimAsset(auction_id, seller, sender=seller)


def test_rejecting_seller_claims_asset_after_cancel(
    house: Any, nft: Any, admin: Any, receiver: Any, bidder: Any, outsider: Any
) -> None:
    nft.mint(receiver, 9, sender=admin)
    receiver.execute(nft, nft.setApprovalForAll.encode_input(house, True), sender=bidder)
    receiver.execute(house, house.createAuction.encode_input(auction_params(nft, 9)), sender=bidder)
    auction_id = house.nextAuctionId() - 1
    receiver.arm(house.withdraw.encode_input(NATIVE, receiver), True, sender=bidder)

    receipt = house.cancel(auction_id, sender=admin)

    assert receipt.events.filter(house.AssetHeld) == [house.AssetHeld(auctionId=auction_id, recipient=receiver)]
    with reverts_with(
        house.AuctionHouseNotEntitled, auctionId=auction_id, caller=outsider.address, claimant=receiver.address
    ):
        house.claimAsset(auction_id, outsider, sender=outsider)
    receiver.execute(house, house.claimAsset.encode_input(auction_id, outsider), sender=bidder)
    assert nft.ownerOf(9) == outsider.address


@pytest.mark.parametrize("call", ["bid", "withdraw"])
def test_refund_path_reentry_is_refused_and_pays_once(
    house: Any, create: Any, receiver: Any, bidder: Any, rival: Any, call: str
) -> None:
    auction_id, other = create(1), create(2)
    receiver.execute(house, house.bid.encode_input(auction_id), sender=bidder, value=RESERVE)
    house.bid(auction_id, sender=rival, value=next_minimum(RESERVE))
    receiver.arm(reentry_call(house, call, other, receiver), False, sender=bidder)

    receipt = receiver.execute(house, house.withdraw.encode_input(NATIVE, receiver), sender=bidder)

    assert receipt.events.filter(receiver.ReentryAttempted) == [
        receiver.ReentryAttempted(hook="receive", succeeded=False, returnData=GUARD_ERROR)
    ]
    assert receiver.balance == RESERVE
    assert house.withdrawableOf(receiver, NATIVE) == 0
    assert house.balance == next_minimum(RESERVE)


def test_refund_path_reentry_that_bubbles_reverts_the_withdrawal(
    house: Any, create: Any, receiver: Any, bidder: Any, rival: Any
) -> None:
    auction_id = create()
    receiver.execute(house, house.bid.encode_input(auction_id), sender=bidder, value=RESERVE)
    house.bid(auction_id, sender=rival, value=next_minimum(RESERVE))
    receiver.arm(house.withdraw.encode_input(NATIVE, receiver), True, sender=bidder)

    with reverts_with(house.ReentrancyGuardReentrantCall):
        receiver.execute(house, house.withdraw.encode_input(NATIVE, receiver), sender=bidder)
    assert house.withdrawableOf(receiver, NATIVE) == RESERVE
