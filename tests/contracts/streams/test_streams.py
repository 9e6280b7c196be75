"""Streams: linear vesting with a cliff, withdraw, cancel, pause/resume and extension."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.reverts import reverts_with
from tests.contracts.streams.conftest import DEPOSIT, NATIVE, ONE_MATIC, USDC

At = Callable[[int], None]
START_OFFSET = 100
DURATION = 1_000


def open_stream(
    payment_streams: Any,
    stream_sender: Any,
    recipient: Any,
    start: int,
    *,
    token: Any = NATIVE,
    amount: int = DEPOSIT,
    cliff: int = 0,
    duration: int = DURATION,
) -> tuple[int, Any]:
    value = amount if token == NATIVE else 0
    receipt = payment_streams.createStream(
        stream_sender, recipient, token, amount, start, cliff, start + duration, sender=stream_sender, value=value
    )
    return receipt.events.filter(payment_streams.StreamCreated)[0].streamId, receipt


def withdrawn(receipt: Any) -> int:
    """The amount a `withdraw` paid, read from its event (ape's return_value re-runs the call)."""
    return int(receipt.events[0].amount)


@pytest.fixture
def t0(chain: Any) -> int:
    """The start time of the streams a test opens: a little after the chain's clock."""
    return int(chain.pending_timestamp) + START_OFFSET


@pytest.fixture
def stream_id(payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At) -> int:
    """A native stream of DEPOSIT wei over [t0, t0 + 1000], no cliff, opened at t0."""
    at(t0)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0)
    return stream_id


# ----- creating -----


def test_create_native_stream_stores_schedule_and_escrows_value(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    stream_id, receipt = open_stream(payment_streams, stream_sender, stream_recipient, t0, cliff=t0 + 200)

    assert stream_id == 1
    assert receipt.events == [
        payment_streams.StreamCreated(
            streamId=1,
            sender=stream_sender,
            recipient=stream_recipient,
            funder=stream_sender,
            token=NATIVE,
            deposit=DEPOSIT,
            startTime=t0,
            cliffTime=t0 + 200,
            endTime=t0 + DURATION,
        )
    ]
    stream = payment_streams.getStream(stream_id)
    assert (stream.sender, stream.recipient, stream.token) == (stream_sender.address, stream_recipient.address, NATIVE)
    assert (stream.startTime, stream.cliffTime, stream.endTime) == (t0, t0 + 200, t0 + DURATION)
    assert (stream.deposit, stream.withdrawn, stream.cancelled, stream.pausedAt) == (DEPOSIT, 0, False, 0)
    assert payment_streams.balance == DEPOSIT
    assert payment_streams.nextStreamId() == 2


def test_create_erc20_stream_pulls_the_tokens(
    payment_streams: Any, streams_usdc: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    before = streams_usdc.balanceOf(stream_sender)

    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, token=streams_usdc)

    assert streams_usdc.balanceOf(payment_streams) == DEPOSIT
    assert streams_usdc.balanceOf(stream_sender) == before - DEPOSIT
    assert payment_streams.getStream(stream_id).token == streams_usdc.address


def test_create_on_behalf_of_another_sender(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, streams_outsider: Any, t0: int
) -> None:
    # `streams_outsider` pays, `stream_sender` controls the stream and gets its refunds.
    receipt = payment_streams.createStream(
        stream_sender, stream_recipient, NATIVE, 500, t0, 0, t0 + 10, sender=streams_outsider, value=500
    )

    assert receipt.events[0].sender == stream_sender.address
    assert receipt.events[0].funder == streams_outsider.address
    assert payment_streams.getStream(receipt.events[0].streamId).sender == stream_sender.address


def test_zero_cliff_means_the_start(payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int) -> None:
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, cliff=0)

    assert payment_streams.getStream(stream_id).cliffTime == t0


def test_create_with_zero_addresses_reverts(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsZeroAddress):
        payment_streams.createStream(stream_sender, NATIVE, NATIVE, 1, t0, 0, t0 + 10, sender=stream_sender, value=1)
    with reverts_with(payment_streams.StreamsZeroAddress):
        payment_streams.createStream(NATIVE, stream_recipient, NATIVE, 1, t0, 0, t0 + 10, sender=stream_sender, value=1)


