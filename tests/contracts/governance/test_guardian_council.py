"""GuardianCouncil: M-of-N membership, approvals of TREASURY_SPEND and ADMIN proposals (revocable,
not revived by re-adding a guardian), confirmed calls, owner-only changes, two-step hand-over."""

from typing import Any

import pytest

from tests.contracts.conftest import TIMELOCK_DELAY
from tests.contracts.governance.lifecycle import (
    ADMIN,
    HELP_REQUEST,
    TREASURY_SPEND,
    enact,
    pass_proposal,
    propose,
    queue,
)
from tests.contracts.reverts import reverts_with

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@pytest.fixture(scope="session")
def standalone_council(project: Any, owner: Any, guardians: list[Any]) -> Any:
    """A council owned by an EOA and bound to no DAO, for membership rules."""
    return owner.deploy(project.GuardianCouncil, owner, guardians[:2], 1)


def test_construction_records_guardians_and_threshold(council: Any, guardians: list[Any]) -> None:
    assert council.guardians() == [g.address for g in guardians]
    assert council.threshold() == 2
    assert all(council.isGuardian(g) for g in guardians)
    assert council.MAX_GUARDIANS() == 20


def test_construction_bad_input(project: Any, owner: Any, council: Any, guardians: list[Any]) -> None:
    cases: list[tuple[list[Any], int, Any, dict[str, Any]]] = [
        (guardians, 0, council.GuardianCouncilInvalidThreshold, {"threshold": 0, "guardians": 3}),
        (guardians, 4, council.GuardianCouncilInvalidThreshold, {"threshold": 4, "guardians": 3}),
        ([guardians[0], ZERO_ADDRESS], 1, council.GuardianCouncilZeroAddress, {}),
        ([guardians[0], guardians[0]], 1, council.GuardianCouncilAlreadyGuardian, {"account": guardians[0].address}),
    ]
    for members, threshold, error, inputs in cases:
        with reverts_with(error, **inputs):
            owner.deploy(project.GuardianCouncil, owner, members, threshold)


def test_at_most_twenty_guardians(project: Any, owner: Any, council: Any) -> None:
    members = [f"0x{i:040x}" for i in range(1, 21)]
    full = owner.deploy(project.GuardianCouncil, owner, members, 20)
    with reverts_with(council.GuardianCouncilTooManyGuardians, max=20):
        full.addGuardian(f"0x{21:040x}", sender=owner)


def test_owner_manages_membership(standalone_council: Any, owner: Any, guardians: list[Any]) -> None:
    council = standalone_council
    added = council.addGuardian(guardians[2], sender=owner)
    raised = council.setThreshold(3, sender=owner)
    assert added.events == [council.GuardianAdded(guardians[2])]
    assert raised.events == [council.ThresholdSet(1, 3)]

    with reverts_with(council.GuardianCouncilInvalidThreshold, threshold=3, guardians=2):
        council.removeGuardian(guardians[0], sender=owner)
    council.setThreshold(2, sender=owner)
    removed = council.removeGuardian(guardians[0], sender=owner)

    assert removed.events == [council.GuardianRemoved(guardians[0])]
    assert set(council.guardians()) == {guardians[1].address, guardians[2].address}
    assert not council.isGuardian(guardians[0])


def test_membership_bad_input(standalone_council: Any, owner: Any, guardians: list[Any], stranger: Any) -> None:
    council = standalone_council
    with reverts_with(council.GuardianCouncilNotGuardian, account=stranger.address):
        council.removeGuardian(stranger, sender=owner)
    with reverts_with(council.GuardianCouncilAlreadyGuardian, account=guardians[0].address):
        council.addGuardian(guardians[0], sender=owner)
    with reverts_with(council.GuardianCouncilZeroAddress):
        council.addGuardian(ZERO_ADDRESS, sender=owner)
    with reverts_with(council.GuardianCouncilInvalidThreshold, threshold=3, guardians=2):
        council.setThreshold(3, sender=owner)
    with reverts_with(council.GuardianCouncilZeroAddress):
        council.setDAO(ZERO_ADDRESS, sender=owner)


