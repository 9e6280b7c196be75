"""Stateful property test: random sequences of donations, finalize, evidence, approvals,
rejections, withdrawals, streams, carbon offsets, cancels, settles and refunds against a Python
model of FundingRound's documented rules.

Invariants, per currency: the escrow holds exactly (raised − released − refunded) + founderOwed +
streamOwed + carbonOwed, so at least everything still owed; released = raised × (approved shares)
/ 10,000, so a rejected milestone is never paid; released + refunded ≤ raised, so everything paid
out (founder, streams, carbon, refunds) ≤ everything donated; every refund is the donor's
pro-rata share of the unreleased rest, paid once (a second claim reverts)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tests.contracts.funding.round_params import (
    BPS,
    CARBON_BPS,
    DECISION_WINDOW,
    EVIDENCE_CID,
    EVIDENCE_HASH,
    NATIVE,
    ONE,
    USDC_EQUIVALENT,
    MilestoneSpec,
    RoundSpec,
)
from tests.contracts.funding.round_states import (
    APPROVED,
    CANCELLED,
    FAILED,
    PENDING,
    REJECTED,
    SETTLED,
    SUBMITTED,
    SUCCEEDED,
)
from tests.contracts.reverts import reverts_with
from tests.contracts.stateful import run_on_chain
from tests.contracts.tokens import USDC

SHARES = (3_000, 3_000, 4_000)
STREAMED = (False, True, False)
GOAL = 3 * ONE


@dataclass
class LedgerModel:
    raised: int = 0
    released: int = 0
    refunded: int = 0
    founder_owed: int = 0
    stream_owed: int = 0
    carbon_owed: int = 0
    paid_out: int = 0
    contributions: dict[str, int] = field(default_factory=dict)
    refund_claimed: set[str] = field(default_factory=set)

    def release(self, approved_bps: int, streamed: bool) -> None:
        target = self.raised * approved_bps // BPS
        amount = target - self.released
        self.released = target
        carbon = amount * CARBON_BPS // BPS
        self.carbon_owed += carbon
        if streamed:
            self.stream_owed += amount - carbon
        else:
            self.founder_owed += amount - carbon

    def refund_of(self, donor: str) -> int:
        if donor in self.refund_claimed or self.raised == 0:
            return 0
        return self.contributions.get(donor, 0) * (self.raised - self.released) // self.raised


def test_round_follows_the_model(
    chain: Any,
    make_round: Callable[..., Any],
    founder: Any,
    oracle: Any,
    dao_account: Any,
    usdc: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> None:
    spec = RoundSpec(
        founder=founder.address,
        goal=GOAL,
        tokens=(usdc.address,),
        milestones=tuple(
            MilestoneSpec(share, 10 * (i + 1), stream_duration=86_400 if streamed else 0)
            for i, (share, streamed) in enumerate(zip(SHARES, STREAMED, strict=True))
        ),
    )
    round_ = make_round(spec)
    donors = [donor, other_donor, stranger]
    currencies = [NATIVE, usdc.address]

    class RoundMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.status = SUCCEEDED
            self.milestones = [PENDING] * len(SHARES)
            self.approved_bps = 0
            self.ledgers = {currency: LedgerModel() for currency in currencies}

        def holdings(self, currency: str) -> int:
            return round_.balance if currency == NATIVE else usdc.balanceOf(round_)

        # ----- funding (the first step of every run) -----

        @initialize(
            donations=st.lists(
                st.tuples(st.integers(0, 2), st.booleans(), st.integers(ONE // 4, 2 * ONE)), min_size=1, max_size=5
            ),
            top_up=st.integers(0, 3),
        )
        def fund_and_finalize(self, donations: list[tuple[int, bool, int]], top_up: int) -> None:
            """Donate, then finalize after the deadline: Succeeded or Failed depending on the total
            (most runs top the total up to the goal, so they go on to the milestones)."""
            for who, native, amount in donations:
                self.donate(donors[who], native, amount)
            missing = GOAL - self.ledgers[NATIVE].raised - self.ledgers[usdc.address].raised * USDC_EQUIVALENT
            if top_up and missing > 0:
                self.donate(donors[top_up - 1], True, missing)
            chain.pending_timestamp = max(chain.pending_timestamp, round_.deadline() + 1)
            round_.finalize(sender=stranger)
            equivalent = self.ledgers[NATIVE].raised + self.ledgers[usdc.address].raised * USDC_EQUIVALENT
            self.status = SUCCEEDED if equivalent >= GOAL else FAILED
            assert round_.status() == self.status

        def donate(self, account: Any, native: bool, amount: int) -> None:
            if native:
                round_.donate(sender=account, value=amount)
                currency = NATIVE
            else:
                amount = amount * USDC // ONE + 1  # 0.25–2 USDC, odd units
                round_.donateToken(usdc, amount, sender=account)
                currency = usdc.address
            ledger = self.ledgers[currency]
            ledger.raised += amount
            ledger.contributions[account.address] = ledger.contributions.get(account.address, 0) + amount

        # ----- milestones -----

        @precondition(lambda self: self.status == SUCCEEDED)
        @rule(milestone=st.integers(0, len(SHARES) - 1))
        def submit(self, milestone: int) -> None:
            state = self.milestones[milestone]
            if state in (PENDING, SUBMITTED):
                round_.submitEvidence(milestone, EVIDENCE_CID, sender=founder)
                self.milestones[milestone] = SUBMITTED
            else:
                with reverts_with(round_.FundingRoundMilestoneNotOpen, milestoneId=milestone, status=state):
                    round_.submitEvidence(milestone, EVIDENCE_CID, sender=founder)

        @precondition(lambda self: self.status == SUCCEEDED)
        @rule(milestone=st.integers(0, len(SHARES) - 1), by_dao=st.booleans())
        def approve(self, milestone: int, by_dao: bool) -> None:
            decider = dao_account if by_dao else oracle
            if self.milestones[milestone] == PENDING:
                self.submit(milestone)  # evidence first, then the decision
            state = self.milestones[milestone]
            if state != SUBMITTED:
                with reverts_with(round_.FundingRoundMilestoneNotSubmitted, milestoneId=milestone, status=state):
                    round_.approveMilestone(milestone, EVIDENCE_HASH, sender=decider)
                return
            round_.approveMilestone(milestone, EVIDENCE_HASH, sender=decider)
            self.milestones[milestone] = APPROVED
            self.approved_bps += SHARES[milestone]
            for ledger in self.ledgers.values():
                ledger.release(self.approved_bps, STREAMED[milestone])

        @precondition(lambda self: self.status == SUCCEEDED)
        @rule(milestone=st.integers(0, len(SHARES) - 1))
        def reject(self, milestone: int) -> None:
            state = self.milestones[milestone]
            if state in (PENDING, SUBMITTED):
                round_.rejectMilestone(milestone, "", sender=oracle)
                self.milestones[milestone] = REJECTED
            else:
                with reverts_with(round_.FundingRoundMilestoneNotOpen, milestoneId=milestone, status=state):
                    round_.rejectMilestone(milestone, "", sender=oracle)

        # ----- paying out -----

        def _pay_out(self, currency: str, owed: str, call: Callable[..., Any], sender: Any) -> None:
            ledger = self.ledgers[currency]
            amount = getattr(ledger, owed)
            if amount == 0:
                with reverts_with(round_.FundingRoundNothingOwed, currency=currency):
                    call(currency, sender=sender)
                return
            before = self.holdings(currency)
            call(currency, sender=sender)
            assert before - self.holdings(currency) == amount
            setattr(ledger, owed, 0)
            ledger.paid_out += amount

        @precondition(lambda self: self.approved_bps > 0)
        @rule(currency=st.sampled_from(currencies))
        def withdraw(self, currency: str) -> None:
            self._pay_out(currency, "founder_owed", round_.withdraw, founder)

        @precondition(lambda self: self.approved_bps > 0)
        @rule(currency=st.sampled_from(currencies))
        def open_stream(self, currency: str) -> None:
            self._pay_out(currency, "stream_owed", round_.openStream, stranger)

        @precondition(lambda self: self.approved_bps > 0)
        @rule(currency=st.sampled_from(currencies))
        def offset_carbon(self, currency: str) -> None:
            ledger = self.ledgers[currency]
            if ledger.carbon_owed * ONE // (ONE // 100 if currency == NATIVE else USDC) == 0:
                return  # too little to buy a credit: the pool refuses (tested elsewhere)
            self._pay_out(currency, "carbon_owed", round_.offsetCarbon, stranger)

        # ----- closing -----

        @precondition(lambda self: self.status == SUCCEEDED)
        @rule(dice=st.integers(0, 2))
        def cancel(self, dice: int) -> None:
            if dice != 0:
                return  # rarer than the other steps, so runs reach milestone decisions first
            round_.cancel(sender=dao_account)
            self.status = CANCELLED

        @precondition(lambda self: self.status == SUCCEEDED)
        @rule()
        def settle(self) -> None:
            chain.pending_timestamp = max(
                chain.pending_timestamp, round_.milestone(len(SHARES) - 1).deadline + DECISION_WINDOW + 1
            )
            round_.settle(sender=stranger)
            self.status = SETTLED

        @precondition(lambda self: self.status in (FAILED, SETTLED, CANCELLED))
        @rule(who=st.integers(0, 2), currency=st.sampled_from(currencies))
        def refund(self, who: int, currency: str) -> None:
            account = donors[who]
            ledger = self.ledgers[currency]
            expected = ledger.refund_of(account.address)
            if expected == 0:
                with reverts_with(round_.FundingRoundNothingToRefund, donor=account, currency=currency):
                    round_.claimRefund(currency, sender=account)
                return
            before = self.holdings(currency)
            round_.claimRefund(currency, sender=account)
            assert before - self.holdings(currency) == expected
            ledger.refund_claimed.add(account.address)
            ledger.refunded += expected
            ledger.paid_out += expected

        # ----- invariants -----

        @invariant()
        def escrow_covers_everything_owed(self) -> None:
            for currency, model in self.ledgers.items():
                ledger = round_.ledger(currency)
                assert (ledger.raised, ledger.released, ledger.refunded) == (
                    model.raised,
                    model.released,
                    model.refunded,
                )
                assert (ledger.founderOwed, ledger.streamOwed, ledger.carbonOwed) == (
                    model.founder_owed,
                    model.stream_owed,
                    model.carbon_owed,
                )
                owed = model.raised - model.released - model.refunded
                owed += model.founder_owed + model.stream_owed + model.carbon_owed
                assert self.holdings(currency) == owed
                assert model.released == model.raised * self.approved_bps // BPS
                assert model.released + model.refunded <= model.raised
                assert model.paid_out <= model.raised

    run_on_chain(chain, RoundMachine, max_examples=25, steps=15)
