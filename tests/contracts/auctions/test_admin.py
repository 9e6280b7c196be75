"""Admin configuration (the DAO timelock in production): currencies, carbon, revenue shares,
streams and the emergency pause."""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.auctions.conftest import CARBON_BPS, SHARE_BPS
from tests.contracts.auctions.params import NATIVE
from tests.contracts.reverts import reverts_with

# type(ICarbonOffsetPayments).interfaceId: offset(address) ^ offsetWithToken(address,uint256,address)
OFFSET_PAYMENTS_INTERFACE_ID = bytes(
    a ^ b
    for a, b in zip(
        keccak(text="offset(address)")[:4], keccak(text="offsetWithToken(address,uint256,address)")[:4], strict=True
    )
)


def test_currency_allowlist(house: Any, admin: Any, credits: Any) -> None:
    assert house.isCurrencyAllowed(NATIVE)
    assert not house.isCurrencyAllowed(credits)

    receipt = house.setCurrencyAllowed(credits, True, sender=admin)

    assert receipt.events == [house.CurrencyAllowlistUpdated(currency=credits, allowed=True)]
    assert house.isCurrencyAllowed(credits)


def test_currency_allowlist_rejects_native_and_non_contracts(house: Any, admin: Any, outsider: Any) -> None:
    with reverts_with(house.AuctionHouseZeroAddress):
        house.setCurrencyAllowed(NATIVE, True, sender=admin)
    with reverts_with(house.AuctionHouseNotAContract, account=outsider.address):
        house.setCurrencyAllowed(outsider, True, sender=admin)


def test_carbon_offset_config(house: Any, admin: Any, carbon_pool: Any) -> None:
    assert house.carbonOffset() == (carbon_pool.address, CARBON_BPS)

    receipt = house.setCarbonOffset(carbon_pool, 150, sender=admin)

    assert receipt.events == [
        house.CarbonOffsetUpdated(offsetter=carbon_pool, bps=150),
        house.PayoutTermsRecorded(termsId=3, carbonOffsetter=carbon_pool, carbonBps=150, revenueShareBps=SHARE_BPS),
    ]
    assert house.carbonOffset() == (carbon_pool.address, 150)


def test_carbon_offset_rejects_non_contract_and_excess(house: Any, admin: Any, carbon_pool: Any, outsider: Any) -> None:
    with reverts_with(house.AuctionHouseNotAContract, account=outsider.address):
        house.setCarbonOffset(outsider, 100, sender=admin)
    with reverts_with(house.AuctionHouseNotAContract, account=NATIVE):
        house.setCarbonOffset(NATIVE, 100, sender=admin)
    with reverts_with(house.AuctionHouseSharesTooHigh, totalBps=5001, maximum=5000):
        house.setCarbonOffset(carbon_pool, 5001 - SHARE_BPS, sender=admin)


def test_carbon_offset_must_answer_erc165_for_the_payment_interface(
    house: Any, admin: Any, credits: Any, token: Any, carbon_pool: Any
) -> None:
    # A bare TCO2 (ERC-165 says no) and a token without ERC-165 at all are both refused, so a
    # Toucan TCO2 passed where a payment offsetter belongs fails at configuration, not at settlement.
    for contract in (credits, token):
        with reverts_with(house.AuctionHouseNotAnOffsetter, offsetter=contract.address):
            house.setCarbonOffset(contract, 100, sender=admin)
    assert carbon_pool.supportsInterface(OFFSET_PAYMENTS_INTERFACE_ID)
    house.setCarbonOffset(carbon_pool, 100, sender=admin)


def test_revenue_shares_replace_the_list(
    house: Any, admin: Any, treasury: Any, outsider: Any, carbon_pool: Any
) -> None:
    assert [tuple(share) for share in house.revenueShares()] == [(treasury.address, SHARE_BPS)]

    receipt = house.setRevenueShares([treasury, outsider], [100, 250], sender=admin)

    assert receipt.events == [
        house.RevenueSharesUpdated(recipients=[treasury.address, outsider.address], bps=[100, 250]),
        house.PayoutTermsRecorded(termsId=3, carbonOffsetter=carbon_pool, carbonBps=CARBON_BPS, revenueShareBps=350),
    ]
    assert [tuple(share) for share in house.revenueShares()] == [(treasury.address, 100), (outsider.address, 250)]


