"""ReputationBadge: soulbound ERC-5192 badges and a decaying reputation score."""

from decimal import Decimal, localcontext
from typing import Any

import ape
import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactchain import reputation
from tests.contracts.reverts import reverts_with

YEAR = 365 * 24 * 3600
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
VOLUNTEER, DONOR, FOUNDER, VERIFIER, GUARDIAN = range(5)
DONATION, VOTE, VOLUNTEERING = range(3)
MAX_POINTS = 2**96 - 1
ADMIN_ROLE = b"\x00" * 32


def role(name: str) -> bytes:
    return keccak(text=name)


# ----- construction and badge types -----


def test_constructor_registers_default_badge_types(badges: Any, owner: Any) -> None:
    assert badges.badgeTypeCount() == 5
    names = [badges.badgeTypeName(i) for i in range(5)]
    assert names == ["VOLUNTEER", "DONOR", "FOUNDER", "VERIFIER", "GUARDIAN"]
    assert [badges.VOLUNTEER(), badges.DONOR(), badges.FOUNDER(), badges.VERIFIER(), badges.GUARDIAN()] == list(
        range(5)
    )
    assert badges.hasRole(ADMIN_ROLE, owner)
    assert badges.name() == "ImpactChain Reputation"


def test_constructor_rejects_zero_admin(project: Any, owner: Any, badges: Any) -> None:
    with reverts_with(badges.ReputationBadgeZeroAddress):
        owner.deploy(project.ReputationBadge, ZERO_ADDRESS)


def test_admin_adds_badge_type(badges: Any, owner: Any) -> None:
    receipt = badges.addBadgeType("MENTOR", sender=owner)

    assert receipt.events == [badges.BadgeTypeAdded(5, "MENTOR")]
    assert badges.badgeTypeCount() == 6
    assert badges.badgeTypeName(5) == "MENTOR"


def test_add_badge_type_bad_input_and_access(badges: Any, owner: Any, issuer: Any) -> None:
    with reverts_with(badges.ReputationBadgeEmptyName):
        badges.addBadgeType("", sender=owner)
    with reverts_with(badges.AccessControlUnauthorizedAccount, account=issuer.address, neededRole=ADMIN_ROLE):
        badges.addBadgeType("MENTOR", sender=issuer)
    with reverts_with(badges.ReputationBadgeUnknownType, badgeType=5):
        badges.badgeTypeName(5)


# ----- issuing -----


def test_issue_mints_locked_badge(badges: Any, issuer: Any, donor: Any) -> None:
    receipt = badges.issue(donor, DONOR, sender=issuer)

    assert receipt.events == [
        badges.Transfer(ZERO_ADDRESS, donor, 1),
        badges.Locked(1),
        badges.BadgeIssued(donor, 1, DONOR),
    ]
    assert badges.ownerOf(1) == donor
    assert badges.locked(1)
    assert badges.hasBadge(donor, DONOR)
    assert not badges.hasBadge(donor, VERIFIER)
    assert badges.badgeOf(donor, DONOR) == 1
    assert badges.badgeType(1) == DONOR


def test_holder_can_have_one_badge_per_type(badges: Any, issuer: Any, donor: Any) -> None:
    badges.issue(donor, DONOR, sender=issuer)
    badges.issue(donor, VERIFIER, sender=issuer)
    assert badges.balanceOf(donor) == 2

    with reverts_with(badges.ReputationBadgeAlreadyHeld, holder=donor.address, badgeType=DONOR):
        badges.issue(donor, DONOR, sender=issuer)


def test_issue_bad_input_and_access(badges: Any, issuer: Any, donor: Any) -> None:
    with reverts_with(badges.ReputationBadgeZeroAddress):
        badges.issue(ZERO_ADDRESS, DONOR, sender=issuer)
    with reverts_with(badges.ReputationBadgeUnknownType, badgeType=5):
        badges.issue(donor, 5, sender=issuer)
    with reverts_with(badges.AccessControlUnauthorizedAccount, account=donor.address, neededRole=role("ISSUER_ROLE")):
        badges.issue(donor, DONOR, sender=donor)


def test_admin_added_type_can_be_issued(badges: Any, owner: Any, issuer: Any, donor: Any) -> None:
    badges.addBadgeType("MENTOR", sender=owner)
    badges.issue(donor, 5, sender=issuer)
    assert badges.hasBadge(donor, 5)


