"""FundingRound refunds, cancellation and settlement: donors pull back their share of what was
never released — pro rata, rounded down, once — after a missed goal, a DAO cancel or `settle`."""

from collections.abc import Callable
from typing import Any

from tests.contracts.funding.round_params import (
    BPS,
    DECISION_WINDOW,
    EVIDENCE_CID,
    EVIDENCE_HASH,
    NATIVE,
    ONE,
    MilestoneSpec,
    RoundSpec,
)
from tests.contracts.funding.round_states import (
    CANCELLED,
    FAILED,
    FUNDING,
    NATIVE_RAISED,
    SETTLED,
    SUCCEEDED,
    USDC_RAISED,
    approve,
    fund_to_goal,
    pass_deadline,
    submit,
)
from tests.contracts.reverts import reverts_with
from tests.contracts.tokens import USDC


def _claim(round_: Any, donor: Any, currency: str, expected: int) -> None:
    receipt = round_.claimRefund(currency, sender=donor)
    assert receipt.events.filter(round_.Refunded) == [round_.Refunded(donor, currency, expected)]


def test_failed_round_refunds_everything_once(
    chain: Any, funding_round: Any, usdc: Any, donor: Any, other_donor: Any
) -> None:
    funding_round.donate(sender=donor, value=3 * ONE)
    funding_round.donateToken(usdc, USDC, sender=other_donor)
    with reverts_with(funding_round.FundingRoundRefundsClosed, status=FUNDING):
        funding_round.claimRefund(NATIVE, sender=donor)
    pass_deadline(chain, funding_round)
    assert funding_round.refundable(donor, NATIVE) == 3 * ONE  # before anyone finalizes

    before = donor.balance
    receipt = funding_round.claimRefund(NATIVE, sender=donor)  # finalizes on the way

    assert funding_round.status() == FAILED
    assert funding_round.RoundFinalized(FAILED, 5 * ONE, 10 * ONE) in receipt.events
    assert donor.balance == before + 3 * ONE - receipt.total_fees_paid
    _claim(funding_round, other_donor, usdc.address, USDC)
    assert usdc.balanceOf(funding_round) == 0 == funding_round.balance
    with reverts_with(funding_round.FundingRoundNothingToRefund, donor=donor, currency=NATIVE):
        funding_round.claimRefund(NATIVE, sender=donor)
    with reverts_with(funding_round.FundingRoundNothingToRefund, donor=donor, currency=usdc):
        funding_round.claimRefund(usdc, sender=donor)
    assert funding_round.refundable(donor, NATIVE) == 0
    assert funding_round.ledger(NATIVE).refunded == 3 * ONE


def test_succeeded_round_keeps_refunds_closed(succeeded: Any, donor: Any) -> None:
    with reverts_with(succeeded.FundingRoundRefundsClosed, status=SUCCEEDED):
        succeeded.claimRefund(NATIVE, sender=donor)
    assert succeeded.refundable(donor, NATIVE) == 0


