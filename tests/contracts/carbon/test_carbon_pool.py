"""CarbonPool: Toucan-style retirements, certificates, payments that buy and retire credits."""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.carbon.conftest import (
    HOLDER_CREDITS,
    INVENTORY,
    MATIC_PER_TONNE,
    NATIVE,
    ONE_MATIC,
    TONNE,
    USDC,
    USDC_PER_TONNE,
)
from tests.contracts.carbon.interfaces import OFFSET_PAYMENTS, OFFSETTER
from tests.contracts.reverts import reverts_with

TOUCAN_RETIRED_TOPIC = keccak(text="Retired(address,uint256,uint256)")


# ----- TestTCO2 -----


def test_tco2_mint_and_burn_are_role_gated(
    carbon_credits: Any, local_carbon_pool: Any, carbon_outsider: Any, credit_holder: Any
) -> None:
    with reverts_with(
        carbon_credits.AccessControlUnauthorizedAccount,
        account=carbon_outsider.address,
        neededRole=carbon_credits.MINTER_ROLE(),
    ):
        carbon_credits.mint(carbon_outsider, 1, sender=carbon_outsider)
    with reverts_with(
        carbon_credits.AccessControlUnauthorizedAccount,
        account=carbon_outsider.address,
        neededRole=carbon_credits.RETIRER_ROLE(),
    ):
        carbon_credits.burnRetired(credit_holder, 1, sender=carbon_outsider)


def test_tco2_rejects_zero_admin(project: Any, carbon_admin: Any) -> None:
    with reverts_with(project.TestTCO2.TestTCO2ZeroAddress):
        carbon_admin.deploy(project.TestTCO2, NATIVE)


def test_pool_rejects_zero_constructor_arguments(project: Any, carbon_admin: Any, carbon_credits: Any) -> None:
    with reverts_with(project.CarbonPool.CarbonPoolZeroAddress):
        carbon_admin.deploy(project.CarbonPool, NATIVE, carbon_credits)
    with reverts_with(project.CarbonPool.CarbonPoolZeroAddress):
        carbon_admin.deploy(project.CarbonPool, carbon_admin, NATIVE)


# ----- retire: the Toucan call -----


def test_retire_burns_the_callers_credits_and_numbers_the_retirement(
    local_carbon_pool: Any, carbon_credits: Any, credit_holder: Any
) -> None:
    receipt = local_carbon_pool.retire(3 * TONNE, sender=credit_holder)

    assert receipt.events == [
        local_carbon_pool.Retired(sender=credit_holder, amount=3 * TONNE, eventId=1),
        local_carbon_pool.RetirementRecorded(
            retirementEventId=1, retiringEntity=credit_holder, beneficiary=credit_holder, amount=3 * TONNE
        ),
        carbon_credits.Transfer(credit_holder, NATIVE, 3 * TONNE),
    ]
    assert carbon_credits.balanceOf(credit_holder) == HOLDER_CREDITS - 3 * TONNE
    record = local_carbon_pool.retirement(1)
    assert (record.retiringEntity, record.beneficiary, record.amount) == (
        credit_holder.address,
        credit_holder.address,
        3 * TONNE,
    )
    assert record.retiredAt == receipt.timestamp
    assert local_carbon_pool.lastRetirementEventId() == 1
    assert local_carbon_pool.totalRetired() == 3 * TONNE


def test_retired_event_has_toucans_exact_layout(local_carbon_pool: Any, credit_holder: Any) -> None:
    receipt = local_carbon_pool.retire(TONNE, sender=credit_holder)

    log = next(log for log in receipt.logs if log["topics"][0] == TOUCAN_RETIRED_TOPIC)
    assert len(log["topics"]) == 1  # nothing indexed, as in Toucan's TCO2
    assert log["address"] == local_carbon_pool.address


def test_retire_zero_reverts(local_carbon_pool: Any, credit_holder: Any) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolZeroAmount):
        local_carbon_pool.retire(0, sender=credit_holder)


def test_retire_more_than_held_reverts(local_carbon_pool: Any, carbon_credits: Any, carbon_outsider: Any) -> None:
    with reverts_with(carbon_credits.ERC20InsufficientBalance, sender=carbon_outsider.address, balance=0, needed=TONNE):
        local_carbon_pool.retire(TONNE, sender=carbon_outsider)


