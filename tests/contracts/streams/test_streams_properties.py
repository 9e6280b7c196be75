"""Stateful property test: random withdraw/cancel/pause/resume/extend/refund sequences against a
Python model of the documented vesting rules.

Invariants: vested ≤ deposit; the escrow holds exactly deposit − withdrawn − refunded; every
withdrawal pays exactly what vested since the last one (so nothing is paid twice); after a cancel
and both withdrawals, withdrawn + refunded = deposit.
"""

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tests.contracts.reverts import reverts_with
from tests.contracts.stateful import run_on_chain
from tests.contracts.streams.conftest import USDC


@dataclass
class StreamModel:
    """The vesting rules of Streams.sol, in Python."""

    deposit: int
    start: int
    cliff: int
    end: int
    base: int = 0
    paused_at: int = 0
    paused_by_admin: bool = False
    cancelled: bool = False
    withdrawn: int = 0
    refunded: int = 0

    def vested(self, now: int) -> int:
        if self.cancelled:
            return self.base
        at = self.paused_at or now
        if at < self.cliff or at <= self.start:
            return self.base
        if at >= self.end:
            return self.deposit
        return self.base + (self.deposit - self.base) * (at - self.start) // (self.end - self.start)

    def resume(self, now: int) -> int:
        shift = 0
        origin = max(self.paused_at, self.start)
        if self.paused_at < self.end and now > origin:
            shift = now - origin
            self.start, self.cliff, self.end = self.start + shift, self.cliff + shift, self.end + shift
        self.paused_at = 0
        return shift

    def extend(self, now: int, extra: int, new_end: int) -> int:
        vested = self.vested(now)
        if now > self.start:
            self.base, self.start = vested, now
        self.deposit += extra
        self.end = new_end
        return vested