def test_supports_erc5192_erc721_and_access_control(badges: Any) -> None:
    assert badges.supportsInterface("0xb45a3c0e")
    assert badges.supportsInterface("0x80ac58cd")
    assert badges.supportsInterface("0x7965db0b")
    assert not badges.supportsInterface("0xffffffff")


def test_queries_on_missing_badge_revert(badges: Any) -> None:
    with reverts_with(badges.ERC721NonexistentToken, tokenId=9):
        badges.locked(9)
    with reverts_with(badges.ERC721NonexistentToken, tokenId=9):
        badges.badgeType(9)


# ----- soulbound -----


def test_transfers_revert(badges: Any, issuer: Any, donor: Any, stranger: Any) -> None:
    badges.issue(donor, DONOR, sender=issuer)

    with reverts_with(badges.ReputationBadgeSoulbound, tokenId=1):
        badges.transferFrom(donor, stranger, 1, sender=donor)
    with reverts_with(badges.ReputationBadgeSoulbound, tokenId=1):
        badges.safeTransferFrom(donor, stranger, 1, sender=donor)
    assert badges.ownerOf(1) == donor


def test_approvals_revert(badges: Any, issuer: Any, donor: Any, stranger: Any) -> None:
    badges.issue(donor, DONOR, sender=issuer)

    with reverts_with(badges.ReputationBadgeSoulbound, tokenId=1):
        badges.approve(stranger, 1, sender=donor)
    with reverts_with(badges.ReputationBadgeApprovalsDisabled):
        badges.setApprovalForAll(stranger, True, sender=donor)
    assert badges.getApproved(1) == ZERO_ADDRESS
    assert not badges.isApprovedForAll(donor, stranger)


# ----- revoke -----


def test_admin_revokes_badge_with_reason(badges: Any, owner: Any, issuer: Any, donor: Any) -> None:
    badges.issue(donor, DONOR, sender=issuer)

    receipt = badges.revoke(1, "sybil ring", sender=owner)

    assert receipt.events == [
        badges.Transfer(donor, ZERO_ADDRESS, 1),
        badges.BadgeRevoked(donor, 1, DONOR, "sybil ring"),
    ]
    assert not badges.hasBadge(donor, DONOR)
    assert badges.balanceOf(donor) == 0
    badges.issue(donor, DONOR, sender=issuer)  # a revoked type can be issued again later
    assert badges.badgeOf(donor, DONOR) == 2


def test_revoke_access_and_missing_badge(badges: Any, owner: Any, issuer: Any, donor: Any) -> None:
    badges.issue(donor, DONOR, sender=issuer)
    with reverts_with(badges.AccessControlUnauthorizedAccount, account=issuer.address, neededRole=ADMIN_ROLE):
        badges.revoke(1, "no", sender=issuer)
    with reverts_with(badges.ERC721NonexistentToken, tokenId=2):
        badges.revoke(2, "missing", sender=owner)


# ----- badge history -----


def test_badge_history_answers_at_past_blocks(chain: Any, badges: Any, owner: Any, issuer: Any, donor: Any) -> None:
    before = chain.blocks.head.number
    issued = badges.issue(donor, DONOR, sender=issuer)
    chain.mine(2)
    revoked = badges.revoke(issued.events[-1].tokenId, "abuse", sender=owner)
    chain.mine()

    assert not badges.hasBadgeAt(donor, DONOR, before)
    assert badges.hasBadgeAt(donor, DONOR, issued.block_number)  # held at the end of its block
    assert badges.hasBadgeAt(donor, DONOR, revoked.block_number - 1)
    assert not badges.hasBadgeAt(donor, DONOR, revoked.block_number)
    assert not badges.hasBadgeAt(donor, VERIFIER, issued.block_number)
    reissued = badges.issue(donor, DONOR, sender=issuer)
    chain.mine()
    assert badges.hasBadgeAt(donor, DONOR, reissued.block_number)
    assert not badges.hasBadgeAt(donor, DONOR, reissued.block_number - 1)