def test_membership_changes_are_owner_only(standalone_council: Any, guardians: list[Any], stranger: Any) -> None:
    council = standalone_council
    calls = [
        lambda: council.addGuardian(stranger, sender=stranger),
        lambda: council.removeGuardian(guardians[0], sender=stranger),
        lambda: council.setThreshold(2, sender=stranger),
        lambda: council.setDAO(stranger, sender=stranger),
    ]
    for call in calls:
        with reverts_with(council.OwnableUnauthorizedAccount, account=stranger.address):
            call()


def test_actions_need_a_dao(standalone_council: Any, guardians: list[Any]) -> None:
    with reverts_with(standalone_council.GuardianCouncilDAONotSet):
        standalone_council.approveTreasurySpend(1, sender=guardians[0])
    with reverts_with(standalone_council.GuardianCouncilDAONotSet):
        standalone_council.supportEmergency(1, sender=guardians[0])


def test_set_dao_emits(standalone_council: Any, owner: Any, dao: Any) -> None:
    receipt = standalone_council.setDAO(dao, sender=owner)
    assert receipt.events == [standalone_council.DAOSet(ZERO_ADDRESS, dao)]
    assert standalone_council.dao() == dao


def test_approvals_only_for_treasury_spends_and_admin_once_per_guardian(
    dao: Any, help_requests: Any, council: Any, guardians: list[Any], donor: Any, stranger: Any
) -> None:
    help_request = propose(dao, donor, [(help_requests, 0, help_requests.approveWithdrawal.encode_input(1, 1))], "help")
    spend = propose(dao, donor, [(stranger, 1, b"")], "spend", TREASURY_SPEND)
    admin = propose(dao, donor, [(dao, 0, dao.setTimelockDelay.encode_input(1))], "admin", ADMIN)

    with reverts_with(council.GuardianCouncilApprovalNotNeeded, proposalId=help_request.id, proposalType=HELP_REQUEST):
        council.approveTreasurySpend(help_request.id, sender=guardians[0])
    admin_approval = council.approveTreasurySpend(admin.id, sender=guardians[1])
    assert admin_approval.events == [council.TreasurySpendApproved(admin.id, guardians[1], 1)]
    with reverts_with(dao.GovernorNonexistentProposal, proposalId=42):
        council.approveTreasurySpend(42, sender=guardians[0])
    with reverts_with(council.GuardianCouncilNotGuardian, account=donor.address):
        council.approveTreasurySpend(spend.id, sender=donor)
    council.approveTreasurySpend(spend.id, sender=guardians[0])
    with reverts_with(council.GuardianCouncilAlreadyApproved, proposalId=spend.id, guardian=guardians[0].address):
        council.approveTreasurySpend(spend.id, sender=guardians[0])
    assert council.treasurySpendApprovals(spend.id) == 1
    assert not council.isTreasurySpendApproved(spend.id)


def test_removing_a_guardian_through_governance_drops_their_approval(
    chain: Any, dao: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any, stranger: Any
) -> None:
    spend = propose(dao, donor, [(stranger, 1, b"")], "spend", TREASURY_SPEND)
    council.approveTreasurySpend(spend.id, sender=guardians[0])
    council.approveTreasurySpend(spend.id, sender=guardians[1])
    assert council.isTreasurySpendApproved(spend.id)
    actions = [(council, 0, council.removeGuardian.encode_input(guardians[0]))]
    removal = propose(dao, donor, actions, "remove guardian 0", ADMIN)

    receipt = enact(chain, dao, removal, [donor, other_donor], TIMELOCK_DELAY, council, (guardians[1], guardians[2]))

    assert receipt.events.filter(council.GuardianRemoved) == [council.GuardianRemoved(guardians[0])]
    assert council.treasurySpendApprovals(spend.id) == 1
    assert not council.isTreasurySpendApproved(spend.id)


def test_re_added_guardian_approvals_do_not_revive(
    chain: Any, dao: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any, stranger: Any
) -> None:
    spend = propose(dao, donor, [(stranger, 1, b"")], "spend", TREASURY_SPEND)
    council.approveTreasurySpend(spend.id, sender=guardians[0])
    council.approveTreasurySpend(spend.id, sender=guardians[1])
    actions = [
        (council, 0, council.removeGuardian.encode_input(guardians[0])),
        (council, 0, council.addGuardian.encode_input(guardians[0])),
    ]
    churn = propose(dao, donor, actions, "remove and re-add guardian 0", ADMIN)

    enact(chain, dao, churn, [donor, other_donor], TIMELOCK_DELAY, council, (guardians[1], guardians[2]))

    assert council.isGuardian(guardians[0])
    assert council.treasurySpendApprovals(spend.id) == 1  # guardian 0's old approval stays dead
    assert not council.isTreasurySpendApproved(spend.id)
    council.approveTreasurySpend(spend.id, sender=guardians[0])  # a fresh approval counts
    assert council.treasurySpendApprovals(spend.id) == 2


