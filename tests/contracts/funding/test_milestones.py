"""FundingRound settlement and milestones: finalize, evidence, approval by the oracle or the DAO,
exact releases in every currency, the carbon share, founder withdrawals, streamed milestones —
and a rejected milestone that can never be paid."""

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.funding.round_params import (
    BPS,
    CARBON_BPS,
    DAY,
    DECISION_WINDOW,
    EVIDENCE_CID,
    EVIDENCE_HASH,
    NATIVE,
    ONE,
    MilestoneSpec,
    RoundSpec,
)
from tests.contracts.funding.round_states import (
    APPROVED,
    FAILED,
    FUNDING,
    NATIVE_RAISED,
    PENDING,
    REJECTED,
    SUBMITTED,
    SUCCEEDED,
    USDC_RAISED,
    approve,
    fund_to_goal,
    pass_deadline,
    submit,
    succeed,
)
from tests.contracts.reverts import error_selector, reverts_with


def _split(raised: int, share_bps: int) -> tuple[int, int]:
    amount = raised * share_bps // BPS
    carbon = amount * CARBON_BPS // BPS
    return amount, carbon


# ----- finalize -----


def test_finalize_waits_for_the_deadline_then_decides_once(
    chain: Any, funding_round: Any, usdc: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    fund_to_goal(funding_round, usdc, donor, other_donor)
    with reverts_with(funding_round.FundingRoundStillOpen, deadline=funding_round.deadline()):
        funding_round.finalize(sender=stranger)
    pass_deadline(chain, funding_round)

    receipt = funding_round.finalize(sender=stranger)

    assert receipt.events == [funding_round.RoundFinalized(SUCCEEDED, 10 * ONE, 10 * ONE)]
    assert funding_round.status() == SUCCEEDED
    again = funding_round.finalize(sender=stranger)
    assert again.events == []
    assert funding_round.status() == SUCCEEDED


def test_round_below_its_goal_fails(chain: Any, funding_round: Any, donor: Any, stranger: Any) -> None:
    funding_round.donate(sender=donor, value=10 * ONE - 1)
    pass_deadline(chain, funding_round)
    receipt = funding_round.finalize(sender=stranger)
    assert receipt.events == [funding_round.RoundFinalized(FAILED, 10 * ONE - 1, 10 * ONE)]
    assert funding_round.finalize(sender=stranger).events == []
    assert funding_round.status() == FAILED


# ----- evidence -----


def test_evidence_needs_the_founder_a_succeeded_round_and_a_known_open_milestone(
    chain: Any, funding_round: Any, usdc: Any, founder: Any, donor: Any, other_donor: Any
) -> None:
    with reverts_with(funding_round.FundingRoundNotSucceeded, status=FUNDING):
        submit(funding_round, founder, 0)
    fund_to_goal(funding_round, usdc, donor, other_donor)
    pass_deadline(chain, funding_round)
    with reverts_with(funding_round.FundingRoundNotFounder, caller=donor):
        submit(funding_round, donor, 0)

    receipt = submit(funding_round, founder, 0)  # finalizes on the way

    assert receipt.events.filter(funding_round.EvidenceSubmitted) == [
        funding_round.EvidenceSubmitted(0, founder, EVIDENCE_CID)
    ]
    assert funding_round.status() == SUCCEEDED
    assert funding_round.milestone(0).status == SUBMITTED
    assert funding_round.milestone(0).evidenceHash == keccak(text=EVIDENCE_CID)
    funding_round.submitEvidence(0, "bafy-replaced", sender=founder)
    assert funding_round.milestone(0).evidenceHash == keccak(text="bafy-replaced")
    with reverts_with(funding_round.FundingRoundUnknownMilestone, milestoneId=3):
        submit(funding_round, founder, 3)
    with reverts_with(funding_round.FundingRoundEmptyCid):
        funding_round.submitEvidence(1, "", sender=founder)


def test_evidence_after_the_milestone_deadline_is_refused(chain: Any, succeeded: Any, founder: Any) -> None:
    deadline = succeeded.milestone(0).deadline
    chain.pending_timestamp = deadline + 1
    with reverts_with(succeeded.FundingRoundEvidenceTooLate, milestoneId=0, deadline=deadline):
        submit(succeeded, founder, 0)


def test_failed_round_takes_no_evidence(chain: Any, funding_round: Any, founder: Any, donor: Any) -> None:
    funding_round.donate(sender=donor, value=ONE)
    pass_deadline(chain, funding_round)
    with reverts_with(funding_round.FundingRoundNotSucceeded, status=FAILED):
        submit(funding_round, founder, 0)


# ----- approval and release -----


def test_oracle_approval_releases_the_share_in_every_currency(
    succeeded: Any, usdc: Any, founder: Any, oracle: Any
) -> None:
    receipt = approve(succeeded, founder, oracle, 0)

    native, native_carbon = _split(NATIVE_RAISED, 3_000)
    tokens, token_carbon = _split(USDC_RAISED, 3_000)
    assert receipt.events.filter(succeeded.MilestoneApproved) == [succeeded.MilestoneApproved(0, oracle, 3_000)]
    assert receipt.events.filter(succeeded.MilestoneReleased) == [
        succeeded.MilestoneReleased(0, NATIVE, native, native_carbon, False),
        succeeded.MilestoneReleased(0, usdc, tokens, token_carbon, False),
    ]
    ledger = succeeded.ledger(NATIVE)
    assert (ledger.released, ledger.founderOwed, ledger.carbonOwed) == (native, native - native_carbon, native_carbon)
    assert succeeded.ledger(usdc).founderOwed == tokens - token_carbon
    assert succeeded.milestone(0).status == APPROVED
    assert succeeded.approvedBps() == 3_000


def test_dao_approves_too_and_nobody_else(succeeded: Any, founder: Any, dao_account: Any, stranger: Any) -> None:
    submit(succeeded, founder, 0)
    for caller in (stranger, founder):
        with reverts_with(succeeded.FundingRoundNotDecider, caller=caller):
            succeeded.approveMilestone(0, EVIDENCE_HASH, sender=caller)
        with reverts_with(succeeded.FundingRoundNotDecider, caller=caller):
            succeeded.rejectMilestone(0, "", sender=caller)
    succeeded.approveMilestone(0, EVIDENCE_HASH, sender=dao_account)
    assert succeeded.milestone(0).status == APPROVED


def test_approval_needs_evidence_and_a_succeeded_round(
    funding_round: Any, succeeded: Any, oracle: Any, dao_account: Any
) -> None:
    with reverts_with(succeeded.FundingRoundMilestoneNotSubmitted, milestoneId=1, status=PENDING):
        succeeded.approveMilestone(1, EVIDENCE_HASH, sender=oracle)
    with reverts_with(succeeded.FundingRoundUnknownMilestone, milestoneId=9):
        succeeded.approveMilestone(9, EVIDENCE_HASH, sender=oracle)


def test_approval_before_success_is_refused(funding_round: Any, oracle: Any) -> None:
    with reverts_with(funding_round.FundingRoundNotSucceeded, status=FUNDING):
        funding_round.approveMilestone(0, EVIDENCE_HASH, sender=oracle)


def test_all_milestones_release_every_last_unit(
    chain: Any, make_round: Callable[..., Any], founder: Any, usdc: Any, donor: Any, other_donor: Any, oracle: Any
) -> None:
    spec = RoundSpec(
        founder=founder.address,
        tokens=(usdc.address,),
        goal=1,
        milestones=(MilestoneSpec(3_333, 10), MilestoneSpec(3_333, 20), MilestoneSpec(3_334, 30)),
    )
    round_ = make_round(spec)
    round_.donate(sender=donor, value=10**18 + 7)
    round_.donateToken(usdc, 1_000_001, sender=other_donor)
    pass_deadline(chain, round_)
    for milestone_id in (2, 0, 1):  # order does not matter
        approve(round_, founder, oracle, milestone_id)
    for currency, raised in ((NATIVE, 10**18 + 7), (usdc.address, 1_000_001)):
        ledger = round_.ledger(currency)
        assert ledger.released == raised
        assert ledger.founderOwed + ledger.carbonOwed == raised


def test_decisions_close_after_the_decision_window(chain: Any, succeeded: Any, founder: Any, oracle: Any) -> None:
    submit(succeeded, founder, 0)
    closed_at = succeeded.milestone(0).deadline + DECISION_WINDOW
    chain.pending_timestamp = closed_at + 1
    with reverts_with(succeeded.FundingRoundDecisionTooLate, milestoneId=0, closedAt=closed_at):
        succeeded.approveMilestone(0, EVIDENCE_HASH, sender=oracle)
    with reverts_with(succeeded.FundingRoundDecisionTooLate, milestoneId=0, closedAt=closed_at):
        succeeded.rejectMilestone(0, "", sender=oracle)


# ----- a rejected milestone is never paid -----


def test_rejected_milestone_can_never_be_paid(
    succeeded: Any, usdc: Any, founder: Any, oracle: Any, dao_account: Any
) -> None:
    submit(succeeded, founder, 0)
    receipt = succeeded.rejectMilestone(0, "bafy-reason", sender=oracle)
    assert receipt.events == [succeeded.MilestoneRejected(0, oracle, "bafy-reason")]
    assert succeeded.milestone(0).status == REJECTED

    for decider in (oracle, dao_account):
        with reverts_with(succeeded.FundingRoundMilestoneNotSubmitted, milestoneId=0, status=REJECTED):
            succeeded.approveMilestone(0, EVIDENCE_HASH, sender=decider)
        with reverts_with(succeeded.FundingRoundMilestoneNotOpen, milestoneId=0, status=REJECTED):
            succeeded.rejectMilestone(0, "", sender=decider)
    with reverts_with(succeeded.FundingRoundMilestoneNotOpen, milestoneId=0, status=REJECTED):
        submit(succeeded, founder, 0)  # no resubmission
    for currency in (NATIVE, usdc.address):
        assert succeeded.ledger(currency).released == 0
        with reverts_with(succeeded.FundingRoundNothingOwed, currency=currency):
            succeeded.withdraw(currency, sender=founder)
    assert succeeded.approvedBps() == 0

    approve(succeeded, founder, oracle, 1)  # the next milestone pays only its own share
    assert succeeded.ledger(NATIVE).released == NATIVE_RAISED * 3_000 // BPS


def test_a_milestone_without_evidence_may_be_rejected(succeeded: Any, founder: Any, dao_account: Any) -> None:
    succeeded.rejectMilestone(2, "", sender=dao_account)
    assert succeeded.milestone(2).status == REJECTED
    with reverts_with(succeeded.FundingRoundMilestoneNotOpen, milestoneId=2, status=REJECTED):
        submit(succeeded, founder, 2)


def test_approved_milestone_is_final(succeeded: Any, founder: Any, oracle: Any) -> None:
    approve(succeeded, founder, oracle, 0)
    with reverts_with(succeeded.FundingRoundMilestoneNotSubmitted, milestoneId=0, status=APPROVED):
        succeeded.approveMilestone(0, EVIDENCE_HASH, sender=oracle)  # never released twice
    with reverts_with(succeeded.FundingRoundMilestoneNotOpen, milestoneId=0, status=APPROVED):
        succeeded.rejectMilestone(0, "", sender=oracle)
    with reverts_with(succeeded.FundingRoundMilestoneNotOpen, milestoneId=0, status=APPROVED):
        submit(succeeded, founder, 0)


# ----- founder withdrawals -----


def test_founder_pulls_what_was_released_once(
    succeeded: Any, usdc: Any, founder: Any, oracle: Any, stranger: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    native, native_carbon = _split(NATIVE_RAISED, 3_000)
    tokens, token_carbon = _split(USDC_RAISED, 3_000)
    with reverts_with(succeeded.FundingRoundNotFounder, caller=stranger):
        succeeded.withdraw(NATIVE, sender=stranger)

    before = founder.balance
    receipt = succeeded.withdraw(NATIVE, sender=founder)
    assert receipt.events == [succeeded.Withdrawn(founder, NATIVE, native - native_carbon)]
    assert founder.balance == before + native - native_carbon - receipt.total_fees_paid
    succeeded.withdraw(usdc, sender=founder)
    assert usdc.balanceOf(founder) == tokens - token_carbon
    for currency in (NATIVE, usdc.address):
        with reverts_with(succeeded.FundingRoundNothingOwed, currency=currency):
            succeeded.withdraw(currency, sender=founder)


# ----- carbon -----


def test_carbon_share_is_offset_for_the_founder(
    succeeded: Any, usdc: Any, carbon_pool: Any, founder: Any, oracle: Any, stranger: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    _, native_carbon = _split(NATIVE_RAISED, 3_000)
    _, token_carbon = _split(USDC_RAISED, 3_000)
    pool_before = carbon_pool.balance

    receipt = succeeded.offsetCarbon(NATIVE, sender=stranger)

    event_id = carbon_pool.lastRetirementEventId()
    credits = carbon_pool.retirement(event_id).amount
    assert receipt.events.filter(succeeded.CarbonOffset) == [
        succeeded.CarbonOffset(NATIVE, native_carbon, event_id, credits)
    ]
    assert carbon_pool.retirement(event_id).beneficiary == founder
    assert carbon_pool.balance == pool_before + native_carbon
    succeeded.offsetCarbon(usdc, sender=stranger)
    assert usdc.balanceOf(carbon_pool) == token_carbon
    for currency in (NATIVE, usdc.address):
        assert succeeded.ledger(currency).carbonOwed == 0
        with reverts_with(succeeded.FundingRoundNothingOwed, currency=currency):
            succeeded.offsetCarbon(currency, sender=stranger)


def test_refused_carbon_payment_stays_owed_and_is_counted(
    succeeded: Any, carbon_pool: Any, owner: Any, founder: Any, oracle: Any, stranger: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    owed = succeeded.ledger(NATIVE).carbonOwed
    carbon_pool.setPrice(NATIVE, 0, sender=owner)
    receipt = succeeded.offsetCarbon(NATIVE, sender=stranger)

    failures = receipt.events.filter(succeeded.CarbonOffsetFailed)
    assert [(event.currency, event.offsetter, event.amount, event.failures) for event in failures] == [
        (NATIVE, carbon_pool.address, owed, 1)
    ]
    assert error_selector(carbon_pool.CarbonPoolTokenNotAccepted) == bytes(failures[0].reason)[:4]
    assert succeeded.ledger(NATIVE).carbonOwed == owed
    assert succeeded.balance >= owed


# ----- streamed milestones -----


@pytest.fixture
def streamed(chain: Any, make_round: Callable[..., Any], founder: Any, usdc: Any, donor: Any, other_donor: Any) -> Any:
    spec = RoundSpec(
        founder=founder.address,
        tokens=(usdc.address,),
        milestones=(MilestoneSpec(4_000, 10, stream_duration=10 * DAY), MilestoneSpec(6_000, 20, 30 * DAY)),
    )
    round_ = make_round(spec)
    succeed(chain, round_, usdc, donor, other_donor)
    return round_


def test_streamed_milestone_opens_then_extends_a_stream(
    chain: Any, streamed: Any, streams: Any, usdc: Any, founder: Any, oracle: Any, stranger: Any
) -> None:
    receipt = approve(streamed, founder, oracle, 0)
    first, first_carbon = _split(NATIVE_RAISED, 4_000)
    assert streamed.MilestoneReleased(0, NATIVE, first, first_carbon, True) in receipt.events
    assert streamed.ledger(NATIVE).founderOwed == 0
    with reverts_with(streamed.FundingRoundNothingOwed, currency=NATIVE):
        streamed.withdraw(NATIVE, sender=founder)

    opened = streamed.openStream(NATIVE, sender=stranger)

    stream_id = streamed.streamIdOf(NATIVE)
    stream = streams.getStream(stream_id)
    assert (stream.sender, stream.recipient, stream.deposit) == (
        streamed.address,
        founder.address,
        first - first_carbon,
    )
    assert stream.endTime == streamed.streamEndAt()
    assert opened.events.filter(streamed.StreamFunded) == [
        streamed.StreamFunded(stream_id, NATIVE, first - first_carbon, stream.endTime, False)
    ]
    with reverts_with(streamed.FundingRoundNothingOwed, currency=NATIVE):
        streamed.openStream(NATIVE, sender=stranger)

    approve(streamed, founder, oracle, 1)
    extended = streamed.openStream(NATIVE, sender=stranger)
    second, second_carbon = _split(NATIVE_RAISED, 10_000)
    assert extended.events.filter(streamed.StreamFunded)[0].extended
    assert streams.getStream(stream_id).deposit == second - second_carbon
    streamed.openStream(usdc, sender=stranger)
    assert streams.getStream(streamed.streamIdOf(usdc)).deposit == USDC_RAISED - USDC_RAISED * CARBON_BPS // BPS

    chain.pending_timestamp = streamed.streamEndAt() + 1
    before = founder.balance
    paid = streams.withdraw(stream_id, sender=founder)
    assert founder.balance == before + second - second_carbon - paid.total_fees_paid


def test_cancelled_stream_is_reclaimed_for_the_dao(
    chain: Any, streamed: Any, streams: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    with reverts_with(streamed.FundingRoundNoReclaimableStream, currency=NATIVE, streamId=0):
        streamed.reclaimCancelledStream(NATIVE, sender=stranger)
    approve(streamed, founder, oracle, 0)
    streamed.openStream(NATIVE, sender=stranger)
    stream_id = streamed.streamIdOf(NATIVE)
    streams.cancel(stream_id, sender=dao_account)  # the DAO is a stream admin
    unvested = streams.refundableAmountOf(stream_id)
    before = dao_account.balance

    receipt = streamed.reclaimCancelledStream(NATIVE, sender=stranger)

    assert receipt.events.filter(streamed.StreamReclaimed) == [
        streamed.StreamReclaimed(stream_id, NATIVE, unvested, dao_account)
    ]
    assert dao_account.balance == before + unvested
    assert streamed.streamIdOf(NATIVE) == 0
    approve(streamed, founder, oracle, 1)
    streamed.openStream(NATIVE, sender=stranger)  # a new stream replaces the cancelled one
    assert streamed.streamIdOf(NATIVE) not in (0, stream_id)


def test_paused_stream_is_not_extended_a_new_one_opens(
    streamed: Any, streams: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    approve(streamed, founder, oracle, 0)
    streamed.openStream(NATIVE, sender=stranger)
    first = streamed.streamIdOf(NATIVE)
    streams.pause(first, sender=dao_account)  # the DAO's emergency stop

    approve(streamed, founder, oracle, 1)
    receipt = streamed.openStream(NATIVE, sender=stranger)

    second = streamed.streamIdOf(NATIVE)
    assert second != first
    assert not receipt.events.filter(streamed.StreamFunded)[0].extended
    released, carbon = _split(NATIVE_RAISED, 6_000)
    assert streams.getStream(second).deposit == released - carbon


def test_opening_a_stream_over_a_cancelled_one_sends_its_rest_to_the_dao(
    streamed: Any, streams: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    approve(streamed, founder, oracle, 0)
    streamed.openStream(NATIVE, sender=stranger)
    first = streamed.streamIdOf(NATIVE)
    streams.cancel(first, sender=dao_account)
    unvested = streams.refundableAmountOf(first)
    before = dao_account.balance

    approve(streamed, founder, oracle, 1)
    receipt = streamed.openStream(NATIVE, sender=stranger)  # before anyone reclaimed the first

    assert receipt.events.filter(streamed.StreamReclaimed) == [
        streamed.StreamReclaimed(first, NATIVE, unvested, dao_account)
    ]
    assert dao_account.balance == before + unvested
    assert streams.refundableAmountOf(first) == 0
    assert streamed.streamIdOf(NATIVE) != first


def test_a_replaced_stream_cancelled_later_is_reclaimed_by_id(
    streamed: Any, streams: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any
) -> None:
    approve(streamed, founder, oracle, 0)
    streamed.openStream(NATIVE, sender=stranger)
    first = streamed.streamIdOf(NATIVE)
    streams.pause(first, sender=dao_account)
    approve(streamed, founder, oracle, 1)
    streamed.openStream(NATIVE, sender=stranger)  # the paused stream is replaced, not reclaimed
    second = streamed.streamIdOf(NATIVE)
    with reverts_with(streamed.FundingRoundNoReclaimableStream, currency=NATIVE, streamId=first):
        streamed.reclaimCancelledStreamById(first, sender=stranger)
    streams.cancel(first, sender=dao_account)
    unvested = streams.refundableAmountOf(first)
    before = dao_account.balance

    receipt = streamed.reclaimCancelledStreamById(first, sender=stranger)

    assert receipt.events.filter(streamed.StreamReclaimed) == [
        streamed.StreamReclaimed(first, NATIVE, unvested, dao_account)
    ]
    assert dao_account.balance == before + unvested
    assert streamed.streamIdOf(NATIVE) == second  # the live stream is untouched


def test_approval_names_the_evidence_it_reviewed(succeeded: Any, founder: Any, oracle: Any) -> None:
    submit(succeeded, founder, 0)
    succeeded.submitEvidence(0, "bafy-swapped", sender=founder)  # replaced after the oracle looked
    with reverts_with(
        succeeded.FundingRoundEvidenceChanged,
        milestoneId=0, reviewed=EVIDENCE_HASH, current=keccak(text="bafy-swapped"),
    ):  # fmt: skip
        succeeded.approveMilestone(0, EVIDENCE_HASH, sender=oracle)
    assert succeeded.milestone(0).status == SUBMITTED
    succeeded.approveMilestone(0, keccak(text="bafy-swapped"), sender=oracle)
    assert succeeded.milestone(0).status == APPROVED
