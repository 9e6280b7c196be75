"""ToucanOffsetAdapter: the payment interface on top of a Toucan-shaped TCO2 (TestTCO2, and a
faulty double), and TestTCO2's own Toucan calls."""

from typing import Any

import pytest

from tests.contracts.carbon.conftest import (
    ADAPTER_DELAY,
    ADAPTER_INVENTORY,
    MATIC_PER_TONNE,
    NATIVE,
    ONE_MATIC,
    TONNE,
    USDC,
)
from tests.contracts.carbon.interfaces import OFFSET_PAYMENTS, OFFSETTER
from tests.contracts.reverts import reverts_with

HONEST, REFUSE, BURN_HALF = 0, 1, 2


# ----- TestTCO2 is Toucan-shaped -----


def test_tco2_retire_burns_the_callers_credits_and_returns_toucans_event_id(
    local_carbon_pool: Any, carbon_credits: Any, credit_holder: Any, offset_beneficiary: Any
) -> None:
    # local_carbon_pool's fixture minted the holder's credits.
    receipt = carbon_credits.retire(TONNE, sender=credit_holder)
    assert receipt.events.filter(carbon_credits.Retired) == [
        carbon_credits.Retired(sender=credit_holder, amount=TONNE, eventId=1)
    ]
    certified = carbon_credits.retireAndMintCertificate(
        "Holder", offset_beneficiary, "Beneficiary", "offset", TONNE, sender=credit_holder
    )
    assert certified.events.filter(carbon_credits.CertificateRequested)[0].eventId == 2
    assert carbon_credits.lastRetirementEventId() == 2
    with reverts_with(carbon_credits.TestTCO2ZeroAmount):
        carbon_credits.retire(0, sender=credit_holder)


def test_a_tco2_is_not_a_payment_offsetter(carbon_credits: Any) -> None:
    assert carbon_credits.supportsInterface("0x01ffc9a7")  # ERC-165 itself (AccessControl)
    assert not carbon_credits.supportsInterface(OFFSET_PAYMENTS)


# ----- the deploy-time check -----


def test_adapter_and_pool_answer_erc165_for_the_payment_interface(offset_adapter: Any, local_carbon_pool: Any) -> None:
    assert offset_adapter.supportsInterface(OFFSET_PAYMENTS)
    assert local_carbon_pool.supportsInterface(OFFSET_PAYMENTS)
    assert local_carbon_pool.supportsInterface(OFFSETTER)
    assert not offset_adapter.supportsInterface("0xffffffff")


# ----- payments -----


def test_native_payment_retires_credits_on_the_tco2_and_returns_its_event_id(
    local_carbon_pool: Any,
    offset_adapter: Any,
    carbon_credits: Any,
    credit_holder: Any,
    offset_payer: Any,
    offset_beneficiary: Any,
) -> None:
    carbon_credits.retire(TONNE, sender=credit_holder)  # Toucan's event ids are the TCO2's: the next is 2
    supply = carbon_credits.totalSupply()

    receipt = offset_adapter.offset(offset_beneficiary, sender=offset_payer, value=3 * ONE_MATIC)

    amount = 3 * TONNE // 2
    assert receipt.events.filter(carbon_credits.Retired) == [
        carbon_credits.Retired(sender=offset_adapter, amount=amount, eventId=2)
    ]
    assert receipt.events.filter(offset_adapter.CreditsRetired) == [
        offset_adapter.CreditsRetired(
            retirementEventId=2,
            payer=offset_payer,
            beneficiary=offset_beneficiary,
            paymentToken=NATIVE,
            payment=3 * ONE_MATIC,
            amount=amount,
        )
    ]
    assert offset_adapter.availableCredits() == ADAPTER_INVENTORY - amount
    assert carbon_credits.totalSupply() == supply - amount
    assert offset_adapter.balance == 3 * ONE_MATIC