def test_dao_cancel_refunds_the_unreleased_share_pro_rata(
    succeeded: Any, usdc: Any, founder: Any, oracle: Any, dao_account: Any, donor: Any, other_donor: Any
) -> None:
    approve(succeeded, founder, oracle, 0)  # 30% released
    receipt = succeeded.cancel(sender=dao_account)
    assert receipt.events == [succeeded.RoundCancelled(dao_account)]
    assert succeeded.status() == CANCELLED

    left = NATIVE_RAISED - NATIVE_RAISED * 3_000 // BPS
    _claim(succeeded, donor, NATIVE, 4 * ONE * left // NATIVE_RAISED)
    _claim(succeeded, other_donor, NATIVE, 2 * ONE * left // NATIVE_RAISED)
    _claim(succeeded, other_donor, usdc.address, USDC_RAISED - USDC_RAISED * 3_000 // BPS)
    # What was approved before the cancel is still the founder's; nothing more is released.
    succeeded.withdraw(NATIVE, sender=founder)
    submit_error = succeeded.FundingRoundNotSucceeded
    with reverts_with(submit_error, status=CANCELLED):
        submit(succeeded, founder, 1)
    with reverts_with(submit_error, status=CANCELLED):
        succeeded.approveMilestone(1, EVIDENCE_HASH, sender=oracle)
    owed = succeeded.ledger(NATIVE)
    assert succeeded.balance == owed.carbonOwed


def test_cancel_is_dao_only_and_only_while_active(
    chain: Any, funding_round: Any, dao_account: Any, oracle: Any, donor: Any
) -> None:
    with reverts_with(funding_round.FundingRoundNotDao, caller=oracle):
        funding_round.cancel(sender=oracle)
    funding_round.donate(sender=donor, value=ONE)
    funding_round.cancel(sender=dao_account)  # while funding
    with reverts_with(funding_round.FundingRoundCannotCancel, status=CANCELLED):
        funding_round.cancel(sender=dao_account)
    _claim(funding_round, donor, NATIVE, ONE)


def test_failed_round_cannot_be_cancelled(chain: Any, funding_round: Any, dao_account: Any, stranger: Any) -> None:
    pass_deadline(chain, funding_round)
    funding_round.finalize(sender=stranger)
    with reverts_with(funding_round.FundingRoundCannotCancel, status=FAILED):
        funding_round.cancel(sender=dao_account)


def test_settle_waits_for_every_decision_and_is_idempotent(
    succeeded: Any, founder: Any, oracle: Any, dao_account: Any, stranger: Any, donor: Any
) -> None:
    approve(succeeded, founder, oracle, 0)
    succeeded.rejectMilestone(1, "", sender=oracle)
    settleable_after = succeeded.milestone(2).deadline + DECISION_WINDOW
    with reverts_with(succeeded.FundingRoundNotSettleable, settleableAfter=settleable_after):
        succeeded.settle(sender=stranger)
    approve(succeeded, founder, oracle, 2)

    receipt = succeeded.settle(sender=stranger)

    assert receipt.events == [succeeded.RoundSettled(7_000)]
    assert succeeded.status() == SETTLED
    assert succeeded.settle(sender=stranger).events == []
    with reverts_with(succeeded.FundingRoundNotSucceeded, status=SETTLED):
        succeeded.approveMilestone(1, EVIDENCE_HASH, sender=oracle)
    with reverts_with(succeeded.FundingRoundCannotCancel, status=SETTLED):
        succeeded.cancel(sender=dao_account)
    # The rejected 30% goes back to the donors.
    _claim(succeeded, donor, NATIVE, 4 * ONE * (NATIVE_RAISED * 3_000 // BPS) // NATIVE_RAISED)


def test_settle_after_the_last_decision_window_closes_undecided_milestones(
    chain: Any, succeeded: Any, founder: Any, oracle: Any, stranger: Any, other_donor: Any, usdc: Any
) -> None:
    submit(succeeded, founder, 0)  # never decided
    settleable_after = succeeded.milestone(2).deadline + DECISION_WINDOW
    chain.pending_timestamp = settleable_after + 1
    succeeded.settle(sender=stranger)
    assert succeeded.status() == SETTLED
    _claim(succeeded, other_donor, usdc.address, USDC_RAISED)


def test_settle_and_finalize_before_the_deadline_revert(funding_round: Any, stranger: Any) -> None:
    for call in (funding_round.settle, funding_round.finalize):
        with reverts_with(funding_round.FundingRoundStillOpen, deadline=funding_round.deadline()):
            call(sender=stranger)


def test_settle_finalizes_and_leaves_failed_rounds_alone(
    chain: Any, funding_round: Any, stranger: Any, donor: Any
) -> None:
    funding_round.donate(sender=donor, value=ONE)
    pass_deadline(chain, funding_round)
    funding_round.settle(sender=stranger)
    assert funding_round.status() == FAILED
    assert funding_round.settle(sender=stranger).events == []


def test_refunds_round_down_and_never_overpay(
    chain: Any, make_round: Callable[..., Any], founder: Any, accounts: Any, oracle: Any, dao_account: Any
) -> None:
    spec = RoundSpec(founder=founder.address, goal=1, milestones=(MilestoneSpec(3_333, 10), MilestoneSpec(6_667, 20)))
    round_ = make_round(spec)
    donors = [accounts[i] for i in (1, 2, 3, 4, 5, 6, 7)]
    for n, account in enumerate(donors):
        round_.donate(sender=account, value=10**17 + 3 * n + 1)
    pass_deadline(chain, round_)
    approve(round_, founder, oracle, 0)
    round_.cancel(sender=dao_account)
    ledger = round_.ledger(NATIVE)
    unreleased = ledger.raised - ledger.released

    paid = sum(round_.claimRefund(NATIVE, sender=account).events[0].amount for account in donors)

    assert unreleased - len(donors) < paid <= unreleased
    assert round_.balance >= ledger.founderOwed + ledger.carbonOwed
    assert round_.balance == ledger.founderOwed + ledger.carbonOwed + unreleased - paid


def test_goal_reached_but_unfinalized_round_reports_no_refund(
    chain: Any, funding_round: Any, usdc: Any, donor: Any, other_donor: Any
) -> None:
    fund_to_goal(funding_round, usdc, donor, other_donor)
    pass_deadline(chain, funding_round)
    assert funding_round.refundable(donor, NATIVE) == 0
    with reverts_with(funding_round.FundingRoundRefundsClosed, status=SUCCEEDED):
        funding_round.claimRefund(NATIVE, sender=donor)


def test_reentrant_refund_and_withdrawal_are_refused(
    chain: Any, project: Any, owner: Any, make_round: Callable[..., Any], oracle: Any, dao_account: Any
) -> None:
    party = owner.deploy(project.MockReentrantRoundParty)
    round_ = make_round(RoundSpec(founder=party.address, goal=ONE))
    party.execute(round_, round_.donate.encode_input(), sender=owner, value=2 * ONE)
    pass_deadline(chain, round_)
    party.execute(round_, round_.submitEvidence.encode_input(0, EVIDENCE_CID), sender=owner)
    round_.approveMilestone(0, EVIDENCE_HASH, sender=oracle)

    withdraw = round_.withdraw.encode_input(NATIVE)
    party.arm(round_, withdraw, sender=owner)
    with reverts_with(round_.ReentrancyGuardReentrantCall):
        party.execute(round_, withdraw, sender=owner)
    party.arm(round_, b"", sender=owner)
    party.execute(round_, withdraw, sender=owner)  # unarmed, it is paid once

    round_.cancel(sender=dao_account)
    refund = round_.claimRefund.encode_input(NATIVE)
    party.arm(round_, refund, sender=owner)
    with reverts_with(round_.ReentrancyGuardReentrantCall):
        party.execute(round_, refund, sender=owner)
    party.arm(round_, b"", sender=owner)
    party.execute(round_, refund, sender=owner)
    assert round_.refundable(party, NATIVE) == 0
    assert round_.balance == round_.ledger(NATIVE).carbonOwed