def test_create_with_zero_amount_reverts(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsZeroAmount):
        payment_streams.createStream(stream_sender, stream_recipient, NATIVE, 0, t0, 0, t0 + 10, sender=stream_sender)


@pytest.mark.parametrize(
    ("start", "cliff", "end"),
    [
        (10, 5, 20),  # cliff before start
        (10, 30, 20),  # cliff after end
        (10, 10, 10),  # empty schedule
        (-300, 0, -150),  # ends in the past
    ],
)
def test_create_with_invalid_schedule_reverts(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, start: int, cliff: int, end: int
) -> None:
    schedule = (t0 + start, t0 + cliff if cliff else 0, t0 + end)
    expected_cliff = schedule[1] or schedule[0]
    with reverts_with(
        payment_streams.StreamsInvalidSchedule, startTime=schedule[0], cliffTime=expected_cliff, endTime=schedule[2]
    ):
        payment_streams.createStream(
            stream_sender, stream_recipient, NATIVE, 1, *schedule, sender=stream_sender, value=1
        )


def test_create_native_with_wrong_value_reverts(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsWrongNativeValue, expected=10, sent=9):
        payment_streams.createStream(
            stream_sender, stream_recipient, NATIVE, 10, t0, 0, t0 + 10, sender=stream_sender, value=9
        )


def test_create_erc20_with_value_reverts(
    payment_streams: Any, streams_usdc: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsWrongNativeValue, expected=0, sent=1):
        payment_streams.createStream(
            stream_sender, stream_recipient, streams_usdc, 10, t0, 0, t0 + 10, sender=stream_sender, value=1
        )


def test_create_erc20_without_allowance_reverts(
    payment_streams: Any, streams_usdc: Any, stream_recipient: Any, streams_outsider: Any, t0: int
) -> None:
    with reverts_with(streams_usdc.ERC20InsufficientAllowance, spender=payment_streams.address, allowance=0, needed=10):
        payment_streams.createStream(
            streams_outsider, stream_recipient, streams_usdc, 10, t0, 0, t0 + 10, sender=streams_outsider
        )


def test_constructor_rejects_zero_admin(project: Any, streams_admin: Any) -> None:
    with reverts_with(project.Streams.StreamsZeroAddress):
        streams_admin.deploy(project.Streams, NATIVE)


# ----- vesting and withdrawing -----