def test_approval_can_be_revoked_before_queueing(
    chain: Any, dao: Any, council: Any, guardians: list[Any], donor: Any, stranger: Any
) -> None:
    admin = propose(dao, donor, [(dao, 0, dao.setTimelockDelay.encode_input(1))], "admin", ADMIN)
    pass_proposal(chain, dao, admin, [donor])
    council.approveTreasurySpend(admin.id, sender=guardians[0])
    council.approveTreasurySpend(admin.id, sender=guardians[1])

    revoked = council.revokeTreasurySpendApproval(admin.id, sender=guardians[1])

    assert revoked.events == [council.TreasurySpendApprovalRevoked(admin.id, guardians[1], 1)]
    with reverts_with(dao.DAOCoreGuardianApprovalMissing, proposalId=admin.id, approvals=1, threshold=2):
        queue(dao, admin, donor)
    with reverts_with(council.GuardianCouncilNotApproved, proposalId=admin.id, guardian=guardians[1].address):
        council.revokeTreasurySpendApproval(admin.id, sender=guardians[1])
    with reverts_with(council.GuardianCouncilNotApproved, proposalId=admin.id, guardian=guardians[2].address):
        council.revokeTreasurySpendApproval(admin.id, sender=guardians[2])
    with reverts_with(council.GuardianCouncilNotGuardian, account=stranger.address):
        council.revokeTreasurySpendApproval(admin.id, sender=stranger)
    council.approveTreasurySpend(admin.id, sender=guardians[2])
    queue(dao, admin, donor)


