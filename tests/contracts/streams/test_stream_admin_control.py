"""Streams: who may cancel, pause and resume (the sender; a stream admin only with the sender's
consent), and fee-on-transfer deposits booked at what arrived."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.reverts import reverts_with
from tests.contracts.streams.conftest import NATIVE, ONE_MATIC

At = Callable[[int], None]
DEPOSIT = 1_000 * ONE_MATIC
DURATION = 1_000


@pytest.fixture
def t0(chain: Any) -> int:
    return int(chain.pending_timestamp) + 100


@pytest.fixture
def own_stream(payment_streams: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At) -> int:
    """A wallet's own native stream over [t0, t0 + 1000]: out of the admins' reach by default."""
    at(t0)
    receipt = payment_streams.createStream(
        stream_sender, stream_recipient, NATIVE, DEPOSIT, t0, 0, t0 + DURATION, sender=stream_sender, value=DEPOSIT
    )
    return int(receipt.events.filter(payment_streams.StreamCreated)[0].streamId)


@pytest.mark.parametrize("action", ["cancel", "pause", "resume"])
def test_a_stream_admin_cannot_touch_a_third_partys_stream(
    payment_streams: Any, streams_guardian: Any, streams_admin: Any, own_stream: int, action: str
) -> None:
    assert not payment_streams.isAdminControlled(own_stream)
    for admin in (streams_guardian, streams_admin):
        with reverts_with(payment_streams.StreamsUnauthorized, streamId=own_stream, caller=admin.address):
            getattr(payment_streams, action)(own_stream, sender=admin)
    assert not payment_streams.getStream(own_stream).cancelled


def test_a_stream_funded_for_another_sender_starts_out_of_the_admins_reach(
    payment_streams: Any, streams_outsider: Any, stream_sender: Any, stream_recipient: Any, t0: int
) -> None:
    receipt = payment_streams.createStream(
        stream_sender, stream_recipient, NATIVE, 10, t0, 0, t0 + DURATION, sender=streams_outsider, value=10
    )

    assert receipt.events.filter(payment_streams.StreamAdminControlSet) == []
    assert not payment_streams.isAdminControlled(receipt.events[0].streamId)


def test_the_sender_opts_in_and_out_of_admin_control(
    payment_streams: Any, stream_sender: Any, streams_guardian: Any, own_stream: int, t0: int, at: At
) -> None:
    receipt = payment_streams.setAdminControl(own_stream, True, sender=stream_sender)
    assert receipt.events == [
        payment_streams.StreamAdminControlSet(streamId=own_stream, sender=stream_sender, adminControlled=True)
    ]
    assert payment_streams.isAdminControlled(own_stream)
    at(t0 + 100)
    payment_streams.pause(own_stream, sender=streams_guardian)
    payment_streams.resume(own_stream, sender=streams_guardian)

    payment_streams.setAdminControl(own_stream, False, sender=stream_sender)

    assert not payment_streams.isAdminControlled(own_stream)
    with reverts_with(payment_streams.StreamsUnauthorized, streamId=own_stream, caller=streams_guardian.address):
        payment_streams.cancel(own_stream, sender=streams_guardian)
    payment_streams.cancel(own_stream, sender=stream_sender)  # the sender keeps full control
    assert payment_streams.getStream(own_stream).cancelled


@pytest.mark.parametrize("caller", ["streams_guardian", "streams_admin", "stream_recipient", "streams_outsider"])
def test_only_the_sender_sets_admin_control(
    request: pytest.FixtureRequest, payment_streams: Any, own_stream: int, caller: str
) -> None:
    account = request.getfixturevalue(caller)
    with reverts_with(payment_streams.StreamsNotSender, streamId=own_stream, caller=account.address):
        payment_streams.setAdminControl(own_stream, True, sender=account)


def test_control_cannot_be_withdrawn_under_an_admin_pause(
    payment_streams: Any, stream_sender: Any, streams_guardian: Any, own_stream: int
) -> None:
    payment_streams.setAdminControl(own_stream, True, sender=stream_sender)
    payment_streams.pause(own_stream, sender=streams_guardian)

    with reverts_with(payment_streams.StreamsAdminPauseHolds, streamId=own_stream):
        payment_streams.setAdminControl(own_stream, False, sender=stream_sender)
    payment_streams.resume(own_stream, sender=streams_guardian)  # so the admin pause can always be lifted
    payment_streams.setAdminControl(own_stream, False, sender=stream_sender)
    assert not payment_streams.isAdminControlled(own_stream)


def test_a_senders_own_pause_does_not_block_opting_out(
    payment_streams: Any, stream_sender: Any, own_stream: int
) -> None:
    payment_streams.setAdminControl(own_stream, True, sender=stream_sender)
    payment_streams.pause(own_stream, sender=stream_sender)

    payment_streams.setAdminControl(own_stream, False, sender=stream_sender)

    assert payment_streams.resume(own_stream, sender=stream_sender).events[0].by == stream_sender.address


def test_a_contracts_own_stream_starts_under_admin_control(
    project: Any, payment_streams: Any, streams_admin: Any, streams_guardian: Any, stream_recipient: Any, t0: int
) -> None:
    funder = streams_admin.deploy(project.MockStreamFunder, payment_streams, value=ONE_MATIC)

    receipt = funder.openStream(stream_recipient, ONE_MATIC, t0, t0 + DURATION, sender=streams_admin)

    stream_id = receipt.events[0].streamId
    assert payment_streams.isAdminControlled(stream_id)
    assert receipt.events.filter(payment_streams.StreamAdminControlSet) == [
        payment_streams.StreamAdminControlSet(streamId=stream_id, sender=funder, adminControlled=True)
    ]
    payment_streams.pause(stream_id, sender=streams_guardian)  # the DAO's emergency stop for platform escrows


# ----- fee-on-transfer deposits -----


@pytest.fixture
def fee_token(project: Any, streams_admin: Any, stream_sender: Any, payment_streams: Any) -> Any:
    token = streams_admin.deploy(project.TestFeeOnTransferToken)
    token.mint(stream_sender, 10_000 * ONE_MATIC, sender=streams_admin)
    token.approve(payment_streams, 2**256 - 1, sender=stream_sender)
    return token


def test_a_fee_on_transfer_deposit_is_booked_at_what_arrived(
    payment_streams: Any, fee_token: Any, stream_sender: Any, stream_recipient: Any, t0: int, at: At
) -> None:
    at(t0)
    receipt = payment_streams.createStream(
        stream_sender, stream_recipient, fee_token, DEPOSIT, t0, 0, t0 + DURATION, sender=stream_sender
    )

    arrived = DEPOSIT - DEPOSIT // 100
    created = receipt.events.filter(payment_streams.StreamCreated)[0]
    assert created.deposit == arrived
    stream_id = created.streamId
    assert payment_streams.getStream(stream_id).deposit == arrived
    assert fee_token.balanceOf(payment_streams) == arrived

    at(t0 + 500)
    extended = payment_streams.extendStream(stream_id, DEPOSIT, t0 + DURATION, sender=stream_sender)
    event = extended.events.filter(payment_streams.StreamExtended)[0]
    assert (event.extraAmount, event.deposit) == (arrived, 2 * arrived)
    assert fee_token.balanceOf(payment_streams) == 2 * arrived

    # Everything booked can be paid out: the escrow is never short.
    at(t0 + DURATION)
    payment_streams.withdraw(stream_id, sender=stream_recipient)
    assert fee_token.balanceOf(payment_streams) == 0
    assert fee_token.balanceOf(stream_recipient) == 2 * arrived - (2 * arrived) // 100


def test_admin_hand_over_is_grant_then_renounce(
    payment_streams: Any, streams_admin: Any, streams_outsider: Any
) -> None:
    # Decision (NatSpec): no two-step transfer, the admin is the DAO timelock; a grant keeps the old admin.
    role = payment_streams.DEFAULT_ADMIN_ROLE()
    payment_streams.grantRole(role, streams_outsider, sender=streams_admin)
    assert payment_streams.hasRole(role, streams_admin) and payment_streams.hasRole(role, streams_outsider)
    payment_streams.renounceRole(role, streams_admin, sender=streams_admin)
    assert not payment_streams.hasRole(role, streams_admin)
