"""HelpDesk help requests: opening, ERC-20 escrow, emergencies, rejection and expiry refunds,
donor rewards (governance tokens and reputation) and the emergency pause."""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.reverts import reverts_with
from tests.contracts.tokens import USDC, deploy_usdc

ONE = 10**18
NATIVE = "0x0000000000000000000000000000000000000000"
GENERAL_FUND = 0
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


@pytest.fixture(scope="module")
def usdc(project: Any, owner: Any, help_desk: Any, donor: Any, other_donor: Any) -> Any:
    usdc = deploy_usdc(project, owner, [donor, other_donor], 1_000 * USDC, spender=help_desk)
    help_desk.setCurrencyAllowed(usdc, True, sender=owner)
    return usdc


def open_request(
    chain: Any, help_desk: Any, requester: Any, *, currency: str = NATIVE, critical: bool = False, days: int = 7
) -> int:
    deadline = chain.pending_timestamp + days * DAY
    receipt = help_desk.openRequest(currency, 5 * ONE, "shelter", "u4pruyd", CID, critical, deadline, sender=requester)
    return int(receipt.events[0].requestId)


# ----- opening -----


def test_open_request_emits_everything_an_indexer_needs(chain: Any, help_desk: Any, stranger: Any) -> None:
    deadline = chain.pending_timestamp + 3 * DAY
    receipt = help_desk.openRequest(NATIVE, 7 * ONE, "medical", "9q8yy", CID, True, deadline, sender=stranger)

    request_id = help_desk.requestCount() - 1
    assert receipt.events == [
        help_desk.HelpRequestOpened(request_id, stranger, NATIVE, 7 * ONE, "medical", "9q8yy", CID, True, deadline)
    ]
    stored = help_desk.request(request_id)
    assert (stored.requester, stored.deadline, stored.critical, stored.goalAmount) == (
        stranger.address,
        deadline,
        True,
        7 * ONE,
    )
    assert help_desk.isActive(request_id)


def test_general_fund_exists_from_deployment(help_desk: Any, treasury: Any) -> None:
    fund = help_desk.request(GENERAL_FUND)
    assert fund.requester == treasury.address
    assert fund.deadline == 0
    assert help_desk.isActive(GENERAL_FUND)


def test_open_request_validates_its_input(chain: Any, help_desk: Any, stranger: Any) -> None:
    now = chain.pending_timestamp
    latest = now + 365 * DAY
    soon = now + 2 * DAY
    with reverts_with(help_desk.HelpDeskUnsupportedCurrency, currency=stranger.address):
        help_desk.openRequest(stranger, ONE, "x", "u4", CID, False, soon, sender=stranger)
    with reverts_with(help_desk.HelpDeskZeroAmount):
        help_desk.openRequest(NATIVE, 0, "x", "u4", CID, False, soon, sender=stranger)
    with reverts_with(help_desk.HelpDeskBadDeadline):
        help_desk.openRequest(NATIVE, ONE, "x", "u4", CID, False, now - 1, sender=stranger)
    with reverts_with(help_desk.HelpDeskBadDeadline):
        help_desk.openRequest(NATIVE, ONE, "x", "u4", CID, False, latest + DAY, sender=stranger)
    with reverts_with(help_desk.HelpDeskBadGeohash, geohash=""):
        help_desk.openRequest(NATIVE, ONE, "x", "", CID, False, soon, sender=stranger)
    with reverts_with(help_desk.HelpDeskBadGeohash, geohash="u4pruydqqvjk7"):
        help_desk.openRequest(NATIVE, ONE, "x", "u4pruydqqvjk7", CID, False, soon, sender=stranger)
    with reverts_with(help_desk.HelpDeskEmptyEvidence):
        help_desk.openRequest(NATIVE, ONE, "x", "u4", "", False, soon, sender=stranger)


# ----- ERC-20 escrow -----


def test_usdc_is_escrowed_separately_from_native(
    chain: Any, help_desk: Any, usdc: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger, currency=usdc.address)
    receipt = help_desk.donateToken(request_id, usdc, 250 * USDC, sender=donor)
    help_desk.donate(request_id, sender=donor, value=ONE)

    assert help_desk.Donated(request_id, donor, usdc, 250 * USDC, 250 * USDC) in receipt.events
    assert help_desk.ledger(request_id, usdc).donated == 250 * USDC
    assert help_desk.ledger(request_id, NATIVE).donated == ONE
    help_desk.approveWithdrawal(request_id, usdc, 100 * USDC, sender=owner)
    help_desk.withdraw(request_id, usdc, 100 * USDC, sender=stranger)
    assert usdc.balanceOf(stranger) == 100 * USDC
    assert usdc.balanceOf(help_desk) == 150 * USDC
    with reverts_with(help_desk.HelpDeskExceedsApproved, requested=1, withdrawable=0):
        help_desk.withdraw(request_id, NATIVE, 1, sender=stranger)