def test_streams_follow_the_model(
    chain: Any,
    payment_streams: Any,
    streams_usdc: Any,
    stream_sender: Any,
    stream_recipient: Any,
    streams_guardian: Any,
) -> None:
    class StreamMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.now = int(chain.pending_timestamp) + 10
            self.received = 0
            self.refund_paid = 0

        def tick(self, seconds: int = 1) -> None:
            self.now += seconds
            chain.pending_timestamp = self.now

        @initialize(
            deposit=st.integers(min_value=1, max_value=10**5 * USDC),
            delay=st.integers(min_value=-200, max_value=200),
            cliff=st.integers(min_value=0, max_value=500),
            duration=st.integers(min_value=1, max_value=2_000),
        )
        def open(self, deposit: int, delay: int, cliff: int, duration: int) -> None:
            self.tick()
            start = self.now + delay
            cliff_time = start + min(cliff, duration)
            end = max(start + duration, self.now + 1)
            receipt = payment_streams.createStream(
                stream_sender, stream_recipient, streams_usdc, deposit, start, cliff_time, end, sender=stream_sender
            )
            self.id = receipt.events.filter(payment_streams.StreamCreated)[0].streamId
            # The guardian acts only on streams the sender put under admin control.
            self.tick()
            payment_streams.setAdminControl(self.id, True, sender=stream_sender)
            self.model = StreamModel(deposit=deposit, start=start, cliff=cliff_time, end=end)
            self.founder_start = streams_usdc.balanceOf(stream_recipient)

        @rule(seconds=st.integers(min_value=1, max_value=600))
        def wait(self, seconds: int) -> None:
            self.now += seconds

        @rule()
        def withdraw(self) -> None:
            self.tick()
            due = self.model.vested(self.now) - self.model.withdrawn
            if due == 0:
                with reverts_with(payment_streams.StreamsNothingToWithdraw, streamId=self.id):
                    payment_streams.withdraw(self.id, sender=stream_recipient)
                return
            receipt = payment_streams.withdraw(self.id, sender=stream_recipient)
            assert receipt.events[0].amount == due
            self.model.withdrawn += due
            self.received += due

        @rule(by_guardian=st.booleans())
        def cancel(self, by_guardian: bool) -> None:
            self.tick()
            if self.model.cancelled:
                with reverts_with(payment_streams.StreamsStreamCancelled, streamId=self.id):
                    payment_streams.cancel(self.id, sender=stream_sender)
                return
            receipt = payment_streams.cancel(self.id, sender=streams_guardian if by_guardian else stream_sender)
            vested = self.model.vested(self.now)
            assert receipt.events[0].vestedAmount == vested
            assert receipt.events[0].refundAmount == self.model.deposit - vested
            self.model.base, self.model.cancelled = vested, True

        @precondition(lambda self: not self.model.cancelled)
        @rule(by_guardian=st.booleans())
        def pause(self, by_guardian: bool) -> None:
            self.tick()
            caller = streams_guardian if by_guardian else stream_sender
            if self.model.paused_at:
                with reverts_with(payment_streams.StreamsStreamPaused, streamId=self.id):
                    payment_streams.pause(self.id, sender=caller)
                return
            receipt = payment_streams.pause(self.id, sender=caller)
            assert receipt.events[0].vestedAmount == self.model.vested(self.now)
            self.model.paused_at, self.model.paused_by_admin = self.now, by_guardian

        @precondition(lambda self: not self.model.cancelled and self.model.paused_at)
        @rule(by_guardian=st.booleans())
        def resume(self, by_guardian: bool) -> None:
            self.tick()
            if self.model.paused_by_admin and not by_guardian:
                with reverts_with(payment_streams.StreamsUnauthorized, streamId=self.id, caller=stream_sender.address):
                    payment_streams.resume(self.id, sender=stream_sender)
                return
            receipt = payment_streams.resume(self.id, sender=streams_guardian if by_guardian else stream_sender)
            assert receipt.events[0].shift == self.model.resume(self.now)
            assert receipt.events[0].endTime == self.model.end

        @precondition(lambda self: not self.model.cancelled and not self.model.paused_at)
        @rule(extra=st.integers(min_value=1, max_value=10**4 * USDC), longer=st.integers(min_value=0, max_value=1_000))
        def extend(self, extra: int, longer: int) -> None:
            self.tick()
            new_end = max(self.model.end, self.now + 1) + longer
            receipt = payment_streams.extendStream(self.id, extra, new_end, sender=stream_sender)
            extended = receipt.events.filter(payment_streams.StreamExtended)[0]
            assert extended.vestedAmount == self.model.extend(self.now, extra, new_end)

        @precondition(lambda self: self.model.cancelled)
        @rule()
        def refund(self) -> None:
            self.tick()
            owed = 0 if self.model.refunded else self.model.deposit - self.model.base
            if owed == 0:
                with reverts_with(payment_streams.StreamsNothingToRefund, streamId=self.id):
                    payment_streams.withdrawRefund(self.id, sender=stream_sender)
                return
            assert payment_streams.withdrawRefund(self.id, sender=stream_sender).events[0].amount == owed
            self.model.refunded = owed

        @invariant()
        def escrow_matches_the_books(self) -> None:
            if not hasattr(self, "model"):
                return
            stream = payment_streams.getStream(self.id)
            assert stream.deposit == self.model.deposit
            assert stream.withdrawn == self.model.withdrawn == self.received
            assert self.model.withdrawn <= self.model.vested(self.now) <= self.model.deposit
            assert (
                streams_usdc.balanceOf(payment_streams)
                == self.model.deposit - self.model.withdrawn - self.model.refunded
            )
            assert streams_usdc.balanceOf(stream_recipient) - self.founder_start == self.received
            if self.model.cancelled and self.model.refunded and self.model.withdrawn == self.model.base:
                assert self.model.withdrawn + self.model.refunded == self.model.deposit

    run_on_chain(chain, StreamMachine, max_examples=25, steps=12)
