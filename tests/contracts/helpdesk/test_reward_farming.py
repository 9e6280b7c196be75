"""HelpDesk rewards only money that can no longer come back (issue 10, critical).

The attack this closes: open a request with a deadline moments away, donate, let it expire,
claim the refund, keep the governance tokens (votes) and reputation minted at donation — and
repeat with the same capital. Now a request runs at least the DAO's minimum duration, a
donation to a request earns nothing when made, and a closed request rewards each donor only
`contribution * approved / donated`: exactly the part that can never be refunded.
"""

from typing import Any

import pytest

from tests.contracts.reverts import reverts_with
from tests.contracts.tokens import USDC, deploy_usdc

ONE = 10**18
NATIVE = "0x0000000000000000000000000000000000000000"
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
USDC_RATE = 10**30  # 1 USDC (1e6 base units) = 1 MATIC-equivalent (1e18 token wei)


@pytest.fixture
def rewarded(help_desk: Any, token: Any, badges: Any, owner: Any) -> Any:
    """HelpDesk recording rewards with the token and badges, as the deploy script wires it."""
    token.grantRole(token.DONATION_RECORDER_ROLE(), help_desk, sender=owner)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), help_desk, sender=owner)
    help_desk.setRewards(token, badges, sender=owner)
    return help_desk


@pytest.fixture
def attacker(accounts: Any, owner: Any, token: Any) -> Any:
    """A fresh account with 100 MATIC that delegates its (future) votes to itself."""
    account = accounts.generate_test_account()
    owner.transfer(account, 100 * ONE)
    token.invoke_transaction("delegate", account, sender=account)
    return account


def open_request(chain: Any, help_desk: Any, requester: Any, seconds: int, currency: str = NATIVE) -> int:
    deadline = chain.pending_timestamp + seconds
    receipt = help_desk.openRequest(currency, 5 * ONE, "flood", "u4pruyd", CID, False, deadline, sender=requester)
    return int(receipt.events[0].requestId)


def expire(chain: Any, help_desk: Any, request_id: int) -> None:
    chain.pending_timestamp = help_desk.request(request_id).deadline + 1
    chain.mine()


def assert_no_reward(chain: Any, token: Any, badges: Any, account: Any) -> None:
    assert token.balanceOf(account) == 0
    assert token.getVotes(account) == 0
    chain.mine(2)
    snapshot = chain.blocks.head.number - 1  # a past block, after the whole attack
    assert token.getPastVotes(account, snapshot) == 0
    assert badges.reputationOf(account)[0] == 0


# ----- the attack -----


def test_open_donate_expire_refund_leaves_the_donor_no_tokens_votes_or_reputation(
    chain: Any, rewarded: Any, token: Any, badges: Any, attacker: Any
) -> None:
    shortest = rewarded.minRequestDuration()
    assert shortest == DAY
    for _ in range(3):  # the loop, with the same capital each time
        request_id = open_request(chain, rewarded, attacker, shortest)
        donated = rewarded.donate(request_id, sender=attacker, value=50 * ONE)
        assert not [event for event in donated.events if event.event_name != "Donated"]  # no mint, no points
        expire(chain, rewarded, request_id)

        assert rewarded.claimableReward(request_id, NATIVE, attacker) == (0, 0)
        with reverts_with(rewarded.HelpDeskRequesterNotRewarded, requestId=request_id, requester=attacker.address):
            rewarded.claimReward(request_id, NATIVE, sender=attacker)
        refund = rewarded.claimRefund(request_id, NATIVE, sender=attacker)
        assert refund.events == [rewarded.Refunded(request_id, attacker, NATIVE, 50 * ONE)]

    assert_no_reward(chain, token, badges, attacker)
    assert token.totalSupply() == 0


def test_a_request_expired_with_nothing_approved_rewards_another_donor_nothing(
    chain: Any, rewarded: Any, token: Any, badges: Any, attacker: Any, stranger: Any
) -> None:
    request_id = open_request(chain, rewarded, stranger, rewarded.minRequestDuration())
    rewarded.donate(request_id, sender=attacker, value=50 * ONE)
    expire(chain, rewarded, request_id)
    rewarded.claimRefund(request_id, NATIVE, sender=attacker)

    with reverts_with(rewarded.HelpDeskNothingToClaim, requestId=request_id, donor=attacker.address):
        rewarded.claimReward(request_id, NATIVE, sender=attacker)
    assert_no_reward(chain, token, badges, attacker)


