"""FundingRound rewards only released money (issue 10, critical), through the factory's relay;
the carbon share's escape; the oracle decision pinned.

The round variants of the farming attack: donate to a round that will fail and take everything
back after `finalize`; or, as a founder, donate to one's own round. Neither earns governance
tokens (votes) or reputation now: a donor claims `contribution * released / raised` as
milestones release, and the founder never does.
"""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.funding.round_params import BPS, CARBON_BPS, DAY, NATIVE, ONE, USDC_EQUIVALENT, RoundSpec
from tests.contracts.funding.round_states import (
    FAILED,
    NATIVE_RAISED,
    USDC_RAISED,
    approve,
    pass_deadline,
    submit,
)
from tests.contracts.reverts import reverts_with


@pytest.fixture
def attacker(accounts: Any, owner: Any, rewards_token: Any) -> Any:
    """A fresh account with 100 MATIC that delegates its (future) votes to itself."""
    account = accounts.generate_test_account()
    owner.transfer(account, 100 * ONE)
    rewards_token.invoke_transaction("delegate", account, sender=account)
    return account


def assert_no_reward(chain: Any, token: Any, badges: Any, account: Any) -> None:
    assert token.balanceOf(account) == 0
    assert token.getVotes(account) == 0
    chain.mine(2)
    assert token.getPastVotes(account, chain.blocks.head.number - 1) == 0
    assert badges.reputationOf(account)[0] == 0


# ----- the attacks -----


def test_donating_to_a_failing_round_and_refunding_earns_nothing(
    chain: Any,
    make_round: Callable[..., Any],
    founder: Any,
    rewards_token: Any,
    rewards_badges: Any,
    attacker: Any,
    stranger: Any,
) -> None:
    round_ = make_round(RoundSpec(founder=founder.address, goal=100 * ONE))
    donated = round_.donate(sender=attacker, value=50 * ONE)
    assert donated.events == [round_.Donated(attacker, NATIVE, 50 * ONE, 50 * ONE, 50 * ONE)]  # no mint
    pass_deadline(chain, round_)
    round_.finalize(sender=stranger)
    assert round_.status() == FAILED

    assert round_.claimableReward(attacker, NATIVE) == (0, 0)
    with reverts_with(round_.FundingRoundNothingToClaim, donor=attacker.address, currency=NATIVE):
        round_.claimReward(NATIVE, sender=attacker)
    refund = round_.claimRefund(NATIVE, sender=attacker)
    assert refund.events == [round_.Refunded(attacker, NATIVE, 50 * ONE)]
    assert_no_reward(chain, rewards_token, rewards_badges, attacker)


def test_a_founder_donating_to_their_own_succeeded_round_gets_nothing(
    chain: Any,
    make_round: Callable[..., Any],
    rewards_token: Any,
    rewards_badges: Any,
    oracle: Any,
    attacker: Any,
    stranger: Any,
) -> None:
    founder = attacker
    round_ = make_round(RoundSpec(founder=founder.address))
    round_.donate(sender=founder, value=10 * ONE)  # the whole goal
    pass_deadline(chain, round_)
    round_.finalize(sender=stranger)
    for milestone_id in range(3):
        approve(round_, founder, oracle, milestone_id)  # everything released, to the founder

    assert round_.claimableReward(founder, NATIVE) == (0, 0)
    with reverts_with(round_.FundingRoundFounderNotRewarded, founder=founder.address):
        round_.claimReward(NATIVE, sender=founder)
    assert_no_reward(chain, rewards_token, rewards_badges, founder)


# ----- honest donors -----


