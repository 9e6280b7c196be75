"""DAOCore emergency fast-track by the guardian council."""

from typing import Any

from tests.contracts.conftest import TIMELOCK_DELAY, TIMELOCK_MIN_DELAY, TOKEN, VOTING_PERIOD
from tests.contracts.governance.lifecycle import (
    ACTIVE,
    DEFEATED,
    EXECUTED,
    FOR,
    FOUNDER_IDEA,
    SUCCEEDED,
    Proposal,
    enact,
    end_voting,
    execute,
    mine_until,
    propose,
    queue,
    start_voting,
    vote_refused,
    wait_seconds,
)
from tests.contracts.reverts import reverts_with

EMERGENCY_PERIOD = VOTING_PERIOD // 4
EMERGENCY_QUORUM_BPS = 2000


def _help_request(dao: Any, dao_token: Any, proposer: Any, title: str = "Emergency: earthquake") -> Proposal:
    return propose(dao, proposer, [(dao_token, 0, dao_token.name.encode_input())], title)


def test_guardians_fast_track_a_help_request(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, dao_token, donor)
    snapshot = dao.proposalSnapshot(proposal.id)

    first = council.supportEmergency(proposal.id, sender=guardians[0])
    assert first.events == [council.EmergencySupported(proposal.id, guardians[0], 1)]
    assert dao.proposalDeadline(proposal.id) == snapshot + VOTING_PERIOD
    second = council.supportEmergency(proposal.id, sender=guardians[1])

    assert second.events == [
        council.EmergencySupported(proposal.id, guardians[1], 2),
        dao.EmergencyFastTracked(proposal.id, snapshot + EMERGENCY_PERIOD, EMERGENCY_QUORUM_BPS, 0),
    ]
    assert council.isFastTracked(proposal.id)
    assert council.emergencySupporters(proposal.id) == 2
    assert dao.proposalDeadline(proposal.id) == snapshot + EMERGENCY_PERIOD
    assert dao.proposalConfig(proposal.id) == (0, False, True, EMERGENCY_QUORUM_BPS, snapshot + EMERGENCY_PERIOD)

    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, FOR, sender=donor)  # 40 of 90 tokens: above the 20% emergency quorum
    end_voting(chain, dao, proposal)
    assert chain.blocks.head.number < snapshot + VOTING_PERIOD
    assert dao.state(proposal.id) == SUCCEEDED

    queued = queue(dao, proposal, donor)
    assert dao.proposalEta(proposal.id) == queued.timestamp + TIMELOCK_MIN_DELAY
    wait_seconds(chain, TIMELOCK_MIN_DELAY)
    execute(dao, proposal, donor)
    assert dao.state(proposal.id) == EXECUTED


def test_emergency_quorum_is_higher(
    chain: Any, accounts: Any, owner: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    holder = accounts.generate_test_account()
    owner.transfer(holder, TOKEN)
    dao_token.mint(holder, 10 * TOKEN, sender=owner)  # 10 of 100 tokens: above 4%, below 20%
    dao_token.invoke_transaction("delegate", holder, sender=holder)
    chain.mine()
    ordinary = _help_request(dao, dao_token, donor, "ordinary")
    emergency = _help_request(dao, dao_token, donor, "emergency")
    council.supportEmergency(emergency.id, sender=guardians[0])
    council.supportEmergency(emergency.id, sender=guardians[2])

    start_voting(chain, dao, emergency)
    dao.castVote(ordinary.id, FOR, sender=holder)
    dao.castVote(emergency.id, FOR, sender=holder)
    end_voting(chain, dao, ordinary)

    assert dao.proposalQuorum(ordinary.id) == 4 * TOKEN
    assert dao.proposalQuorum(emergency.id) == 20 * TOKEN
    assert dao.state(ordinary.id) == SUCCEEDED
    assert dao.state(emergency.id) == DEFEATED


def test_fast_track_late_in_voting_ends_voting_now(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, dao_token, donor)
    mine_until(chain, dao.proposalSnapshot(proposal.id) + EMERGENCY_PERIOD + 3)
    council.supportEmergency(proposal.id, sender=guardians[0])

    receipt = council.supportEmergency(proposal.id, sender=guardians[1])

    assert dao.proposalDeadline(proposal.id) == receipt.block_number
    assert receipt.events.filter(dao.EmergencyFastTracked) == [
        dao.EmergencyFastTracked(proposal.id, receipt.block_number, EMERGENCY_QUORUM_BPS, 0)
    ]
    chain.mine()
    assert dao.state(proposal.id) == DEFEATED  # the window closed at the fast-track block, with no votes
    with vote_refused(dao, proposal.id, DEFEATED):
        dao.castVote(proposal.id, FOR, sender=donor)


def test_only_help_requests_can_be_fast_tracked(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    idea = propose(dao, donor, [(dao_token, 0, dao_token.name.encode_input())], "idea", FOUNDER_IDEA)
    council.supportEmergency(idea.id, sender=guardians[0])
    with reverts_with(dao.DAOCoreNotHelpRequest, proposalId=idea.id):
        council.supportEmergency(idea.id, sender=guardians[1])
    assert not council.isFastTracked(idea.id)


def test_finished_proposals_cannot_be_fast_tracked(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, dao_token, donor)
    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposal)
    council.supportEmergency(proposal.id, sender=guardians[0])
    with reverts_with(dao.DAOCoreNotFastTrackable, proposalId=proposal.id, state=SUCCEEDED):
        council.supportEmergency(proposal.id, sender=guardians[1])


def test_fast_track_only_from_the_council(dao: Any, dao_token: Any, donor: Any, guardians: list[Any]) -> None:
    proposal = _help_request(dao, dao_token, donor)
    for caller in (donor, guardians[0]):
        with reverts_with(dao.DAOCoreOnlyGuardianCouncil, caller=caller.address):
            dao.fastTrack(proposal.id, sender=caller)


def test_council_refuses_repeat_and_outside_support(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, dao_token, donor)
    council.supportEmergency(proposal.id, sender=guardians[0])
    with reverts_with(council.GuardianCouncilAlreadySupported, proposalId=proposal.id, guardian=guardians[0].address):
        council.supportEmergency(proposal.id, sender=guardians[0])
    with reverts_with(council.GuardianCouncilNotGuardian, account=donor.address):
        council.supportEmergency(proposal.id, sender=donor)
    council.supportEmergency(proposal.id, sender=guardians[1])
    with reverts_with(council.GuardianCouncilAlreadyFastTracked, proposalId=proposal.id):
        council.supportEmergency(proposal.id, sender=guardians[2])
    assert dao.state(proposal.id) in (0, ACTIVE)


def test_fast_track_never_extends_voting(
    chain: Any, dao: Any, dao_token: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any
) -> None:
    longer = propose(dao, donor, [(dao, 0, dao.setEmergencyConfig.encode_input(100, 0, 3000))], "long emergencies")
    enact(chain, dao, longer, [donor, other_donor], TIMELOCK_DELAY)
    proposal = _help_request(dao, dao_token, donor)
    original = dao.proposalDeadline(proposal.id)
    council.supportEmergency(proposal.id, sender=guardians[0])

    receipt = council.supportEmergency(proposal.id, sender=guardians[1])

    assert dao.proposalDeadline(proposal.id) == original
    assert receipt.events.filter(dao.EmergencyFastTracked) == [dao.EmergencyFastTracked(proposal.id, original, 3000, 0)]
    assert dao.proposalConfig(proposal.id) == (0, False, True, 3000, original)