@pytest.mark.parametrize(
    ("count", "bps_count", "error", "inputs"),
    [
        (2, 1, "AuctionHouseLengthMismatch", {"recipients": 2, "shares": 1}),
        (6, 6, "AuctionHouseTooManyRecipients", {"count": 6, "maximum": 5}),
    ],
)
def test_revenue_shares_reject_bad_lists(
    house: Any, admin: Any, accounts: Any, count: int, bps_count: int, error: str, inputs: dict[str, Any]
) -> None:
    recipients = [accounts[i] for i in range(count)]

    with reverts_with(getattr(house, error), **inputs):
        house.setRevenueShares(recipients, [10] * bps_count, sender=admin)


def test_revenue_shares_reject_zero_recipient_zero_share_and_excess(house: Any, admin: Any, treasury: Any) -> None:
    with reverts_with(house.AuctionHouseZeroAddress):
        house.setRevenueShares([NATIVE], [10], sender=admin)
    with reverts_with(house.AuctionHouseZeroShare, recipient=treasury.address):
        house.setRevenueShares([treasury], [0], sender=admin)
    with reverts_with(house.AuctionHouseSharesTooHigh, totalBps=5001, maximum=5000):
        house.setRevenueShares([treasury], [5001 - CARBON_BPS], sender=admin)


def test_streams_config(house: Any, admin: Any, streams: Any) -> None:
    assert house.streams() == streams.address

    receipt = house.setStreams(NATIVE, sender=admin)

    assert receipt.events == [house.StreamsUpdated(streams=NATIVE)]
    assert house.streams() == NATIVE


def test_streams_config_rejects_non_contract(house: Any, admin: Any, outsider: Any) -> None:
    with reverts_with(house.AuctionHouseNotAContract, account=outsider.address):
        house.setStreams(outsider, sender=admin)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("setCurrencyAllowed", lambda c: (c["token"], True)),
        ("setCarbonOffset", lambda c: (c["carbon_pool"], 10)),
        ("setRevenueShares", lambda c: ([], [])),
        ("setStreams", lambda c: (c["streams"],)),
    ],
)
def test_config_is_admin_only(
    house: Any, token: Any, carbon_pool: Any, streams: Any, outsider: Any, call: str, args: Any
) -> None:
    context = {"token": token, "carbon_pool": carbon_pool, "streams": streams, "outsider": outsider}
    role = house.DEFAULT_ADMIN_ROLE()

    with reverts_with(house.AccessControlUnauthorizedAccount, account=outsider.address, neededRole=role):
        getattr(house, call)(*args(context), sender=outsider)


def test_pause_and_unpause(house: Any, admin: Any) -> None:
    paused = house.pause(sender=admin)
    assert paused.events == [house.Paused(account=admin)]
    assert house.paused()

    with reverts_with(house.EnforcedPause):
        house.pause(sender=admin)
    unpaused = house.unpause(sender=admin)
    assert unpaused.events[0] == house.Unpaused(account=admin)
    assert unpaused.events[1].pausedFor == unpaused.events[1].totalPaused > 0
    with reverts_with(house.ExpectedPause):
        house.unpause(sender=admin)


def test_pause_is_pauser_only(house: Any, outsider: Any) -> None:
    role = house.PAUSER_ROLE()

    with reverts_with(house.AccessControlUnauthorizedAccount, account=outsider.address, neededRole=role):
        house.pause(sender=outsider)
    with reverts_with(house.AccessControlUnauthorizedAccount, account=outsider.address, neededRole=role):
        house.unpause(sender=outsider)


def test_admin_hand_over_is_grant_then_renounce(house: Any, admin: Any, outsider: Any) -> None:
    # Decision (NatSpec): no two-step transfer, the admin is the DAO timelock. A grant never drops
    # the old admin, so a wrong grant is revoked before the old admin renounces.
    role = house.DEFAULT_ADMIN_ROLE()
    house.grantRole(role, outsider, sender=admin)
    assert house.hasRole(role, admin) and house.hasRole(role, outsider)
    house.renounceRole(role, admin, sender=admin)
    assert not house.hasRole(role, admin)
    with reverts_with(house.AccessControlUnauthorizedAccount, account=admin.address, neededRole=role):
        house.setCurrencyAllowed(house, True, sender=admin)