def test_emergency_support_can_be_revoked_until_fast_tracked(
    dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = propose(dao, donor, [(emergency_desk, 0, emergency_desk.flagEmergency.encode_input(1))], "quake")
    council.supportEmergency(proposal.id, sender=guardians[0])

    revoked = council.revokeEmergencySupport(proposal.id, sender=guardians[0])

    assert revoked.events == [council.EmergencySupportRevoked(proposal.id, guardians[0], 0)]
    with reverts_with(council.GuardianCouncilNotSupported, proposalId=proposal.id, guardian=guardians[0].address):
        council.revokeEmergencySupport(proposal.id, sender=guardians[0])
    council.supportEmergency(proposal.id, sender=guardians[1])
    assert not council.isFastTracked(proposal.id)  # one supporter left: below the threshold
    council.supportEmergency(proposal.id, sender=guardians[2])
    assert council.isFastTracked(proposal.id)
    with reverts_with(council.GuardianCouncilAlreadyFastTracked, proposalId=proposal.id):
        council.revokeEmergencySupport(proposal.id, sender=guardians[1])


def test_deployer_binds_the_dao_once(project: Any, owner: Any, council: Any, dao: Any, timelock: Any) -> None:
    with reverts_with(council.OwnableUnauthorizedAccount, account=owner.address):
        council.setDAO(owner, sender=owner)  # already bound by the fixture's deployer
    fresh = owner.deploy(project.GuardianCouncil, timelock, [owner], 1)
    bound = fresh.setDAO(dao, sender=owner)
    assert bound.events == [fresh.DAOSet(ZERO_ADDRESS, dao)]
    assert fresh.owner() == timelock
    with reverts_with(fresh.OwnableUnauthorizedAccount, account=owner.address):
        fresh.setDAO(owner, sender=owner)


def test_ownership_hand_over_is_two_step(standalone_council: Any, owner: Any, stranger: Any, donor: Any) -> None:
    council = standalone_council
    started = council.transferOwnership(stranger, sender=owner)

    assert started.events == [council.OwnershipTransferStarted(owner, stranger)]
    assert council.owner() == owner
    assert council.pendingOwner() == stranger
    with reverts_with(council.OwnableUnauthorizedAccount, account=donor.address):
        council.acceptOwnership(sender=donor)
    accepted = council.acceptOwnership(sender=stranger)
    assert accepted.events == [council.OwnershipTransferred(owner, stranger)]
    assert council.owner() == stranger
    with reverts_with(council.OwnableUnauthorizedAccount, account=owner.address):
        council.setThreshold(1, sender=owner)


# ----- confirmed calls (M of N) -----

SALT = b"\x01" * 32


@pytest.fixture(scope="session")
def council_target(project: Any, owner: Any, council: Any) -> Any:
    """A contract that only the council may call (stands in for HelpDesk.emergencyRelease)."""
    return owner.deploy(project.TestRoundFactory, council)


def test_call_runs_when_threshold_confirms(council: Any, council_target: Any, guardians: list[Any]) -> None:
    data = council_target.greenLight.encode_input(5)
    action_id = council.hashAction(council_target, data, SALT)

    first = council.confirmAction(council_target, data, SALT, sender=guardians[0])
    assert first.events == [council.ActionConfirmed(action_id, guardians[0], council_target, data, 1)]
    assert not council_target.isGreenLit(5)
    second = council.confirmAction(council_target, data, SALT, sender=guardians[2])

    assert second.events == [
        council.ActionConfirmed(action_id, guardians[2], council_target, data, 2),
        council_target.RoundGreenLit(5),
        council.ActionExecuted(action_id, council_target, b""),
    ]
    assert council_target.isGreenLit(5)
    assert council.isActionExecuted(action_id)
    assert council.actionConfirmations(action_id) == 2


def test_confirmation_can_be_revoked_until_executed(council: Any, council_target: Any, guardians: list[Any]) -> None:
    data = council_target.greenLight.encode_input(8)
    action_id = council.hashAction(council_target, data, SALT)
    council.confirmAction(council_target, data, SALT, sender=guardians[0])

    revoked = council.revokeActionConfirmation(action_id, sender=guardians[0])

    assert revoked.events == [council.ActionConfirmationRevoked(action_id, guardians[0], 0)]
    with reverts_with(council.GuardianCouncilNotConfirmed, actionId=action_id, guardian=guardians[0].address):
        council.revokeActionConfirmation(action_id, sender=guardians[0])
    council.confirmAction(council_target, data, SALT, sender=guardians[1])
    assert not council_target.isGreenLit(8)  # one confirmation left
    council.confirmAction(council_target, data, SALT, sender=guardians[2])
    assert council_target.isGreenLit(8)
    with reverts_with(council.GuardianCouncilActionAlreadyExecuted, actionId=action_id):
        council.revokeActionConfirmation(action_id, sender=guardians[1])


def test_confirmations_are_guardian_only_once_and_not_after_execution(
    council: Any, council_target: Any, guardians: list[Any], stranger: Any
) -> None:
    data = council_target.greenLight.encode_input(6)
    action_id = council.hashAction(council_target, data, SALT)
    with reverts_with(council.GuardianCouncilNotGuardian, account=stranger.address):
        council.confirmAction(council_target, data, SALT, sender=stranger)
    council.confirmAction(council_target, data, SALT, sender=guardians[0])
    with reverts_with(council.GuardianCouncilAlreadyConfirmed, actionId=action_id, guardian=guardians[0].address):
        council.confirmAction(council_target, data, SALT, sender=guardians[0])
    council.confirmAction(council_target, data, SALT, sender=guardians[1])
    with reverts_with(council.GuardianCouncilActionAlreadyExecuted, actionId=action_id):
        council.confirmAction(council_target, data, SALT, sender=guardians[2])
    with reverts_with(council.GuardianCouncilZeroAddress):
        council.confirmAction(ZERO_ADDRESS, data, SALT, sender=guardians[0])


def test_failing_call_reverts_the_deciding_confirmation(
    project: Any, owner: Any, council: Any, guardians: list[Any], timelock: Any
) -> None:
    not_ours = owner.deploy(project.TestRoundFactory, timelock)  # refuses the council
    data = not_ours.greenLight.encode_input(7)
    action_id = council.hashAction(not_ours, data, SALT)
    council.confirmAction(not_ours, data, SALT, sender=guardians[0])

    with reverts_with(not_ours.TestRoundFactoryOnlyTimelock, caller=council.address):
        council.confirmAction(not_ours, data, SALT, sender=guardians[1])

    assert not council.isActionExecuted(action_id)
    assert council.actionConfirmations(action_id) == 1
