"""GuardianCouncil: M-of-N membership, treasury-spend approvals, owner-only changes."""

from typing import Any

import pytest

from tests.contracts.conftest import TIMELOCK_DELAY
from tests.contracts.governance.lifecycle import TREASURY_SPEND, enact, propose
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


def test_approvals_only_for_treasury_spends_once_per_guardian(
    dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any, stranger: Any
) -> None:
    help_request = propose(dao, donor, [(dao_token, 0, dao_token.name.encode_input())], "help")
    spend = propose(dao, donor, [(stranger, 1, b"")], "spend", TREASURY_SPEND)

    with reverts_with(council.GuardianCouncilNotTreasurySpend, proposalId=help_request.id):
        council.approveTreasurySpend(help_request.id, sender=guardians[0])
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
    removal = propose(
        dao, donor, [(council, 0, council.removeGuardian.encode_input(guardians[0]))], "remove guardian 0"
    )

    receipt = enact(chain, dao, removal, [donor, other_donor], TIMELOCK_DELAY)

    assert receipt.events.filter(council.GuardianRemoved) == [council.GuardianRemoved(guardians[0])]
    assert council.treasurySpendApprovals(spend.id) == 1
    assert not council.isTreasurySpendApproved(spend.id)


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
