"""A founder's round end to end through the real DAO: a FOUNDER_IDEA proposal creates the round
(nothing else: the factory, which holds the reward roles, relays its rounds' rewards) → donations
in MATIC and USDC → evidence → oracle approval, DAO approval (streamed), oracle rejection →
donors claim rewards for what was released → founder withdrawal, stream, carbon offset → settle
and refunds of the rejected share → a quadratic-matching claim."""

from typing import Any

import pytest
from eth_utils import keccak

from impactchain.matching import ClaimScope, Contribution, build_claim_tree, quadratic_matches
from tests.contracts.conftest import GUARDIAN_THRESHOLD, TIMELOCK_DELAY
from tests.contracts.funding.conftest import platform
from tests.contracts.funding.round_params import (
    BPS,
    CARBON_BPS,
    DAY,
    EVIDENCE_HASH,
    NATIVE,
    ONE,
    USDC_EQUIVALENT,
    USDC_RATE,
    MilestoneSpec,
    RoundSpec,
    round_params,
    salt,
)
from tests.contracts.funding.round_states import (
    APPROVED,
    REJECTED,
    SETTLED,
    SUCCEEDED,
    pass_deadline,
    submit,
)
from tests.contracts.governance.lifecycle import ADMIN, EXECUTED, FOUNDER_IDEA, allow_calls, enact, propose, selector
from tests.contracts.reverts import reverts_with
from tests.contracts.tokens import USDC

MATCHING_POOL = 3 * ONE


@pytest.fixture
def governed_factory(
    chain: Any,
    project: Any,
    owner: Any,
    timelock: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
    other_donor: Any,
    dao_token: Any,
    dao_badges: Any,
    streams: Any,
    carbon_pool: Any,
    oracle: Any,
) -> Any:
    """Wired as in production: rounds are created by the timelock; the factory holds the reward
    roles on the token and badges; the timelock administers the oracle role and the badges."""
    factory = owner.deploy(
        project.FundingRoundFactory, owner, platform(timelock, dao_token, dao_badges, streams, carbon_pool)
    )
    factory.grantRole(factory.ORACLE_ROLE(), oracle, sender=owner)
    dao_token.grantRole(dao_token.DONATION_RECORDER_ROLE(), factory, sender=owner)
    dao_badges.grantRole(dao_badges.ACTIVITY_RECORDER_ROLE(), factory, sender=owner)
    for contract in (factory, dao_badges):
        contract.grantRole(contract.DEFAULT_ADMIN_ROLE(), timelock, sender=owner)
        contract.renounceRole(contract.DEFAULT_ADMIN_ROLE(), owner, sender=owner)
    # The production policy's FOUNDER_IDEA entries: create rounds, decide on the factory's rounds.
    any_round = project.CallPolicy.at(dao.callPolicy()).ANY_ROUND()
    entries = [(FOUNDER_IDEA, factory, selector(factory.createRound), False)] + [
        (FOUNDER_IDEA, any_round, keccak(text=signature)[:4], False)
        for signature in ("approveMilestone(uint256,bytes32)", "rejectMilestone(uint256,string)", "cancel()")
    ]
    allow_calls(chain, project, dao, council, guardians, [donor, other_donor], entries, round_factory=factory)
    return factory


def _create_round_by_proposal(
    chain: Any,
    project: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    factory: Any,
    dao_token: Any,
    dao_badges: Any,
    usdc: Any,
    founder: Any,
    proposer: Any,
    voters: list[Any],
) -> tuple[Any, tuple[Any, ...]]:
    spec = RoundSpec(
        founder=founder.address,
        tokens=(usdc.address,),
        milestones=(
            MilestoneSpec(5_000, 30),
            MilestoneSpec(3_000, 60, stream_duration=30 * DAY),
            MilestoneSpec(2_000, 90),
        ),
    )
    params = round_params(spec, chain.pending_timestamp)
    predicted = factory.predictRoundAddress(salt(42))
    # Pricing USDC is a token setting, not part of the idea: an ADMIN proposal the guardians co-sign.
    rate = (dao_token, 0, dao_token.setDonationRate.encode_input(usdc, USDC_RATE))
    pricing = propose(dao, proposer, [rate], "Price USDC at 2 MATIC", ADMIN)
    enact(chain, dao, pricing, voters, TIMELOCK_DELAY, council, tuple(guardians[:GUARDIAN_THRESHOLD]))
    actions = [(factory, 0, factory.createRound.encode_input(salt(42), params))]
    proposal = propose(dao, proposer, actions, "Idea #42: solar pumps for Turkana", FOUNDER_IDEA)
    receipt = enact(chain, dao, proposal, voters, TIMELOCK_DELAY)
    assert dao.state(proposal.id) == EXECUTED
    created = receipt.events.filter(factory.RoundCreated)
    assert [(event.round, event.founder, event.salt) for event in created] == [(predicted, founder, salt(42))]
    return project.FundingRound.at(predicted), params