def test_vesting_is_linear_after_the_cliff(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At, mine_at: At
) -> None:
    at(t0 - 50)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, cliff=t0 + 250)

    expected = [(t0 - 10, 0), (t0 + 100, 0), (t0 + 249, 0), (t0 + 250, DEPOSIT // 4), (t0 + 500, DEPOSIT // 2)]
    expected += [(t0 + 999, DEPOSIT * 999 // 1000), (t0 + 1000, DEPOSIT), (t0 + 5000, DEPOSIT)]
    for moment, vested in expected:
        mine_at(moment)
        assert payment_streams.vestedAmountOf(stream_id) == vested, moment
        assert payment_streams.withdrawableAmountOf(stream_id) == vested


def test_withdraw_pays_the_vested_native_amount(
    payment_streams: Any, stream_recipient: Any, stream_id: int, t0: int, at: At
) -> None:
    before = stream_recipient.balance
    at(t0 + 300)

    receipt = payment_streams.withdraw(stream_id, sender=stream_recipient)

    amount = DEPOSIT * 3 // 10
    assert receipt.events == [
        payment_streams.StreamWithdrawn(
            streamId=stream_id, recipient=stream_recipient, token=NATIVE, amount=amount, totalWithdrawn=amount
        )
    ]
    assert stream_recipient.balance == before + amount - receipt.total_fees_paid
    assert payment_streams.getStream(stream_id).withdrawn == amount


def test_withdraws_accumulate_and_never_pay_twice(
    payment_streams: Any, streams_usdc: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    at(t0)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, token=streams_usdc)
    at(t0 + 100)
    payment_streams.withdraw(stream_id, sender=stream_recipient)
    at(t0 + 600)
    second = payment_streams.withdraw(stream_id, sender=stream_recipient)

    assert second.events[0].amount == DEPOSIT // 2
    assert second.events[0].totalWithdrawn == DEPOSIT * 6 // 10
    at(t0 + 2000)
    payment_streams.withdraw(stream_id, sender=stream_recipient)
    assert streams_usdc.balanceOf(stream_recipient) == DEPOSIT
    assert streams_usdc.balanceOf(payment_streams) == 0
    with reverts_with(payment_streams.StreamsNothingToWithdraw, streamId=stream_id):
        payment_streams.withdraw(stream_id, sender=stream_recipient)


def test_withdraw_before_the_cliff_reverts(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, cliff=t0 + 500)
    at(t0 + 499)

    with reverts_with(payment_streams.StreamsNothingToWithdraw, streamId=stream_id):
        payment_streams.withdraw(stream_id, sender=stream_recipient)


def test_withdraw_by_anyone_but_the_recipient_reverts(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + 500)
    with reverts_with(payment_streams.StreamsNotRecipient, streamId=stream_id, caller=stream_sender.address):
        payment_streams.withdraw(stream_id, sender=stream_sender)


def test_reentrant_withdraw_is_refused(
    project: Any, payment_streams: Any, stream_sender: Any, streams_admin: Any, t0: int, at: At
) -> None:
    attacker = streams_admin.deploy(project.MockStreamsReentrantRecipient, payment_streams)
    stream_id, _ = open_stream(payment_streams, stream_sender, attacker, t0)
    at(t0 + 500)

    with reverts_with(payment_streams.ReentrancyGuardReentrantCall):
        attacker.withdraw(stream_id, True, sender=streams_admin)
    at(t0 + 600)
    attacker.withdraw(stream_id, False, sender=streams_admin)
    assert attacker.balance == DEPOSIT * 6 // 10


# ----- cancel and refund -----


def test_cancel_splits_vested_and_refund(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + 400)
    payment_streams.withdraw(stream_id, sender=stream_recipient)
    at(t0 + 600)

    receipt = payment_streams.cancel(stream_id, sender=stream_sender)

    vested, refund = DEPOSIT * 6 // 10, DEPOSIT * 4 // 10
    assert receipt.events == [
        payment_streams.StreamCancelled(streamId=stream_id, by=stream_sender, vestedAmount=vested, refundAmount=refund)
    ]
    assert payment_streams.refundableAmountOf(stream_id) == refund
    at(t0 + 900)  # nothing vests after the cancel
    assert withdrawn(payment_streams.withdraw(stream_id, sender=stream_recipient)) == DEPOSIT * 2 // 10
    refund_receipt = payment_streams.withdrawRefund(stream_id, sender=stream_sender)
    assert refund_receipt.events == [
        payment_streams.StreamRefunded(streamId=stream_id, sender=stream_sender, token=NATIVE, amount=refund)
    ]
    assert payment_streams.balance == 0
    assert payment_streams.refundableAmountOf(stream_id) == 0
    with reverts_with(payment_streams.StreamsNothingToRefund, streamId=stream_id):
        payment_streams.withdrawRefund(stream_id, sender=stream_sender)
    with reverts_with(payment_streams.StreamsNothingToWithdraw, streamId=stream_id):
        payment_streams.withdraw(stream_id, sender=stream_recipient)


def test_stream_admin_may_cancel_and_the_refund_still_goes_to_the_sender(
    payment_streams: Any,
    streams_usdc: Any,
    stream_sender: Any,
    stream_recipient: Any,
    streams_guardian: Any,
    t0: int,
    at: At,
) -> None:
    at(t0)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, token=streams_usdc)
    payment_streams.setAdminControl(stream_id, True, sender=stream_sender)
    at(t0 + 250)
    payment_streams.cancel(stream_id, sender=streams_guardian)
    before = streams_usdc.balanceOf(stream_sender)

    payment_streams.withdrawRefund(stream_id, sender=stream_sender)

    assert streams_usdc.balanceOf(stream_sender) == before + DEPOSIT * 3 // 4
    with reverts_with(payment_streams.StreamsNotSender, streamId=stream_id, caller=streams_guardian.address):
        payment_streams.withdrawRefund(stream_id, sender=streams_guardian)


def test_cancel_after_full_vesting_leaves_nothing_to_refund(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + DURATION + 1)
    receipt = payment_streams.cancel(stream_id, sender=stream_sender)

    assert receipt.events[0].refundAmount == 0
    with reverts_with(payment_streams.StreamsNothingToRefund, streamId=stream_id):
        payment_streams.withdrawRefund(stream_id, sender=stream_sender)


def test_refund_before_cancel_reverts(payment_streams: Any, stream_sender: Any, stream_id: int) -> None:
    assert payment_streams.refundableAmountOf(stream_id) == 0
    with reverts_with(payment_streams.StreamsStreamNotCancelled, streamId=stream_id):
        payment_streams.withdrawRefund(stream_id, sender=stream_sender)


@pytest.mark.parametrize("action", ["cancel", "pause", "resume"])
def test_control_by_a_stranger_reverts(
    payment_streams: Any, streams_outsider: Any, stream_id: int, action: str
) -> None:
    with reverts_with(payment_streams.StreamsUnauthorized, streamId=stream_id, caller=streams_outsider.address):
        getattr(payment_streams, action)(stream_id, sender=streams_outsider)


def test_calls_after_cancel_revert(payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At) -> None:
    at(t0 + 10)
    payment_streams.cancel(stream_id, sender=stream_sender)

    for action in ("cancel", "pause", "resume"):
        with reverts_with(payment_streams.StreamsStreamCancelled, streamId=stream_id):
            getattr(payment_streams, action)(stream_id, sender=stream_sender)
    with reverts_with(payment_streams.StreamsStreamCancelled, streamId=stream_id):
        payment_streams.extendStream(stream_id, 1, t0 + 5000, sender=stream_sender, value=1)


# ----- pause and resume -----


def test_paused_time_does_not_vest_and_resume_shifts_the_schedule(
    payment_streams: Any,
    stream_sender: Any,
    stream_recipient: Any,
    streams_guardian: Any,
    stream_id: int,
    t0: int,
    at: At,
    mine_at: At,
) -> None:
    payment_streams.setAdminControl(stream_id, True, sender=stream_sender)
    at(t0 + 200)
    paused = payment_streams.pause(stream_id, sender=streams_guardian)
    assert paused.events == [
        payment_streams.StreamPaused(streamId=stream_id, by=streams_guardian, vestedAmount=DEPOSIT // 5)
    ]
    mine_at(t0 + 700)
    assert payment_streams.vestedAmountOf(stream_id) == DEPOSIT // 5

    # What vested before the pause can still be withdrawn.
    at(t0 + 800)
    assert withdrawn(payment_streams.withdraw(stream_id, sender=stream_recipient)) == DEPOSIT // 5

    # The DAO's emergency stop is not the sender's to lift.
    with reverts_with(payment_streams.StreamsUnauthorized, streamId=stream_id, caller=stream_sender.address):
        payment_streams.resume(stream_id, sender=stream_sender)
    at(t0 + 1200)
    resumed = payment_streams.resume(stream_id, sender=streams_guardian)
    assert resumed.events == [
        payment_streams.StreamResumed(
            streamId=stream_id,
            by=streams_guardian,
            shift=1000,
            startTime=t0 + 1000,
            cliffTime=t0 + 1000,
            endTime=t0 + 2000,
        )
    ]
    mine_at(t0 + 1500)
    assert payment_streams.vestedAmountOf(stream_id) == DEPOSIT // 2
    mine_at(t0 + 2000)
    assert payment_streams.vestedAmountOf(stream_id) == DEPOSIT


def test_pause_before_start_shifts_only_by_the_time_past_the_start(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    at(t0 - 50)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, cliff=t0 + 100)
    payment_streams.pause(stream_id, sender=stream_sender)
    at(t0 + 30)

    receipt = payment_streams.resume(stream_id, sender=stream_sender)

    event = receipt.events[0]
    assert (event.shift, event.startTime, event.cliffTime, event.endTime) == (30, t0 + 30, t0 + 130, t0 + 1030)


def test_pause_and_resume_before_start_keep_the_schedule(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    at(t0 - 50)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0)
    payment_streams.pause(stream_id, sender=stream_sender)
    at(t0 - 10)

    assert payment_streams.resume(stream_id, sender=stream_sender).events[0].shift == 0
    assert payment_streams.getStream(stream_id).startTime == t0


def test_pause_after_the_end_changes_nothing(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + DURATION + 5)
    payment_streams.pause(stream_id, sender=stream_sender)
    at(t0 + DURATION + 50)

    assert payment_streams.resume(stream_id, sender=stream_sender).events[0].shift == 0
    assert withdrawn(payment_streams.withdraw(stream_id, sender=stream_recipient)) == DEPOSIT


def test_a_senders_pause_may_be_lifted_by_a_stream_admin(
    payment_streams: Any, stream_sender: Any, streams_guardian: Any, stream_id: int
) -> None:
    payment_streams.setAdminControl(stream_id, True, sender=stream_sender)
    payment_streams.pause(stream_id, sender=stream_sender)

    assert payment_streams.resume(stream_id, sender=streams_guardian).events[0].by == streams_guardian.address
    assert payment_streams.getStream(stream_id).pausedAt == 0


def test_pause_twice_and_resume_when_running_revert(payment_streams: Any, stream_sender: Any, stream_id: int) -> None:
    with reverts_with(payment_streams.StreamsStreamNotPaused, streamId=stream_id):
        payment_streams.resume(stream_id, sender=stream_sender)
    payment_streams.pause(stream_id, sender=stream_sender)
    with reverts_with(payment_streams.StreamsStreamPaused, streamId=stream_id):
        payment_streams.pause(stream_id, sender=stream_sender)


def test_cancel_while_paused_uses_the_amount_vested_at_the_pause(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + 100)
    payment_streams.pause(stream_id, sender=stream_sender)
    at(t0 + 900)

    assert payment_streams.cancel(stream_id, sender=stream_sender).events[0].vestedAmount == DEPOSIT // 10


# ----- extension -----


def test_extend_keeps_what_vested_and_vests_the_rest_to_the_new_end(
    payment_streams: Any, stream_sender: Any, stream_recipient: Any, stream_id: int, t0: int, at: At, mine_at: At
) -> None:
    at(t0 + 500)
    receipt = payment_streams.extendStream(stream_id, DEPOSIT, t0 + 1500, sender=stream_sender, value=DEPOSIT)

    assert receipt.events == [
        payment_streams.StreamExtended(
            streamId=stream_id,
            sender=stream_sender,
            extraAmount=DEPOSIT,
            deposit=2 * DEPOSIT,
            vestedAmount=DEPOSIT // 2,
            startTime=t0 + 500,
            endTime=t0 + 1500,
        )
    ]
    # 1.5 × DEPOSIT left to vest over 1000 s.
    mine_at(t0 + 1000)
    assert payment_streams.vestedAmountOf(stream_id) == DEPOSIT // 2 + DEPOSIT * 3 // 4
    mine_at(t0 + 1500)
    assert payment_streams.vestedAmountOf(stream_id) == 2 * DEPOSIT
    at(t0 + 1600)
    assert withdrawn(payment_streams.withdraw(stream_id, sender=stream_recipient)) == 2 * DEPOSIT
    assert payment_streams.balance == 0


def test_extend_before_the_start_keeps_the_start(
    payment_streams: Any, streams_usdc: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    at(t0 - 50)
    stream_id, _ = open_stream(payment_streams, stream_sender, stream_recipient, t0, token=streams_usdc)
    payment_streams.extendStream(stream_id, 5 * USDC, t0 + DURATION, sender=stream_sender)

    stream = payment_streams.getStream(stream_id)
    assert (stream.startTime, stream.deposit, stream.baseVested) == (t0, DEPOSIT + 5 * USDC, 0)
    assert streams_usdc.balanceOf(payment_streams) == DEPOSIT + 5 * USDC


def test_extend_a_finished_stream_vests_only_the_extra_from_now(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At, mine_at: At
) -> None:
    at(t0 + 3000)
    payment_streams.extendStream(stream_id, 100, t0 + 3100, sender=stream_sender, value=100)
    mine_at(t0 + 3050)

    assert payment_streams.vestedAmountOf(stream_id) == DEPOSIT + 50


def test_extend_by_anyone_but_the_sender_reverts(
    payment_streams: Any, streams_guardian: Any, stream_id: int, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsNotSender, streamId=stream_id, caller=streams_guardian.address):
        payment_streams.extendStream(stream_id, 1, t0 + 5000, sender=streams_guardian, value=1)


def test_extend_with_zero_amount_or_earlier_end_reverts(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int
) -> None:
    with reverts_with(payment_streams.StreamsZeroAmount):
        payment_streams.extendStream(stream_id, 0, t0 + 5000, sender=stream_sender)
    with reverts_with(payment_streams.StreamsInvalidSchedule, startTime=t0, cliffTime=t0, endTime=t0 + DURATION - 1):
        payment_streams.extendStream(stream_id, 1, t0 + DURATION - 1, sender=stream_sender, value=1)


def test_extend_ending_in_the_past_reverts(
    payment_streams: Any, stream_sender: Any, stream_id: int, t0: int, at: At
) -> None:
    at(t0 + DURATION + 10)
    with reverts_with(payment_streams.StreamsInvalidSchedule, startTime=t0, cliffTime=t0, endTime=t0 + DURATION):
        payment_streams.extendStream(stream_id, 1, t0 + DURATION, sender=stream_sender, value=1)


def test_extend_while_paused_reverts(payment_streams: Any, stream_sender: Any, stream_id: int, t0: int) -> None:
    payment_streams.pause(stream_id, sender=stream_sender)
    with reverts_with(payment_streams.StreamsStreamPaused, streamId=stream_id):
        payment_streams.extendStream(stream_id, 1, t0 + 5000, sender=stream_sender, value=1)


def test_extend_with_wrong_value_reverts(payment_streams: Any, stream_sender: Any, stream_id: int, t0: int) -> None:
    with reverts_with(payment_streams.StreamsWrongNativeValue, expected=5, sent=4):
        payment_streams.extendStream(stream_id, 5, t0 + 5000, sender=stream_sender, value=4)


def test_a_contract_opens_and_extends_a_stream_it_funds(
    project: Any, payment_streams: Any, streams_admin: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    # The milestone path of a FundingRound: it opens a stream to the founder, extends it on the
    # next approval, and as the stream's sender gets the unvested part back on cancel.
    round_contract = streams_admin.deploy(project.MockStreamFunder, payment_streams, value=3 * ONE_MATIC)
    at(t0)
    opened = round_contract.openStream(stream_recipient, ONE_MATIC, t0, t0 + DURATION, sender=streams_admin)
    stream_id = opened.events[0].streamId
    assert payment_streams.getStream(stream_id).sender == round_contract.address
    at(t0 + 500)
    round_contract.extendStream(stream_id, ONE_MATIC, t0 + 1500, sender=streams_admin)
    assert payment_streams.getStream(stream_id).deposit == 2 * ONE_MATIC
    at(t0 + 1000)
    assert payment_streams.isAdminControlled(stream_id)  # a contract's own stream: a platform escrow
    payment_streams.cancel(stream_id, sender=streams_admin)  # the stream admin (DAO) stops it

    refund = payment_streams.refundableAmountOf(stream_id)
    assert refund == 2 * ONE_MATIC - (ONE_MATIC // 2 + ONE_MATIC * 3 // 4)
    round_contract.withdrawRefund(stream_id, sender=streams_admin)
    assert round_contract.balance == ONE_MATIC + refund


# ----- unknown streams -----


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("withdraw", ()),
        ("withdrawRefund", ()),
        ("cancel", ()),
        ("pause", ()),
        ("resume", ()),
        ("extendStream", (1, 2**39)),
        ("getStream", ()),
        ("vestedAmountOf", ()),
        ("withdrawableAmountOf", ()),
        ("refundableAmountOf", ()),
        ("isAdminControlled", ()),
        ("setAdminControl", (True,)),
    ],
)
def test_unknown_stream_reverts(payment_streams: Any, stream_sender: Any, name: str, args: tuple[int, ...]) -> None:
    method = getattr(payment_streams, name)
    kwargs = {} if name.endswith(("Of", "getStream", "isAdminControlled")) else {"sender": stream_sender}
    with reverts_with(payment_streams.StreamsUnknownStream, streamId=99):
        method(99, *args, **kwargs)