def test_retire_and_mint_certificate(local_carbon_pool: Any, credit_holder: Any, offset_beneficiary: Any) -> None:
    receipt = local_carbon_pool.retireAndMintCertificate(
        "ImpactChain round 7",
        offset_beneficiary,
        "Clean Water Co-op",
        "Offsetting our 2026 servers",
        2 * TONNE,
        sender=credit_holder,
    )

    minted = [event for event in receipt.events if event.event_name == "CertificateMinted"]
    assert minted == [
        local_carbon_pool.CertificateMinted(
            certificateId=1,
            retirementEventId=1,
            owner=credit_holder,
            beneficiary=offset_beneficiary,
            retiringEntityString="ImpactChain round 7",
            beneficiaryString="Clean Water Co-op",
            retirementMessage="Offsetting our 2026 servers",
        )
    ]
    assert local_carbon_pool.ownerOf(1) == credit_holder.address
    assert local_carbon_pool.certificateRetirement(1) == 1
    assert local_carbon_pool.retirement(1).beneficiary == offset_beneficiary.address


def test_certificate_for_zero_beneficiary_reverts(local_carbon_pool: Any, credit_holder: Any) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolZeroAddress):
        local_carbon_pool.retireAndMintCertificate("x", NATIVE, "y", "z", TONNE, sender=credit_holder)


def test_unknown_retirement_and_certificate_revert(local_carbon_pool: Any) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolUnknownRetirement, retirementEventId=5):
        local_carbon_pool.retirement(5)
    with reverts_with(local_carbon_pool.ERC721NonexistentToken, tokenId=5):
        local_carbon_pool.certificateRetirement(5)


# ----- offset: payments buy and retire inventory -----