def test_token_payment_is_booked_at_what_arrived(
    project: Any, offset_adapter: Any, carbon_admin: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    fee_token = carbon_admin.deploy(project.TestFeeOnTransferToken)
    fee_token.mint(offset_payer, 1_000 * ONE_MATIC, sender=carbon_admin)
    fee_token.approve(offset_adapter, 2**256 - 1, sender=offset_payer)
    offset_adapter.setPrice(fee_token, ONE_MATIC, sender=carbon_admin)

    receipt = offset_adapter.offsetWithToken(fee_token, 100 * ONE_MATIC, offset_beneficiary, sender=offset_payer)

    event = receipt.events.filter(offset_adapter.CreditsRetired)[0]
    assert (event.payment, event.amount) == (99 * ONE_MATIC, 99 * TONNE)
    assert fee_token.balanceOf(offset_adapter) == 99 * ONE_MATIC


def test_token_payment_at_the_set_price(
    offset_adapter: Any, carbon_usdc: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    carbon_usdc.approve(offset_adapter, 45 * USDC, sender=offset_payer)

    receipt = offset_adapter.offsetWithToken(carbon_usdc, 45 * USDC, offset_beneficiary, sender=offset_payer)

    assert receipt.events.filter(offset_adapter.CreditsRetired)[0].amount == 3 * TONNE
    assert offset_adapter.quote(carbon_usdc, 45 * USDC) == 3 * TONNE
    assert carbon_usdc.balanceOf(offset_adapter) == 45 * USDC


def test_payments_it_cannot_cover_revert_with_a_clear_error(
    offset_adapter: Any, carbon_usdc: Any, carbon_outsider: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    too_much = (ADAPTER_INVENTORY // TONNE + 1) * MATIC_PER_TONNE
    with reverts_with(
        offset_adapter.ToucanOffsetAdapterInsufficientCredits,
        requested=ADAPTER_INVENTORY + TONNE,
        available=ADAPTER_INVENTORY,
    ):
        offset_adapter.offset(offset_beneficiary, sender=offset_payer, value=too_much)
    with reverts_with(offset_adapter.ToucanOffsetAdapterPaymentTooSmall, payment=1, pricePerTonne=MATIC_PER_TONNE):
        offset_adapter.offset(offset_beneficiary, sender=offset_payer, value=1)
    with reverts_with(offset_adapter.ToucanOffsetAdapterTokenNotAccepted, paymentToken=carbon_outsider.address):
        offset_adapter.offsetWithToken(carbon_outsider, 1, offset_beneficiary, sender=offset_payer)
    with reverts_with(offset_adapter.ToucanOffsetAdapterTokenNotAccepted, paymentToken=NATIVE):
        offset_adapter.offsetWithToken(NATIVE, 1, offset_beneficiary, sender=offset_payer)
    with reverts_with(offset_adapter.ToucanOffsetAdapterZeroAddress):
        offset_adapter.offset(NATIVE, sender=offset_payer, value=ONE_MATIC)
    with reverts_with(offset_adapter.ToucanOffsetAdapterZeroAmount):
        offset_adapter.offset(offset_beneficiary, sender=offset_payer, value=0)
    with reverts_with(offset_adapter.ToucanOffsetAdapterUseOffset):
        offset_payer.transfer(offset_adapter, ONE_MATIC)
    assert offset_adapter.availableCredits() == ADAPTER_INVENTORY


# ----- a faulty TCO2 double -----


@pytest.fixture
def faulty(project: Any, carbon_admin: Any) -> tuple[Any, Any]:
    tco2 = carbon_admin.deploy(project.MockFaultyTCO2)
    adapter = carbon_admin.deploy(project.ToucanOffsetAdapter, 0, carbon_admin, tco2)
    tco2.mint(adapter, 10 * TONNE, sender=carbon_admin)
    adapter.setPrice(NATIVE, ONE_MATIC, sender=carbon_admin)
    return tco2, adapter


def test_a_refusing_tco2_makes_the_payment_revert(
    faulty: tuple[Any, Any], carbon_admin: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    tco2, adapter = faulty
    tco2.setMode(REFUSE, sender=carbon_admin)

    with reverts_with(tco2.MockFaultyTCO2Refused):
        adapter.offset(offset_beneficiary, sender=offset_payer, value=ONE_MATIC)
    assert adapter.balance == 0


def test_a_tco2_burning_less_than_asked_makes_the_payment_revert(
    faulty: tuple[Any, Any], carbon_admin: Any, offset_payer: Any, offset_beneficiary: Any
) -> None:
    tco2, adapter = faulty
    tco2.setMode(BURN_HALF, sender=carbon_admin)

    with reverts_with(adapter.ToucanOffsetAdapterRetirementShort, expected=TONNE, burned=TONNE // 2):
        adapter.offset(offset_beneficiary, sender=offset_payer, value=ONE_MATIC)
    tco2.setMode(HONEST, sender=carbon_admin)
    receipt = adapter.offset(offset_beneficiary, sender=offset_payer, value=ONE_MATIC)
    assert receipt.events.filter(adapter.CreditsRetired)[0].amount == TONNE


# ----- admin -----


def test_admin_withdraws_proceeds_and_credits(
    offset_adapter: Any,
    carbon_credits: Any,
    carbon_admin: Any,
    carbon_outsider: Any,
    offset_payer: Any,
    offset_beneficiary: Any,
) -> None:
    offset_adapter.offset(offset_beneficiary, sender=offset_payer, value=2 * ONE_MATIC)
    before = carbon_outsider.balance

    receipt = offset_adapter.withdrawProceeds(NATIVE, carbon_outsider, 2 * ONE_MATIC, sender=carbon_admin)

    assert receipt.events == [
        offset_adapter.ProceedsWithdrawn(paymentToken=NATIVE, to=carbon_outsider, amount=2 * ONE_MATIC)
    ]
    assert carbon_outsider.balance == before + 2 * ONE_MATIC
    with reverts_with(offset_adapter.ToucanOffsetAdapterInsufficientProceeds, requested=1, available=0):
        offset_adapter.withdrawProceeds(NATIVE, carbon_outsider, 1, sender=carbon_admin)
    with reverts_with(offset_adapter.ToucanOffsetAdapterTokenNotAccepted, paymentToken=carbon_credits.address):
        offset_adapter.withdrawProceeds(carbon_credits, carbon_outsider, 1, sender=carbon_admin)
    offset_adapter.withdrawCredits(carbon_outsider, TONNE, sender=carbon_admin)
    assert carbon_credits.balanceOf(carbon_outsider) == TONNE
    with reverts_with(offset_adapter.ToucanOffsetAdapterTokenNotAccepted, paymentToken=carbon_credits.address):
        offset_adapter.setPrice(carbon_credits, 1, sender=carbon_admin)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("setPrice", (NATIVE, 1)),
        ("withdrawProceeds", (NATIVE, "0x0000000000000000000000000000000000000001", 1)),
        ("withdrawCredits", ("0x0000000000000000000000000000000000000001", 1)),
    ],
)
def test_admin_calls_by_outsider_revert(
    offset_adapter: Any, carbon_outsider: Any, call: str, args: tuple[Any, ...]
) -> None:
    role = offset_adapter.DEFAULT_ADMIN_ROLE()
    unauthorized = offset_adapter.AccessControlUnauthorizedAccount
    with reverts_with(unauthorized, account=carbon_outsider.address, neededRole=role):
        getattr(offset_adapter, call)(*args, sender=carbon_outsider)


def test_admin_hand_over_takes_two_steps_and_a_delay(
    chain: Any, offset_adapter: Any, carbon_admin: Any, carbon_outsider: Any
) -> None:
    role = offset_adapter.DEFAULT_ADMIN_ROLE()
    with reverts_with(offset_adapter.AccessControlEnforcedDefaultAdminRules):
        offset_adapter.grantRole(role, carbon_outsider, sender=carbon_admin)

    offset_adapter.beginDefaultAdminTransfer(carbon_outsider, sender=carbon_admin)
    pending, schedule = offset_adapter.pendingDefaultAdmin()
    assert pending == carbon_outsider.address
    with reverts_with(offset_adapter.AccessControlEnforcedDefaultAdminDelay, schedule=schedule):
        offset_adapter.acceptDefaultAdminTransfer(sender=carbon_outsider)
    assert offset_adapter.defaultAdmin() == carbon_admin.address
    chain.pending_timestamp = schedule + 1
    offset_adapter.acceptDefaultAdminTransfer(sender=carbon_outsider)

    assert offset_adapter.defaultAdmin() == carbon_outsider.address
    assert not offset_adapter.hasRole(role, carbon_admin)
    assert offset_adapter.defaultAdminDelay() == ADAPTER_DELAY


def test_constructor_rejects_zero_addresses(project: Any, carbon_admin: Any, carbon_credits: Any) -> None:
    with reverts_with(project.ToucanOffsetAdapter.AccessControlInvalidDefaultAdmin, defaultAdmin=NATIVE):
        carbon_admin.deploy(project.ToucanOffsetAdapter, 0, NATIVE, carbon_credits)
    with reverts_with(project.ToucanOffsetAdapter.ToucanOffsetAdapterZeroAddress):
        carbon_admin.deploy(project.ToucanOffsetAdapter, 0, carbon_admin, NATIVE)


def test_adapter_fits_eip170(project: Any) -> None:
    bytecode = project.ToucanOffsetAdapter.contract_type.runtime_bytecode.bytecode
    assert 0 < (len(bytecode) - 2) // 2 <= 24_576


def test_the_payment_interface_id_is_the_documented_one() -> None:
    assert OFFSET_PAYMENTS.hex() == "b8151573"  # quoted in ICarbonOffsetPayments for deploy scripts