def test_rewards_follow_the_releases_incrementally_with_points_once(
    succeeded: Any, rewards_token: Any, rewards_badges: Any, founder: Any, oracle: Any, donor: Any
) -> None:
    points = succeeded.DONATION_POINTS()
    contribution = 4 * ONE  # of NATIVE_RAISED = 6 MATIC
    approve(succeeded, founder, oracle, 0)  # 30% released
    first = contribution * (NATIVE_RAISED * 3_000 // BPS) // NATIVE_RAISED
    assert succeeded.claimableReward(donor, NATIVE) == (first, points)
    receipt = succeeded.claimReward(NATIVE, sender=donor)
    assert receipt.events.filter(succeeded.RewardClaimed) == [succeeded.RewardClaimed(donor, NATIVE, first, points)]
    assert rewards_token.balanceOf(donor) == first
    with reverts_with(succeeded.FundingRoundNothingToClaim, donor=donor.address, currency=NATIVE):
        succeeded.claimReward(NATIVE, sender=donor)

    approve(succeeded, founder, oracle, 1)  # 60% released
    total = contribution * (NATIVE_RAISED * 6_000 // BPS) // NATIVE_RAISED
    assert succeeded.claimableReward(donor, NATIVE) == (total - first, 0)  # points only once
    second = succeeded.claimReward(NATIVE, sender=donor)
    assert second.events.filter(succeeded.RewardClaimed) == [succeeded.RewardClaimed(donor, NATIVE, total - first, 0)]
    assert rewards_token.balanceOf(donor) == succeeded.rewardedOf(donor, NATIVE) == total
    assert rewards_badges.reputationOf(donor)[0] == points
    assert succeeded.pointsRecorded(donor)


def test_a_partly_released_round_rewards_the_released_part_and_refunds_the_rest(
    chain: Any,
    succeeded: Any,
    usdc: Any,
    rewards_token: Any,
    founder: Any,
    oracle: Any,
    dao_account: Any,
    other_donor: Any,
) -> None:
    approve(succeeded, founder, oracle, 0)  # 30% released
    submit(succeeded, founder, 1)
    succeeded.cancel(sender=dao_account)  # the rest is never released

    def claimed(currency: Any) -> int:
        receipt = succeeded.claimReward(currency, sender=other_donor)
        return int(receipt.events.filter(succeeded.RewardClaimed)[0].amount)

    def refunded(currency: Any) -> int:
        return int(succeeded.claimRefund(currency, sender=other_donor).events.filter(succeeded.Refunded)[0].amount)

    native_reward, usdc_reward = claimed(NATIVE), claimed(usdc)
    native_refund, usdc_refund = refunded(NATIVE), refunded(usdc)

    assert native_reward == 2 * ONE * 3_000 // BPS
    assert usdc_reward == USDC_RAISED * 3_000 // BPS
    assert native_reward + native_refund == 2 * ONE  # reward + refund = contribution
    assert usdc_reward + usdc_refund == USDC_RAISED
    assert rewards_token.balanceOf(other_donor) == native_reward + usdc_reward * USDC_EQUIVALENT


def test_dust_earns_no_points_and_an_erc20_needs_a_minimum(
    chain: Any,
    make_round: Callable[..., Any],
    factory: Any,
    usdc: Any,
    rewards_token: Any,
    rewards_badges: Any,
    founder: Any,
    oracle: Any,
    dao_account: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> None:
    round_ = make_round(RoundSpec(founder=founder.address, tokens=(usdc.address,)))
    round_.donate(sender=donor, value=ONE // 2)
    round_.donate(sender=stranger, value=ONE // 2)
    round_.donateToken(usdc, 5 * 10**6, sender=other_donor)  # 10 MATIC-equivalent: the goal
    pass_deadline(chain, round_)
    round_.finalize(sender=stranger)
    for milestone_id in range(3):
        approve(round_, founder, oracle, milestone_id)

    assert round_.claimableReward(donor, NATIVE) == (ONE // 2, 0)  # below 1 MATIC
    assert round_.claimableReward(other_donor, usdc) == (5 * 10**6, 0)  # USDC has no minimum
    factory.setReputationMinimum(usdc, 10**6, sender=dao_account)
    assert round_.claimableReward(other_donor, usdc) == (5 * 10**6, round_.DONATION_POINTS())
    round_.claimReward(NATIVE, sender=donor)
    round_.claimReward(usdc, sender=other_donor)
    assert rewards_badges.reputationOf(donor)[0] == 0
    assert rewards_badges.reputationOf(other_donor)[0] == round_.DONATION_POINTS()
    assert rewards_token.balanceOf(donor) == ONE // 2


def test_a_failed_mint_stays_claimable_until_the_relay_can_mint(
    succeeded: Any, factory: Any, rewards_token: Any, owner: Any, founder: Any, oracle: Any, donor: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    rewards_token.revokeRole(rewards_token.DONATION_RECORDER_ROLE(), factory, sender=owner)
    due, points = succeeded.claimableReward(donor, NATIVE)

    receipt = succeeded.claimReward(NATIVE, sender=donor)
    failures = receipt.events.filter(succeeded.DonationRewardFailed)
    assert [(event.donor, event.currency) for event in failures] == [(donor.address, NATIVE)]
    assert receipt.events.filter(succeeded.RewardClaimed) == [succeeded.RewardClaimed(donor, NATIVE, 0, points)]
    assert succeeded.claimableReward(donor, NATIVE) == (due, 0)

    rewards_token.grantRole(rewards_token.DONATION_RECORDER_ROLE(), factory, sender=owner)
    succeeded.claimReward(NATIVE, sender=donor)
    assert rewards_token.balanceOf(donor) == due
    assert succeeded.claimableReward(donor, NATIVE) == (0, 0)


# ----- carbon: a DAO-set offsetter and an escape after repeated failures -----


def test_carbon_goes_to_the_factorys_current_offsetter(
    project: Any,
    succeeded: Any,
    factory: Any,
    carbon_pool: Any,
    owner: Any,
    founder: Any,
    oracle: Any,
    dao_account: Any,
) -> None:
    approve(succeeded, founder, oracle, 0)
    replacement = owner.deploy(project.CarbonPool, owner, carbon_pool.credits())
    credits = project.TestTCO2.at(carbon_pool.credits())
    credits.grantRole(credits.RETIRER_ROLE(), replacement, sender=owner)
    credits.mint(replacement, 10**6 * ONE, sender=owner)
    replacement.setPrice(NATIVE, ONE // 100, sender=owner)
    factory.setCarbonOffsetter(replacement, sender=dao_account)
    assert succeeded.platform().carbonOffsetter == replacement

    owed = succeeded.ledger(NATIVE).carbonOwed
    receipt = succeeded.offsetCarbon(NATIVE, sender=owner)
    assert [event.amount for event in receipt.events.filter(succeeded.CarbonOffset)] == [owed]
    assert replacement.balance == owed


def test_a_stuck_carbon_share_goes_to_the_dao_after_three_failures_a_day_apart(
    chain: Any, succeeded: Any, carbon_pool: Any, owner: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    assert (succeeded.CARBON_MAX_FAILURES(), succeeded.CARBON_RETRY_SPACING()) == (3, DAY)
    approve(succeeded, founder, oracle, 0)
    owed = succeeded.ledger(NATIVE).carbonOwed
    assert owed == NATIVE_RAISED * 3_000 // BPS * CARBON_BPS // BPS
    carbon_pool.setPrice(NATIVE, 0, sender=owner)  # the offsetter refuses native payments

    counts = []
    for wait in (0, DAY // 2, DAY // 2, DAY):  # the second try is within a day: not counted
        chain.pending_timestamp += wait
        receipt = succeeded.offsetCarbon(NATIVE, sender=stranger)
        counts.append(receipt.events.filter(succeeded.CarbonOffsetFailed)[0].failures)
        if counts[-1] < 3:
            with reverts_with(succeeded.FundingRoundCarbonNotStuck, currency=NATIVE, failures=counts[-1], needed=3):
                succeeded.sendStuckCarbonToDao(NATIVE, sender=stranger)
    assert counts == [1, 1, 2, 3]

    before = dao_account.balance
    refundable_before = succeeded.ledger(NATIVE).released
    receipt = succeeded.sendStuckCarbonToDao(NATIVE, sender=stranger)
    assert receipt.events == [succeeded.StuckCarbonSentToDao(NATIVE, owed, dao_account)]
    assert dao_account.balance == before + owed
    assert succeeded.ledger(NATIVE).carbonOwed == 0
    assert succeeded.ledger(NATIVE).released == refundable_before  # donors' refund shares unchanged
    with reverts_with(succeeded.FundingRoundCarbonNotStuck, currency=NATIVE, failures=0, needed=3):
        succeeded.sendStuckCarbonToDao(NATIVE, sender=stranger)


def test_an_offsetter_without_the_payment_function_counts_as_a_failure(
    succeeded: Any, factory: Any, usdc: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    factory.setCarbonOffsetter(usdc, sender=dao_account)  # a contract, but no offset function
    owed = succeeded.ledger(usdc).carbonOwed
    receipt = succeeded.offsetCarbon(usdc, sender=stranger)
    assert receipt.events.filter(succeeded.CarbonOffsetFailed)[0].failures == 1
    assert succeeded.ledger(usdc).carbonOwed == owed
    assert usdc.allowance(succeeded, usdc) == 0  # the approval was withdrawn


# ----- decisions recorded in NatSpec -----


def test_one_oracle_key_releases_at_once_and_the_dao_can_only_stop_what_follows(
    succeeded: Any, factory: Any, founder: Any, oracle: Any, dao_account: Any, owner: Any
) -> None:
    """Pinned: no challenge window. The oracle's approval pays at once; revoking the key stops
    later approvals, not the one made."""
    approve(succeeded, founder, oracle, 0)
    assert succeeded.withdraw(NATIVE, sender=founder).events[0].amount > 0
    factory.revokeRole(factory.ORACLE_ROLE(), oracle, sender=owner)
    submit(succeeded, founder, 1)
    with reverts_with(succeeded.FundingRoundNotDecider, caller=oracle):
        succeeded.approveMilestone(1, succeeded.milestone(1).evidenceHash, sender=oracle)
