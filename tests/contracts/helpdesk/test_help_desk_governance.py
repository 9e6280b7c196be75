"""HelpDesk driven by the real DAO: an ordinary HELP_REQUEST proposal approves a withdrawal,
and the emergency path (guardians fast-track an emergency proposal, then release up to the cap
through the council's M-of-N) pays a critical request quickly."""

from typing import Any

import pytest

from tests.contracts.conftest import TIMELOCK_DELAY, TIMELOCK_MIN_DELAY
from tests.contracts.governance.lifecycle import (
    EXECUTED,
    FOR,
    HELP_REQUEST,
    allow_calls,
    enact,
    end_voting,
    execute,
    propose,
    queue,
    selector,
    start_voting,
    wait_seconds,
)
from tests.contracts.reverts import reverts_with

ONE = 10**18
NATIVE = "0x0000000000000000000000000000000000000000"
DAY = 24 * 3600
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
EMERGENCY_CAP = 2 * ONE


@pytest.fixture
def governed_help_desk(
    chain: Any,
    project: Any,
    owner: Any,
    dao: Any,
    timelock: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
    other_donor: Any,
) -> Any:
    """Wired as in production: the timelock approves and administers, the council releases;
    HELP_REQUEST proposals may approve withdrawals and flag emergencies (the production policy)."""
    help_desk = owner.deploy(project.HelpDesk, owner, timelock)
    help_desk.setEmergencyCap(NATIVE, EMERGENCY_CAP, sender=owner)
    help_desk.grantRole(help_desk.APPROVER_ROLE(), timelock, sender=owner)
    help_desk.grantRole(help_desk.GUARDIAN_ROLE(), council, sender=owner)
    help_desk.grantRole(help_desk.DEFAULT_ADMIN_ROLE(), timelock, sender=owner)
    for role in (help_desk.APPROVER_ROLE(), help_desk.PAUSER_ROLE(), help_desk.DEFAULT_ADMIN_ROLE()):
        help_desk.renounceRole(role, owner, sender=owner)
    entries = [
        (HELP_REQUEST, help_desk, selector(help_desk.approveWithdrawal), True),
        (HELP_REQUEST, help_desk, selector(help_desk.flagEmergency), True),
        (HELP_REQUEST, help_desk, selector(help_desk.rejectRequest), False),
    ]
    allow_calls(chain, project, dao, council, guardians, [donor, other_donor], entries)
    return help_desk


def _open(chain: Any, help_desk: Any, requester: Any, *, critical: bool) -> int:
    deadline = chain.pending_timestamp + 14 * DAY
    receipt = help_desk.openRequest(NATIVE, 5 * ONE, "flood", "u4pruyd", CID, critical, deadline, sender=requester)
    return int(receipt.events[0].requestId)


def test_help_request_withdrawal_approved_by_a_dao_proposal(
    chain: Any, governed_help_desk: Any, dao: Any, owner: Any, donor: Any, other_donor: Any, accounts: Any
) -> None:
    requester = accounts[9]
    request_id = _open(chain, governed_help_desk, requester, critical=False)
    governed_help_desk.donate(request_id, sender=donor, value=3 * ONE)
    governed_help_desk.donate(request_id, sender=other_donor, value=ONE)
    with reverts_with(governed_help_desk.AccessControlUnauthorizedAccount):
        governed_help_desk.approveWithdrawal(request_id, NATIVE, ONE, sender=owner)  # the deployer gave it up

    approve = governed_help_desk.approveWithdrawal.encode_input(request_id, NATIVE, 3 * ONE)
    proposal = propose(dao, donor, [(governed_help_desk, 0, approve)], f"Help request #{request_id}", HELP_REQUEST)
    receipt = enact(chain, dao, proposal, [donor, other_donor], TIMELOCK_DELAY)

    assert dao.state(proposal.id) == EXECUTED
    assert receipt.events.filter(governed_help_desk.WithdrawalApproved) == [
        governed_help_desk.WithdrawalApproved(request_id, NATIVE, 3 * ONE, 3 * ONE)
    ]
    before = requester.balance
    withdrawal = governed_help_desk.withdraw(request_id, NATIVE, 3 * ONE, sender=requester)
    assert requester.balance == before + 3 * ONE - withdrawal.total_fees_paid
    with reverts_with(governed_help_desk.HelpDeskExceedsApproved, requested=1, withdrawable=0):
        governed_help_desk.withdraw(request_id, NATIVE, 1, sender=requester)


def test_emergency_path_fast_tracks_and_releases_up_to_the_cap(
    chain: Any,
    governed_help_desk: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
    accounts: Any,
) -> None:
    requester = accounts[9]
    request_id = _open(chain, governed_help_desk, requester, critical=True)
    governed_help_desk.donate(request_id, sender=donor, value=4 * ONE)

    flag = governed_help_desk.flagEmergency.encode_input(request_id)
    proposal = propose(dao, donor, [(governed_help_desk, 0, flag)], f"Emergency: request #{request_id}", HELP_REQUEST)
    council.supportEmergency(proposal.id, sender=guardians[0])
    council.supportEmergency(proposal.id, sender=guardians[1])  # the threshold: fast-tracked
    assert council.isFastTracked(proposal.id)
    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposal)
    queue(dao, proposal, donor)
    wait_seconds(chain, TIMELOCK_MIN_DELAY)  # the emergency delay, not the ordinary hour
    executed = execute(dao, proposal, donor)
    assert executed.events.filter(governed_help_desk.EmergencyFlagged)

    release = governed_help_desk.emergencyRelease.encode_input(request_id, NATIVE, EMERGENCY_CAP)
    salt = b"\x01" * 32
    council.confirmAction(governed_help_desk, release, salt, sender=guardians[0])
    assert governed_help_desk.ledger(request_id, NATIVE).approved == 0  # one guardian is not enough
    confirmed = council.confirmAction(governed_help_desk, release, salt, sender=guardians[2])
    assert confirmed.events.filter(governed_help_desk.EmergencyReleased) == [
        governed_help_desk.EmergencyReleased(request_id, NATIVE, EMERGENCY_CAP, EMERGENCY_CAP, EMERGENCY_CAP)
    ]
    governed_help_desk.withdraw(request_id, NATIVE, EMERGENCY_CAP, sender=requester)

    more = governed_help_desk.emergencyRelease.encode_input(request_id, NATIVE, 1)
    council.confirmAction(governed_help_desk, more, salt, sender=guardians[0])
    with reverts_with(governed_help_desk.HelpDeskEmergencyCapExceeded, requested=1, remaining=0):
        council.confirmAction(governed_help_desk, more, salt, sender=guardians[1])