def test_badge_history_refuses_the_present_and_future(chain: Any, badges: Any, donor: Any) -> None:
    current = chain.blocks.head.number  # the block a call runs in
    for timepoint in (current, current + 1):
        with reverts_with(badges.ReputationBadgeFutureLookup, timepoint=timepoint, currentBlock=current):
            badges.hasBadgeAt(donor, DONOR, timepoint)
    assert not badges.hasBadgeAt(donor, DONOR, current - 1)


# ----- issuance limit -----


def test_issuers_are_rate_limited_per_period(
    chain: Any, accounts: Any, badges: Any, owner: Any, issuer: Any, donor: Any
) -> None:
    assert badges.issuanceLimit() == (50, 24 * 3600)
    limited = badges.setIssuanceLimit(2, 3600, sender=owner)
    assert limited.events == [badges.IssuanceLimitSet(2, 3600)]
    window = chain.pending_timestamp - chain.pending_timestamp % 3600 + 3600  # the next window
    chain.pending_timestamp = window + 10
    holders = [accounts.generate_test_account() for _ in range(3)]
    badges.issue(holders[0], DONOR, sender=issuer)
    badges.issue(holders[1], DONOR, sender=issuer)
    assert badges.issuedThisPeriod(issuer) == 2

    with reverts_with(
        badges.ReputationBadgeIssuanceLimitReached, issuer=issuer.address, limit=2, windowEnd=window + 3600
    ):
        badges.issue(holders[2], DONOR, sender=issuer)
    chain.pending_timestamp = window + 3600
    badges.issue(holders[2], VERIFIER, sender=issuer)  # a new window
    assert badges.issuedThisPeriod(issuer) == 1


def test_admin_issuers_are_not_limited(badges: Any, owner: Any, accounts: Any) -> None:
    """Decided: DEFAULT_ADMIN_ROLE holders (the timelock: an executed ADMIN proposal) issue
    without limit; they set the limit anyway."""
    badges.grantRole(role("ISSUER_ROLE"), owner, sender=owner)
    badges.setIssuanceLimit(0, 3600, sender=owner)
    badges.issue(accounts.generate_test_account(), DONOR, sender=owner)
    assert badges.issuedThisPeriod(owner) == 0


def test_issuance_limit_is_admin_only_and_needs_a_period(badges: Any, owner: Any, issuer: Any) -> None:
    with reverts_with(badges.AccessControlUnauthorizedAccount, account=issuer.address, neededRole=ADMIN_ROLE):
        badges.setIssuanceLimit(1000, 3600, sender=issuer)
    with reverts_with(badges.ReputationBadgeInvalidIssuancePeriod):
        badges.setIssuanceLimit(1, 0, sender=owner)


# ----- activity and score -----


def test_record_activity_adds_points_and_restarts_clock(
    chain: Any, badges: Any, activity_recorder: Any, donor: Any
) -> None:
    first = badges.recordActivity(donor, DONATION, 1000, sender=activity_recorder)
    chain.pending_timestamp += 2 * YEAR
    second = badges.recordActivity(donor, VOTE, 10, sender=activity_recorder)

    assert first.events == [badges.ActivityRecorded(donor, activity_recorder, DONATION, 1000, 1000)]
    assert second.events == [badges.ActivityRecorded(donor, activity_recorder, VOTE, 10, 1010)]
    # The clock restarts at the block of the event, which the event leaves to its block.
    assert second.timestamp == chain.blocks.head.timestamp > first.timestamp
    assert badges.reputationOf(donor) == (1010, second.timestamp)
    assert badges.scoreOf(donor) == 1010


def test_unknown_activity_kind_is_refused(badges: Any, activity_recorder: Any, donor: Any) -> None:
    with ape.reverts("Tried to convert a value into an enum, but the value was too big or negative."):
        badges.recordActivity(donor, VOLUNTEERING + 1, 10, sender=activity_recorder)
    assert badges.reputationOf(donor) == (0, 0)