def test_the_requester_earns_nothing_for_their_own_approved_donation(
    chain: Any, rewarded: Any, token: Any, badges: Any, owner: Any, attacker: Any
) -> None:
    request_id = open_request(chain, rewarded, attacker, 7 * DAY)
    rewarded.donate(request_id, sender=attacker, value=50 * ONE)
    rewarded.approveWithdrawal(request_id, NATIVE, 50 * ONE, sender=owner)
    rewarded.rejectRequest(request_id, sender=owner)
    rewarded.withdraw(request_id, NATIVE, 50 * ONE, sender=attacker)  # the approved money came back

    assert rewarded.claimableReward(request_id, NATIVE, attacker) == (0, 0)
    with reverts_with(rewarded.HelpDeskRequesterNotRewarded, requestId=request_id, requester=attacker.address):
        rewarded.claimReward(request_id, NATIVE, sender=attacker)
    assert_no_reward(chain, token, badges, attacker)


def test_a_rejected_request_with_nothing_approved_rewards_nothing(
    chain: Any, rewarded: Any, token: Any, badges: Any, owner: Any, attacker: Any, stranger: Any
) -> None:
    request_id = open_request(chain, rewarded, stranger, 7 * DAY)
    rewarded.donate(request_id, sender=attacker, value=50 * ONE)
    rewarded.rejectRequest(request_id, sender=owner)
    rewarded.claimRefund(request_id, NATIVE, sender=attacker)

    with reverts_with(rewarded.HelpDeskNothingToClaim, requestId=request_id, donor=attacker.address):
        rewarded.claimReward(request_id, NATIVE, sender=attacker)
    assert_no_reward(chain, token, badges, attacker)


@pytest.mark.parametrize("seconds", [1, 60, DAY - 60])
def test_short_deadlines_are_refused(chain: Any, help_desk: Any, stranger: Any, seconds: int) -> None:
    with reverts_with(help_desk.HelpDeskBadDeadline):
        open_request(chain, help_desk, stranger, seconds)


def test_the_dao_sets_the_minimum_duration_and_the_error_names_the_bounds(
    chain: Any, help_desk: Any, owner: Any, stranger: Any
) -> None:
    help_desk.setMinRequestDuration(3 * DAY, sender=owner)
    now = chain.pending_timestamp
    chain.pending_timestamp = now  # pin the refused call's block time
    with reverts_with(
        help_desk.HelpDeskBadDeadline, deadline=now + 2 * DAY, earliest=now + 3 * DAY, latest=now + 365 * DAY
    ):
        help_desk.openRequest(NATIVE, ONE, "x", "u4", CID, False, now + 2 * DAY, sender=stranger)
    request_id = open_request(chain, help_desk, stranger, 3 * DAY + 10)
    assert help_desk.isActive(request_id)


# ----- honest donors -----