def test_token_donations_need_an_allowlisted_token(
    chain: Any, project: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    other = owner.deploy(project.TestMintableToken, "Other", "OTH", 18)
    other.mint(donor, ONE, sender=owner)
    other.approve(help_desk, ONE, sender=donor)
    request_id = open_request(chain, help_desk, stranger)
    with reverts_with(help_desk.HelpDeskUnsupportedCurrency, currency=other.address):
        help_desk.donateToken(request_id, other, ONE, sender=donor)
    with reverts_with(help_desk.HelpDeskUnsupportedCurrency, currency=NATIVE):
        help_desk.donateToken(request_id, NATIVE, ONE, sender=donor)


def test_fee_on_transfer_tokens_count_what_arrived(
    chain: Any, project: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    fee_token = owner.deploy(project.TestFeeOnTransferToken)
    help_desk.setCurrencyAllowed(fee_token, True, sender=owner)
    fee_token.mint(donor, 1_000, sender=owner)
    fee_token.approve(help_desk, 1_000, sender=donor)
    request_id = open_request(chain, help_desk, stranger)

    help_desk.donateToken(request_id, fee_token, 1_000, sender=donor)

    assert help_desk.ledger(request_id, fee_token).donated == 990
    assert help_desk.contributionOf(request_id, fee_token, donor) == 990
    assert fee_token.balanceOf(help_desk) == 990


# ----- emergencies -----


def test_emergency_release_needs_a_flag_a_critical_request_and_stays_under_the_cap(
    chain: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any, accounts: Any
) -> None:
    guardian_council = accounts[9]
    help_desk.grantRole(help_desk.GUARDIAN_ROLE(), guardian_council, sender=owner)
    help_desk.setEmergencyCap(NATIVE, 2 * ONE, sender=owner)
    ordinary = open_request(chain, help_desk, stranger)
    critical = open_request(chain, help_desk, stranger, critical=True)
    help_desk.donate(critical, sender=donor, value=5 * ONE)

    with reverts_with(help_desk.HelpDeskNotCritical, requestId=ordinary):
        help_desk.flagEmergency(ordinary, sender=owner)
    with reverts_with(help_desk.HelpDeskNotEmergency, requestId=critical):
        help_desk.emergencyRelease(critical, NATIVE, ONE, sender=guardian_council)
    flagged = help_desk.flagEmergency(critical, sender=owner)
    assert flagged.events == [help_desk.EmergencyFlagged(critical, owner)]
    with reverts_with(
        help_desk.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=keccak(text="GUARDIAN_ROLE")
    ):
        help_desk.emergencyRelease(critical, NATIVE, ONE, sender=stranger)

    released = help_desk.emergencyRelease(critical, NATIVE, 3 * ONE // 2, sender=guardian_council)
    assert released.events == [help_desk.EmergencyReleased(critical, NATIVE, 3 * ONE // 2, 3 * ONE // 2, 2 * ONE)]
    with reverts_with(help_desk.HelpDeskEmergencyCapExceeded, requested=ONE, remaining=ONE // 2):
        help_desk.emergencyRelease(critical, NATIVE, ONE, sender=guardian_council)
    help_desk.withdraw(critical, NATIVE, 3 * ONE // 2, sender=stranger)
    assert help_desk.ledger(critical, NATIVE).approved == 3 * ONE // 2


# ----- rejection, expiry and refunds -----


def test_rejected_request_refunds_each_donor_their_unapproved_share_once(
    chain: Any, help_desk: Any, owner: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=3 * ONE)
    help_desk.donate(request_id, sender=other_donor, value=ONE)
    help_desk.approveWithdrawal(request_id, NATIVE, 2 * ONE, sender=owner)  # half of 4 is committed
    with reverts_with(help_desk.HelpDeskNothingToRefund, requestId=request_id, donor=donor.address):
        help_desk.claimRefund(request_id, NATIVE, sender=donor)

    rejected = help_desk.rejectRequest(request_id, sender=owner)
    assert rejected.events == [help_desk.HelpRequestRejected(request_id, owner)]
    assert help_desk.refundable(request_id, NATIVE, donor) == 3 * ONE // 2
    receipt = help_desk.claimRefund(request_id, NATIVE, sender=donor)
    help_desk.claimRefund(request_id, NATIVE, sender=other_donor)

    assert receipt.events == [help_desk.Refunded(request_id, donor, NATIVE, 3 * ONE // 2)]
    with reverts_with(help_desk.HelpDeskNothingToRefund, requestId=request_id, donor=donor.address):
        help_desk.claimRefund(request_id, NATIVE, sender=donor)
    money = help_desk.ledger(request_id, NATIVE)
    assert (money.donated, money.approved, money.refunded) == (4 * ONE, 2 * ONE, 2 * ONE)
    # The requester still withdraws what was approved before the rejection.
    help_desk.withdraw(request_id, NATIVE, 2 * ONE, sender=stranger)
    with reverts_with(help_desk.HelpDeskRequestNotOpen, requestId=request_id):
        help_desk.donate(request_id, sender=donor, value=ONE)
    with reverts_with(help_desk.HelpDeskRequestNotOpen, requestId=request_id):
        help_desk.approveWithdrawal(request_id, NATIVE, 1, sender=owner)


def test_refund_shares_round_down_and_never_exceed_the_unapproved_rest(
    chain: Any, help_desk: Any, owner: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=1)
    help_desk.donate(request_id, sender=other_donor, value=2)
    help_desk.approveWithdrawal(request_id, NATIVE, 1, sender=owner)
    help_desk.rejectRequest(request_id, sender=owner)
    # 1 × 2 / 3 = 0 and 2 × 2 / 3 = 1: one wei of dust stays rather than overpaying anyone.
    assert help_desk.refundable(request_id, NATIVE, donor) == 0
    assert help_desk.refundable(request_id, NATIVE, other_donor) == 1


def test_expired_request_refunds_without_a_rejection(
    chain: Any, help_desk: Any, usdc: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger, days=1)
    help_desk.donateToken(request_id, usdc, 40 * USDC, sender=donor)
    before = usdc.balanceOf(donor)
    chain.pending_timestamp += 2 * DAY

    assert not help_desk.isActive(request_id)
    help_desk.claimRefund(request_id, usdc, sender=donor)
    assert usdc.balanceOf(donor) == before + 40 * USDC
    with reverts_with(help_desk.HelpDeskRequestNotOpen, requestId=request_id):
        help_desk.donateToken(request_id, usdc, USDC, sender=donor)


def test_general_fund_cannot_be_rejected_and_rejection_is_the_approvers(
    chain: Any, help_desk: Any, owner: Any, stranger: Any
) -> None:
    with reverts_with(help_desk.HelpDeskGeneralFundIsPermanent):
        help_desk.rejectRequest(GENERAL_FUND, sender=owner)
    request_id = open_request(chain, help_desk, stranger)
    with reverts_with(
        help_desk.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=keccak(text="APPROVER_ROLE")
    ):
        help_desk.rejectRequest(request_id, sender=stranger)


# ----- rewards -----


@pytest.fixture
def rewarded_help_desk(help_desk: Any, token: Any, badges: Any, owner: Any) -> Any:
    token.grantRole(token.DONATION_RECORDER_ROLE(), help_desk, sender=owner)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), help_desk, sender=owner)
    help_desk.setRewards(token, badges, sender=owner)
    return help_desk


def test_general_fund_donations_mint_governance_tokens_and_record_reputation(
    rewarded_help_desk: Any, token: Any, badges: Any, donor: Any
) -> None:
    rewarded_help_desk.donate(GENERAL_FUND, sender=donor, value=2 * ONE)

    assert token.balanceOf(donor) == 2 * ONE  # one token per MATIC
    assert token.donatedBy(donor) == 2 * ONE
    points, _ = badges.reputationOf(donor)
    assert points == rewarded_help_desk.DONATION_POINTS()
    assert rewarded_help_desk.claimableReward(GENERAL_FUND, NATIVE, donor) == (0, 0)  # rewarded already


def test_general_fund_dust_mints_but_earns_no_reputation(
    rewarded_help_desk: Any, token: Any, badges: Any, donor: Any
) -> None:
    minimum = rewarded_help_desk.reputationMinimum(NATIVE)
    assert minimum == ONE  # 1 MATIC by default
    for _ in range(3):
        rewarded_help_desk.donate(GENERAL_FUND, sender=donor, value=minimum - 1)

    assert token.balanceOf(donor) == 3 * (minimum - 1)
    assert badges.reputationOf(donor)[0] == 0


def test_a_failing_reward_never_turns_a_donor_away(rewarded_help_desk: Any, usdc: Any, token: Any, donor: Any) -> None:
    # No MATIC rate is set for USDC, so the token refuses to mint; the donation still lands.
    receipt = rewarded_help_desk.donateToken(GENERAL_FUND, usdc, 10 * USDC, sender=donor)

    failures = [event for event in receipt.events if event.event_name == "DonationRewardFailed"]
    assert len(failures) == 1
    assert failures[0].currency == usdc.address
    assert rewarded_help_desk.ledger(GENERAL_FUND, usdc).donated == 10 * USDC
    assert token.balanceOf(donor) == 0


# ----- pause -----


def test_pause_stops_money_moving_until_unpaused(
    chain: Any, help_desk: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger)
    help_desk.donate(request_id, sender=donor, value=ONE)
    help_desk.approveWithdrawal(request_id, NATIVE, ONE, sender=owner)
    with reverts_with(
        help_desk.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=keccak(text="PAUSER_ROLE")
    ):
        help_desk.pause(sender=stranger)
    help_desk.pause(sender=owner)

    with reverts_with(help_desk.EnforcedPause):
        help_desk.donate(request_id, sender=donor, value=ONE)
    with reverts_with(help_desk.EnforcedPause):
        help_desk.withdraw(request_id, NATIVE, ONE, sender=stranger)
    with reverts_with(help_desk.EnforcedPause):
        open_request(chain, help_desk, stranger)
    help_desk.unpause(sender=owner)
    help_desk.withdraw(request_id, NATIVE, ONE, sender=stranger)
    assert help_desk.ledger(request_id, NATIVE).withdrawn == ONE


# ----- administration -----


def test_constructor_refuses_zero_addresses(project: Any, owner: Any, treasury: Any) -> None:
    with reverts_with(project.HelpDesk.HelpDeskZeroAddress):
        owner.deploy(project.HelpDesk, NATIVE, treasury)
    with reverts_with(project.HelpDesk.HelpDeskZeroAddress):
        owner.deploy(project.HelpDesk, owner, NATIVE)


def test_settings_are_the_admins_and_are_emitted(
    help_desk: Any, token: Any, badges: Any, owner: Any, stranger: Any
) -> None:
    admin = bytes(32)
    for call in (
        lambda sender: help_desk.setCurrencyAllowed(stranger, True, sender=sender),
        lambda sender: help_desk.setEmergencyCap(NATIVE, ONE, sender=sender),
        lambda sender: help_desk.setRewards(token, badges, sender=sender),
        lambda sender: help_desk.setMinRequestDuration(DAY, sender=sender),
        lambda sender: help_desk.setReputationMinimum(NATIVE, ONE, sender=sender),
    ):
        with reverts_with(help_desk.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=admin):
            call(stranger)

    allowed = help_desk.setCurrencyAllowed(stranger, True, sender=owner)
    capped = help_desk.setEmergencyCap(NATIVE, ONE, sender=owner)
    rewarded = help_desk.setRewards(token, badges, sender=owner)
    duration = help_desk.setMinRequestDuration(2 * DAY, sender=owner)
    minimum = help_desk.setReputationMinimum(stranger, 5, sender=owner)

    assert allowed.events == [help_desk.CurrencyAllowed(stranger, True)]
    assert capped.events == [help_desk.EmergencyCapSet(NATIVE, ONE)]
    assert rewarded.events == [help_desk.RewardsConfigured(token, badges)]
    assert help_desk.isCurrencyAllowed(stranger)
    assert help_desk.emergencyCap(NATIVE) == ONE
    assert help_desk.rewards() == (token.address, badges.address)
    assert duration.events == [help_desk.MinRequestDurationSet(2 * DAY)]
    assert minimum.events == [help_desk.ReputationMinimumSet(stranger, 5)]
    assert help_desk.minRequestDuration() == 2 * DAY
    assert help_desk.reputationMinimum(stranger) == 5
    with reverts_with(help_desk.HelpDeskBadMinDuration, duration=365 * DAY + 1, max=365 * DAY):
        help_desk.setMinRequestDuration(365 * DAY + 1, sender=owner)