def test_score_decays_five_percent_a_year(chain: Any, badges: Any, activity_recorder: Any, donor: Any) -> None:
    receipt = badges.recordActivity(donor, VOLUNTEERING, 10**6, sender=activity_recorder)
    start = receipt.timestamp

    assert badges.scoreAt(donor, start) == 10**6
    assert badges.scoreAt(donor, start + YEAR) == 950_000
    assert badges.scoreAt(donor, start + 2 * YEAR) == 902_500
    assert badges.scoreAt(donor, start + YEAR // 2) == 974_679  # 10^6 * sqrt(0.95) = 974679.43
    chain.mine(timestamp=start + 3 * YEAR)
    assert badges.scoreOf(donor) == 857_375


def test_decay_factor_fixed_points(badges: Any) -> None:
    scale = 10**36
    assert badges.SCALE() == scale
    assert badges.YEAR() == YEAR
    assert badges.decayFactor(0) == scale
    assert badges.decayFactor(YEAR) == 95 * 10**34
    assert badges.decayFactor(2 * YEAR) == 9025 * 10**32
    assert badges.decayFactor(2000 * YEAR) == 0  # 0.95^2000 < 1e-36
    assert badges.decayFactor(YEAR // 2) == reputation.decay_factor(YEAR // 2)


def test_score_of_inactive_account_is_zero(badges: Any, stranger: Any) -> None:
    assert badges.scoreOf(stranger) == 0
    assert badges.reputationOf(stranger) == (0, 0)


def test_record_activity_bad_input_and_access(badges: Any, activity_recorder: Any, donor: Any) -> None:
    with reverts_with(badges.ReputationBadgeZeroAddress):
        badges.recordActivity(ZERO_ADDRESS, DONATION, 1, sender=activity_recorder)
    needed = role("ACTIVITY_RECORDER_ROLE")
    with reverts_with(badges.AccessControlUnauthorizedAccount, account=donor.address, neededRole=needed):
        badges.recordActivity(donor, DONATION, 1, sender=donor)
    badges.recordActivity(donor, DONATION, MAX_POINTS, sender=activity_recorder)
    with reverts_with(badges.ReputationBadgePointsOverflow, account=donor.address, points=MAX_POINTS + 1):
        badges.recordActivity(donor, DONATION, 1, sender=activity_recorder)


def test_score_at_before_last_activity_reverts(badges: Any, activity_recorder: Any, donor: Any) -> None:
    receipt = badges.recordActivity(donor, DONATION, 5, sender=activity_recorder)
    with reverts_with(
        badges.ReputationBadgeTimeBeforeActivity, timestamp=receipt.timestamp - 1, lastActivity=receipt.timestamp
    ):
        badges.scoreAt(donor, receipt.timestamp - 1)


# ----- the Python mirror -----

points_strategy = st.integers(min_value=0, max_value=MAX_POINTS)
elapsed_strategy = st.one_of(
    st.integers(min_value=0, max_value=3 * YEAR),
    st.integers(min_value=0, max_value=2000 * YEAR),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=points_strategy, elapsed=elapsed_strategy)
def test_python_mirror_matches_chain(badges: Any, points: int, elapsed: int) -> None:
    on_chain = badges.decayedScore(points, elapsed)
    assert abs(on_chain - reputation.decayed_score(points, elapsed)) <= 1


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=points_strategy, last=st.integers(min_value=1, max_value=2**40), wait=elapsed_strategy)
def test_python_score_at_matches_chain_for_recorded_activity(
    chain: Any, badges: Any, activity_recorder: Any, donor: Any, points: int, last: int, wait: int
) -> None:
    # scoreAt uses the account's real stored points and clock.
    before, _ = badges.reputationOf(donor)
    points = min(points, MAX_POINTS - before)
    receipt = badges.recordActivity(donor, DONATION, points, sender=activity_recorder)
    stored, last_activity = badges.reputationOf(donor)
    assert last_activity == receipt.timestamp
    at = last_activity + wait
    assert abs(badges.scoreAt(donor, at) - reputation.score_at(stored, last_activity, at)) <= 1


@settings(max_examples=300, deadline=None)
@given(points=points_strategy, elapsed=elapsed_strategy)
def test_fixed_point_score_is_within_one_unit_of_exact_math(points: int, elapsed: int) -> None:
    with localcontext() as ctx:
        ctx.prec = 120
        exact = Decimal(points) * Decimal("0.95") ** (Decimal(elapsed) / Decimal(YEAR))
    assert abs(reputation.decayed_score(points, elapsed) - int(exact)) <= 1


def test_python_mirror_rejects_time_before_activity() -> None:
    with pytest.raises(ValueError, match="before the last activity"):
        reputation.score_at(10, 100, 99)
    with pytest.raises(ValueError, match="must not be negative"):
        reputation.decay_factor(-1)