def test_round_lifecycle_through_the_dao(
    chain: Any,
    project: Any,
    owner: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    timelock: Any,
    governed_factory: Any,
    dao_token: Any,
    dao_badges: Any,
    usdc: Any,
    streams: Any,
    carbon_pool: Any,
    founder: Any,
    oracle: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> None:
    factory = governed_factory
    voters = [donor, other_donor]
    params = round_params(RoundSpec(founder=founder.address), chain.pending_timestamp)
    with reverts_with(factory.FundingRoundFactoryOnlyTimelock, caller=stranger):
        factory.createRound(salt(42), params, sender=stranger)

    # 1. A FOUNDER_IDEA proposal creates the round at its predicted address; nothing else.
    round_, _ = _create_round_by_proposal(
        chain, project, dao, council, guardians, factory, dao_token, dao_badges, usdc, founder, stranger, voters
    )
    assert factory.roundCount() == 1 and factory.isRound(round_)
    assert round_.platform().dao == timelock

    # 2. Donations in MATIC and USDC; nothing is rewarded while the money may come back.
    tokens_before = dao_token.balanceOf(donor), dao_token.balanceOf(other_donor)
    usdc.approve(round_, 2 * USDC, sender=other_donor)
    receipts = [
        round_.donate(sender=donor, value=4 * ONE),
        round_.donate(sender=other_donor, value=2 * ONE),
        round_.donateToken(usdc, 2 * USDC, sender=other_donor),
    ]
    assert (dao_token.balanceOf(donor), dao_token.balanceOf(other_donor)) == tokens_before
    assert round_.raisedEquivalent() == 10 * ONE

    # 3. A keeper finalizes after the deadline: the goal was met.
    pass_deadline(chain, round_)
    round_.finalize(sender=stranger)
    assert round_.status() == SUCCEEDED

    # 4. Milestone 0: evidence, oracle approval, founder pulls the lump sum.
    submit(round_, founder, 0)
    round_.approveMilestone(0, EVIDENCE_HASH, sender=oracle)
    half = 6 * ONE * 5_000 // BPS
    carbon = half * CARBON_BPS // BPS
    before = founder.balance
    withdrawal = round_.withdraw(NATIVE, sender=founder)
    assert founder.balance == before + half - carbon - withdrawal.total_fees_paid
    round_.withdraw(usdc, sender=founder)
    assert usdc.balanceOf(founder) == USDC - USDC * CARBON_BPS // BPS

    # 5. Milestone 1: approved by a DAO proposal, paid as a stream.
    submit(round_, founder, 1)
    approval = round_.approveMilestone.encode_input(1, EVIDENCE_HASH)
    proposal = propose(dao, stranger, [(round_, 0, approval)], "Idea #42: milestone 1 done", FOUNDER_IDEA)
    receipt = enact(chain, dao, proposal, voters, TIMELOCK_DELAY)
    assert round_.MilestoneApproved(1, timelock, 8_000) in receipt.events
    round_.openStream(NATIVE, sender=stranger)
    stream = streams.getStream(round_.streamIdOf(NATIVE))
    streamed = 6 * ONE * 8_000 // BPS - half
    assert (stream.recipient, stream.deposit) == (founder.address, streamed - streamed * CARBON_BPS // BPS)

    # 6. Milestone 2: rejected by the oracle; it can never be paid.
    submit(round_, founder, 2)
    round_.rejectMilestone(2, "bafy-kpi-missed", sender=oracle)
    with reverts_with(round_.FundingRoundMilestoneNotOpen, milestoneId=2, status=REJECTED):
        submit(round_, founder, 2)
    with reverts_with(round_.FundingRoundMilestoneNotSubmitted, milestoneId=2, status=REJECTED):
        round_.approveMilestone(2, EVIDENCE_HASH, sender=oracle)
    assert [round_.milestone(i).status for i in range(3)] == [APPROVED, APPROVED, REJECTED]

    # Donors claim rewards for the released 80%, through the factory's relay.
    round_.claimReward(NATIVE, sender=donor)
    round_.claimReward(NATIVE, sender=other_donor)
    round_.claimReward(usdc, sender=other_donor)
    assert dao_token.balanceOf(donor) - tokens_before[0] == 4 * ONE * 8_000 // BPS
    usdc_reward = 2 * USDC * 8_000 // BPS * USDC_EQUIVALENT
    assert dao_token.balanceOf(other_donor) - tokens_before[1] == 2 * ONE * 8_000 // BPS + usdc_reward
    assert dao_badges.reputationOf(donor)[0] == round_.DONATION_POINTS()

    # 7. Carbon is offset, the round settles, donors take back the rejected 20%.
    round_.offsetCarbon(NATIVE, sender=stranger)
    round_.offsetCarbon(usdc, sender=stranger)
    assert carbon_pool.retirement(carbon_pool.lastRetirementEventId()).beneficiary == founder
    round_.settle(sender=stranger)
    assert round_.status() == SETTLED
    refund = round_.claimRefund(NATIVE, sender=donor).events[0].amount
    assert refund == 4 * ONE * (6 * ONE - 6 * ONE * 8_000 // BPS) // (6 * ONE)
    round_.claimRefund(usdc, sender=other_donor)
    round_.claimRefund(NATIVE, sender=other_donor)
    round_.openStream(usdc, sender=stranger)
    assert round_.balance == 0 and usdc.balanceOf(round_) == 0

    # 8. Quadratic matching on the round's native donations, claimed by the founder.
    pool = owner.deploy(project.MatchingPool, owner)
    matching_round = pool.openRound(NATIVE, sender=owner).events[0].roundId
    pool.fund(matching_round, MATCHING_POOL, sender=owner, value=MATCHING_POOL)
    donations = [event for receipt in receipts for event in receipt.events.filter(round_.Donated)]
    contributions = [
        Contribution(contributor=event.donor, project=founder.address, amount=int(event.amount))
        for event in donations
        if event.currency == NATIVE
    ]
    allocation = quadratic_matches(contributions, MATCHING_POOL)
    tree = build_claim_tree(allocation.matches, ClaimScope(chain.chain_id, pool.address, matching_round))
    pool.commitRoot(matching_round, tree.root, tree.total, chain.pending_timestamp + DAY, bytes(32), "", sender=owner)
    claim = tree.claim_of(founder.address)
    before = founder.balance
    pool.claim(matching_round, claim.index, claim.account, claim.amount, tree.proofs[claim.index], sender=stranger)
    assert founder.balance == before + claim.amount == before + MATCHING_POOL  # saturated: the whole pool