def test_native_offset_buys_credits_at_the_set_price(
    local_carbon_pool: Any, carbon_credits: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    # 3 MATIC at 2 MATIC per tonne buys 1.5 tonnes.
    receipt = local_carbon_pool.offset(offset_beneficiary, sender=offset_payer, value=3 * ONE_MATIC)

    amount = 3 * TONNE // 2
    assert receipt.events[:3] == [
        local_carbon_pool.Retired(sender=offset_payer, amount=amount, eventId=1),
        local_carbon_pool.RetirementRecorded(
            retirementEventId=1, retiringEntity=offset_payer, beneficiary=offset_beneficiary, amount=amount
        ),
        local_carbon_pool.CreditsPurchased(
            retirementEventId=1, payer=offset_payer, paymentToken=NATIVE, payment=3 * ONE_MATIC, amount=amount
        ),
    ]
    assert local_carbon_pool.availableCredits() == INVENTORY - amount
    assert carbon_credits.totalSupply() == INVENTORY + HOLDER_CREDITS - amount
    assert local_carbon_pool.balance == 3 * ONE_MATIC


def test_token_offset_pulls_the_payment(
    local_carbon_pool: Any, carbon_usdc: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    carbon_usdc.approve(local_carbon_pool, 45 * USDC, sender=offset_payer)

    receipt = local_carbon_pool.offsetWithToken(carbon_usdc, 45 * USDC, offset_beneficiary, sender=offset_payer)

    purchased = [event for event in receipt.events if event.event_name == "CreditsPurchased"]
    assert purchased[0].amount == 3 * TONNE
    assert carbon_usdc.balanceOf(local_carbon_pool) == 45 * USDC
    assert local_carbon_pool.quote(carbon_usdc, 45 * USDC) == 3 * TONNE


def test_offset_keeps_the_rounding_dust_in_the_treasury(
    local_carbon_pool: Any, carbon_usdc: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    # 1 USDC at 15 USDC per tonne = 0.0666… t → 66666666666666666 credits, the whole 1 USDC kept.
    carbon_usdc.approve(local_carbon_pool, USDC, sender=offset_payer)
    local_carbon_pool.offsetWithToken(carbon_usdc, USDC, offset_beneficiary, sender=offset_payer)

    assert local_carbon_pool.retirement(1).amount == USDC * TONNE // USDC_PER_TONNE == 66_666_666_666_666_666
    assert carbon_usdc.balanceOf(local_carbon_pool) == USDC


def test_offset_input_errors(
    local_carbon_pool: Any, carbon_usdc: Any, carbon_outsider: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolZeroAddress):
        local_carbon_pool.offset(NATIVE, sender=offset_payer, value=ONE_MATIC)
    with reverts_with(local_carbon_pool.CarbonPoolZeroAmount):
        local_carbon_pool.offset(offset_beneficiary, sender=offset_payer, value=0)
    with reverts_with(local_carbon_pool.CarbonPoolTokenNotAccepted, paymentToken=carbon_outsider.address):
        local_carbon_pool.offsetWithToken(carbon_outsider, 1, offset_beneficiary, sender=offset_payer)
    with reverts_with(local_carbon_pool.CarbonPoolTokenNotAccepted, paymentToken=NATIVE):
        local_carbon_pool.offsetWithToken(NATIVE, 1, offset_beneficiary, sender=offset_payer)
    with reverts_with(local_carbon_pool.CarbonPoolPaymentTooSmall, payment=1, pricePerTonne=MATIC_PER_TONNE):
        local_carbon_pool.offset(offset_beneficiary, sender=offset_payer, value=1)


def test_offset_beyond_inventory_reverts(local_carbon_pool: Any, offset_payer: Any, offset_beneficiary: Any) -> None:
    payment = (INVENTORY // TONNE + 1) * MATIC_PER_TONNE
    with reverts_with(
        local_carbon_pool.CarbonPoolInsufficientCredits, requested=INVENTORY + TONNE, available=INVENTORY
    ):
        local_carbon_pool.offset(offset_beneficiary, sender=offset_payer, value=payment)


def test_token_offset_without_allowance_reverts(
    local_carbon_pool: Any, carbon_usdc: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    with reverts_with(
        carbon_usdc.ERC20InsufficientAllowance, spender=local_carbon_pool.address, allowance=0, needed=15 * USDC
    ):
        local_carbon_pool.offsetWithToken(carbon_usdc, 15 * USDC, offset_beneficiary, sender=offset_payer)


def test_plain_native_transfer_reverts(local_carbon_pool: Any, offset_payer: Any) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolUseOffset):
        offset_payer.transfer(local_carbon_pool, ONE_MATIC)


# ----- admin -----


def test_set_price_emits_and_zero_stops_accepting(
    local_carbon_pool: Any, carbon_usdc: Any, carbon_admin: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    receipt = local_carbon_pool.setPrice(carbon_usdc, 0, sender=carbon_admin)

    assert receipt.events == [local_carbon_pool.PriceSet(paymentToken=carbon_usdc, pricePerTonne=0)]
    assert local_carbon_pool.priceOf(carbon_usdc) == 0
    assert local_carbon_pool.quote(carbon_usdc, 100 * USDC) == 0
    with reverts_with(local_carbon_pool.CarbonPoolTokenNotAccepted, paymentToken=carbon_usdc.address):
        local_carbon_pool.offsetWithToken(carbon_usdc, USDC, offset_beneficiary, sender=offset_payer)


def test_credits_cannot_be_a_payment_token(local_carbon_pool: Any, carbon_credits: Any, carbon_admin: Any) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolTokenNotAccepted, paymentToken=carbon_credits.address):
        local_carbon_pool.setPrice(carbon_credits, 1, sender=carbon_admin)


@pytest.mark.parametrize("call", ["setPrice", "withdrawTreasury"])
def test_admin_calls_by_outsider_revert(local_carbon_pool: Any, carbon_outsider: Any, call: str) -> None:
    args = (NATIVE, 1) if call == "setPrice" else (NATIVE, carbon_outsider, 1)
    with reverts_with(
        local_carbon_pool.AccessControlUnauthorizedAccount,
        account=carbon_outsider.address,
        neededRole=local_carbon_pool.DEFAULT_ADMIN_ROLE(),
    ):
        getattr(local_carbon_pool, call)(*args, sender=carbon_outsider)


def test_withdraw_treasury_in_native_and_token(
    local_carbon_pool: Any,
    carbon_usdc: Any,
    carbon_admin: Any,
    offset_payer: Any,
    offset_beneficiary: Any,
    carbon_outsider: Any,
) -> None:
    local_carbon_pool.offset(offset_beneficiary, sender=offset_payer, value=4 * ONE_MATIC)
    carbon_usdc.approve(local_carbon_pool, 30 * USDC, sender=offset_payer)
    local_carbon_pool.offsetWithToken(carbon_usdc, 30 * USDC, offset_beneficiary, sender=offset_payer)
    before = carbon_outsider.balance

    receipt = local_carbon_pool.withdrawTreasury(NATIVE, carbon_outsider, 4 * ONE_MATIC, sender=carbon_admin)
    local_carbon_pool.withdrawTreasury(carbon_usdc, carbon_outsider, 30 * USDC, sender=carbon_admin)

    assert receipt.events == [
        local_carbon_pool.TreasuryWithdrawn(paymentToken=NATIVE, to=carbon_outsider, amount=4 * ONE_MATIC)
    ]
    assert carbon_outsider.balance == before + 4 * ONE_MATIC
    assert carbon_usdc.balanceOf(carbon_outsider) == 30 * USDC


def test_withdraw_treasury_errors(
    local_carbon_pool: Any, carbon_usdc: Any, carbon_admin: Any, carbon_outsider: Any
) -> None:
    with reverts_with(local_carbon_pool.CarbonPoolZeroAddress):
        local_carbon_pool.withdrawTreasury(NATIVE, NATIVE, 1, sender=carbon_admin)
    with reverts_with(local_carbon_pool.CarbonPoolZeroAmount):
        local_carbon_pool.withdrawTreasury(NATIVE, carbon_outsider, 0, sender=carbon_admin)
    with reverts_with(local_carbon_pool.CarbonPoolInsufficientTreasury, requested=1, available=0):
        local_carbon_pool.withdrawTreasury(carbon_usdc, carbon_outsider, 1, sender=carbon_admin)


def test_supports_erc721_and_access_control_interfaces(local_carbon_pool: Any) -> None:
    assert local_carbon_pool.supportsInterface("0x80ac58cd")  # IERC721
    assert local_carbon_pool.supportsInterface("0x7965db0b")  # IAccessControl
    assert not local_carbon_pool.supportsInterface("0xffffffff")


def test_supports_the_carbon_interfaces(local_carbon_pool: Any) -> None:
    assert local_carbon_pool.supportsInterface(OFFSET_PAYMENTS)
    assert local_carbon_pool.supportsInterface(OFFSETTER)


def test_fee_on_transfer_payment_buys_credits_for_what_arrived(
    project: Any, local_carbon_pool: Any, carbon_admin: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    fee_token = carbon_admin.deploy(project.TestFeeOnTransferToken)
    fee_token.mint(offset_payer, 1_000 * ONE_MATIC, sender=carbon_admin)
    fee_token.approve(local_carbon_pool, 2**256 - 1, sender=offset_payer)
    local_carbon_pool.setPrice(fee_token, ONE_MATIC, sender=carbon_admin)

    receipt = local_carbon_pool.offsetWithToken(fee_token, 100 * ONE_MATIC, offset_beneficiary, sender=offset_payer)

    purchased = receipt.events.filter(local_carbon_pool.CreditsPurchased)[0]
    assert (purchased.payment, purchased.amount) == (99 * ONE_MATIC, 99 * TONNE)
    assert fee_token.balanceOf(local_carbon_pool) == 99 * ONE_MATIC


def test_admin_hand_over_is_grant_then_renounce(
    local_carbon_pool: Any, carbon_admin: Any, carbon_outsider: Any
) -> None:
    # Decision (NatSpec): no two-step transfer, the admin is the DAO timelock; a grant keeps the old admin.
    role = local_carbon_pool.DEFAULT_ADMIN_ROLE()
    local_carbon_pool.grantRole(role, carbon_outsider, sender=carbon_admin)
    assert local_carbon_pool.hasRole(role, carbon_admin) and local_carbon_pool.hasRole(role, carbon_outsider)
    local_carbon_pool.renounceRole(role, carbon_admin, sender=carbon_admin)
    assert not local_carbon_pool.hasRole(role, carbon_admin)