def test_an_approved_donation_earns_exactly_its_approved_share(
    chain: Any, rewarded: Any, token: Any, badges: Any, owner: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, rewarded, stranger, 7 * DAY)
    rewarded.donate(request_id, sender=donor, value=30 * ONE)
    rewarded.donate(request_id, sender=other_donor, value=10 * ONE)
    rewarded.approveWithdrawal(request_id, NATIVE, 10 * ONE, sender=owner)  # a quarter is approved
    with reverts_with(rewarded.HelpDeskNothingToClaim, requestId=request_id, donor=donor.address):
        rewarded.claimReward(request_id, NATIVE, sender=donor)  # still open: approvals may grow
    rewarded.rejectRequest(request_id, sender=owner)

    points = rewarded.DONATION_POINTS()
    assert rewarded.claimableReward(request_id, NATIVE, donor) == (30 * ONE // 4, points)
    receipt = rewarded.claimReward(request_id, NATIVE, sender=donor)
    refund = rewarded.refundable(request_id, NATIVE, donor)

    assert receipt.events.filter(rewarded.RewardClaimed) == [
        rewarded.RewardClaimed(request_id, donor, NATIVE, 30 * ONE // 4, points)
    ]
    assert token.balanceOf(donor) == 30 * ONE // 4
    assert badges.reputationOf(donor)[0] == points
    assert refund == 30 * ONE * 3 // 4
    assert token.balanceOf(donor) + refund == 30 * ONE  # reward + refund = contribution
    assert rewarded.claimableReward(request_id, NATIVE, donor) == (0, 0)
    with reverts_with(rewarded.HelpDeskNothingToClaim, requestId=request_id, donor=donor.address):
        rewarded.claimReward(request_id, NATIVE, sender=donor)

    # The refund afterwards does not take the reward back, and the reward does not reopen.
    rewarded.claimRefund(request_id, NATIVE, sender=donor)
    rewarded.claimReward(request_id, NATIVE, sender=other_donor)
    assert token.balanceOf(other_donor) == 10 * ONE // 4
    assert token.totalSupply() == 10 * ONE  # exactly what was approved


def test_reward_shares_round_down_and_dust_earns_no_points(
    chain: Any, rewarded: Any, token: Any, badges: Any, owner: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, rewarded, stranger, 7 * DAY)
    rewarded.donate(request_id, sender=donor, value=ONE)
    rewarded.donate(request_id, sender=other_donor, value=5 * ONE)
    rewarded.approveWithdrawal(request_id, NATIVE, 2 * ONE + 1, sender=owner)
    expire(chain, rewarded, request_id)

    # 1e18 × (2e18 + 1) / 6e18 rounds down; reward + refund never exceed the contribution.
    reward, points = rewarded.claimableReward(request_id, NATIVE, donor)
    assert reward == ONE * (2 * ONE + 1) // (6 * ONE)
    assert reward + rewarded.refundable(request_id, NATIVE, donor) <= ONE
    assert points == 0  # about 0.33 MATIC rewarded: below the 1 MATIC minimum
    rewarded.claimReward(request_id, NATIVE, sender=donor)
    assert token.balanceOf(donor) == reward
    assert badges.reputationOf(donor)[0] == 0
    # About 1.67 MATIC rewarded reaches the minimum.
    assert rewarded.claimableReward(request_id, NATIVE, other_donor)[1] == rewarded.DONATION_POINTS()


def test_an_emergency_release_counts_as_approved(
    chain: Any, rewarded: Any, token: Any, owner: Any, donor: Any, stranger: Any, accounts: Any
) -> None:
    guardian = accounts[9]
    rewarded.grantRole(rewarded.GUARDIAN_ROLE(), guardian, sender=owner)
    rewarded.setEmergencyCap(NATIVE, 2 * ONE, sender=owner)
    deadline = chain.pending_timestamp + 3 * DAY
    opened = rewarded.openRequest(NATIVE, 5 * ONE, "flood", "u4", CID, True, deadline, sender=stranger)
    request_id = int(opened.events[0].requestId)
    rewarded.donate(request_id, sender=donor, value=4 * ONE)
    rewarded.flagEmergency(request_id, sender=owner)
    rewarded.emergencyRelease(request_id, NATIVE, 2 * ONE, sender=guardian)
    expire(chain, rewarded, request_id)

    rewarded.claimReward(request_id, NATIVE, sender=donor)
    assert token.balanceOf(donor) == 2 * ONE


# ----- failures are not lost -----


def test_a_failed_mint_stays_claimable_until_it_succeeds(
    chain: Any, project: Any, rewarded: Any, token: Any, badges: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    usdc = deploy_usdc(project, owner, [donor], 100 * USDC, spender=rewarded)
    rewarded.setCurrencyAllowed(usdc, True, sender=owner)
    rewarded.setReputationMinimum(usdc, USDC, sender=owner)
    request_id = open_request(chain, rewarded, stranger, 7 * DAY, currency=usdc.address)
    rewarded.donateToken(request_id, usdc, 10 * USDC, sender=donor)
    rewarded.approveWithdrawal(request_id, usdc, 4 * USDC, sender=owner)
    rewarded.rejectRequest(request_id, sender=owner)

    # The token prices no USDC yet: the mint fails, the points (for given money) are recorded.
    points = rewarded.DONATION_POINTS()
    first = rewarded.claimReward(request_id, usdc, sender=donor)
    failures = first.events.filter(rewarded.DonationRewardFailed)
    assert [(event.requestId, event.donor, event.currency) for event in failures] == [
        (request_id, donor.address, usdc.address)
    ]
    assert first.events.filter(rewarded.RewardClaimed) == [rewarded.RewardClaimed(request_id, donor, usdc, 0, points)]
    assert token.balanceOf(donor) == 0
    assert rewarded.claimableReward(request_id, usdc, donor) == (4 * USDC, 0)

    token.setDonationRate(usdc, USDC_RATE, sender=owner)
    second = rewarded.claimReward(request_id, usdc, sender=donor)
    assert second.events.filter(rewarded.RewardClaimed) == [
        rewarded.RewardClaimed(request_id, donor, usdc, 4 * USDC, 0)
    ]
    assert token.balanceOf(donor) == 4 * ONE
    assert badges.reputationOf(donor)[0] == points  # once
    assert rewarded.claimableReward(request_id, usdc, donor) == (0, 0)


def test_an_erc20_without_a_minimum_earns_no_points(
    chain: Any, project: Any, rewarded: Any, token: Any, badges: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    usdc = deploy_usdc(project, owner, [donor], 100 * USDC, spender=rewarded)
    rewarded.setCurrencyAllowed(usdc, True, sender=owner)
    token.setDonationRate(usdc, USDC_RATE, sender=owner)
    request_id = open_request(chain, rewarded, stranger, 7 * DAY, currency=usdc.address)
    rewarded.donateToken(request_id, usdc, 50 * USDC, sender=donor)
    rewarded.approveWithdrawal(request_id, usdc, 50 * USDC, sender=owner)
    rewarded.rejectRequest(request_id, sender=owner)

    assert rewarded.reputationMinimum(usdc) == 0
    assert rewarded.claimableReward(request_id, usdc, donor) == (50 * USDC, 0)
    rewarded.claimReward(request_id, usdc, sender=donor)
    assert token.balanceOf(donor) == 50 * ONE
    assert badges.reputationOf(donor)[0] == 0


def test_a_claim_without_rewards_configured_reverts_and_stays_claimable(
    chain: Any, help_desk: Any, token: Any, badges: Any, owner: Any, donor: Any, stranger: Any
) -> None:
    request_id = open_request(chain, help_desk, stranger, 7 * DAY)
    help_desk.donate(request_id, sender=donor, value=2 * ONE)
    help_desk.approveWithdrawal(request_id, NATIVE, 2 * ONE, sender=owner)
    help_desk.rejectRequest(request_id, sender=owner)
    with reverts_with(help_desk.HelpDeskRewardsOff):
        help_desk.claimReward(request_id, NATIVE, sender=donor)

    token.grantRole(token.DONATION_RECORDER_ROLE(), help_desk, sender=owner)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), help_desk, sender=owner)
    help_desk.setRewards(token, badges, sender=owner)
    help_desk.claimReward(request_id, NATIVE, sender=donor)
    assert token.balanceOf(donor) == 2 * ONE


def test_claims_stop_while_paused(chain: Any, rewarded: Any, owner: Any, donor: Any, stranger: Any) -> None:
    request_id = open_request(chain, rewarded, stranger, 7 * DAY)
    rewarded.donate(request_id, sender=donor, value=2 * ONE)
    rewarded.approveWithdrawal(request_id, NATIVE, ONE, sender=owner)
    rewarded.rejectRequest(request_id, sender=owner)
    rewarded.pause(sender=owner)
    with reverts_with(rewarded.EnforcedPause):
        rewarded.claimReward(request_id, NATIVE, sender=donor)
    rewarded.unpause(sender=owner)
    rewarded.claimReward(request_id, NATIVE, sender=donor)
