"""DAOCore emergency fast-track by the guardian council: only HELP_REQUESTs made of emergency
operations, only while Pending or with enough of the vote left, at the higher quorum."""

from typing import Any

from tests.contracts.conftest import GUARDIAN_THRESHOLD, TIMELOCK_DELAY, TIMELOCK_MIN_DELAY, TOKEN, VOTING_PERIOD
from tests.contracts.governance.lifecycle import (
    ACTIVE,
    ADMIN,
    DEFEATED,
    EXECUTED,
    FOR,
    FOUNDER_IDEA,
    HELP_REQUEST,
    SUCCEEDED,
    Proposal,
    enact,
    end_voting,
    execute,
    mine_until,
    propose,
    queue,
    start_voting,
    wait_seconds,
)
from tests.contracts.reverts import reverts_with

EMERGENCY_PERIOD = VOTING_PERIOD // 4
EMERGENCY_QUORUM_BPS = 2000
MIN_BLOCKS_LEFT = EMERGENCY_PERIOD  # the constructor's default


def _help_request(dao: Any, desk: Any, proposer: Any, title: str = "Emergency: earthquake") -> Proposal:
    """A HELP_REQUEST made of an emergency operation (fast-trackable)."""
    return propose(dao, proposer, [(desk, 0, desk.flagEmergency.encode_input(7))], title)


def _admin(
    chain: Any, dao: Any, council: Any, guardians: list[Any], voters: list[Any], data: bytes, title: str
) -> None:
    proposal = propose(dao, voters[0], [(dao, 0, data)], title, ADMIN)
    enact(chain, dao, proposal, voters, TIMELOCK_DELAY, council, tuple(guardians[:GUARDIAN_THRESHOLD]))


def test_guardians_fast_track_a_help_request(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
    snapshot = dao.proposalSnapshot(proposal.id)

    first = council.supportEmergency(proposal.id, sender=guardians[0])
    assert first.events == [council.EmergencySupported(proposal.id, guardians[0], 1)]
    assert dao.proposalDeadline(proposal.id) == snapshot + VOTING_PERIOD
    second = council.supportEmergency(proposal.id, sender=guardians[1])

    # The emergency period from the snapshot, but at least MIN_BLOCKS_LEFT blocks from now.
    deadline = max(snapshot + EMERGENCY_PERIOD, second.block_number + MIN_BLOCKS_LEFT)
    assert deadline < snapshot + VOTING_PERIOD
    assert second.events == [
        council.EmergencySupported(proposal.id, guardians[1], 2),
        dao.EmergencyFastTracked(proposal.id, deadline, EMERGENCY_QUORUM_BPS, 0),
    ]
    assert council.isFastTracked(proposal.id)
    assert council.emergencySupporters(proposal.id) == 2
    assert dao.proposalDeadline(proposal.id) == deadline
    assert dao.proposalConfig(proposal.id) == (0, False, True, EMERGENCY_QUORUM_BPS, deadline, True)

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
    chain: Any,
    accounts: Any,
    owner: Any,
    dao: Any,
    dao_token: Any,
    emergency_desk: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
) -> None:
    holder = accounts.generate_test_account()
    owner.transfer(holder, TOKEN)
    dao_token.mint(holder, 10 * TOKEN, sender=owner)  # 10 of 100 tokens: above 4%, below 20%
    dao_token.invoke_transaction("delegate", holder, sender=holder)
    chain.mine()
    ordinary = _help_request(dao, emergency_desk, donor, "ordinary")
    emergency = _help_request(dao, emergency_desk, donor, "emergency")
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


def test_fast_track_never_lowers_a_types_higher_quorum(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any
) -> None:
    data = dao.setProposalTypeConfig.encode_input(HELP_REQUEST, 0, 5000, False)
    _admin(chain, dao, council, guardians, [donor, other_donor], data, "help requests need half")
    proposal = _help_request(dao, emergency_desk, donor)
    council.supportEmergency(proposal.id, sender=guardians[0])

    receipt = council.supportEmergency(proposal.id, sender=guardians[1])

    deadline = max(dao.proposalSnapshot(proposal.id) + EMERGENCY_PERIOD, receipt.block_number + MIN_BLOCKS_LEFT)
    assert receipt.events.filter(dao.EmergencyFastTracked) == [dao.EmergencyFastTracked(proposal.id, deadline, 5000, 0)]
    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, FOR, sender=donor)  # 40 of 90 tokens: above 20%, below 50%
    end_voting(chain, dao, proposal)
    assert dao.proposalQuorum(proposal.id) == 45 * TOKEN
    assert dao.state(proposal.id) == DEFEATED


def test_fast_track_while_active_leaves_the_minimum_window(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
    mine_until(chain, dao.proposalSnapshot(proposal.id) + EMERGENCY_PERIOD + 3)
    council.supportEmergency(proposal.id, sender=guardians[0])

    receipt = council.supportEmergency(proposal.id, sender=guardians[1])

    deadline = receipt.block_number + MIN_BLOCKS_LEFT
    assert dao.proposalDeadline(proposal.id) == deadline
    assert receipt.events.filter(dao.EmergencyFastTracked) == [
        dao.EmergencyFastTracked(proposal.id, deadline, EMERGENCY_QUORUM_BPS, 0)
    ]
    chain.mine(deadline - 1 - chain.blocks.head.number)
    last = dao.castVote(proposal.id, FOR, sender=donor)  # voters still had MIN_BLOCKS_LEFT blocks
    assert last.block_number == deadline
    chain.mine()
    assert dao.state(proposal.id) == SUCCEEDED


def test_fast_track_refused_when_too_little_of_the_vote_is_left(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
    deadline = dao.proposalDeadline(proposal.id)
    chain.mine(deadline - MIN_BLOCKS_LEFT - 2 - chain.blocks.head.number)
    council.supportEmergency(proposal.id, sender=guardians[0])  # in block deadline - MIN_BLOCKS_LEFT - 1

    with reverts_with(  # in block deadline - MIN_BLOCKS_LEFT + 1: one block too few left
        dao.DAOCoreTooLateToFastTrack, proposalId=proposal.id, blocksLeft=MIN_BLOCKS_LEFT - 1, minBlocksLeft=5
    ):
        chain.mine()
        council.supportEmergency(proposal.id, sender=guardians[1])
    assert dao.proposalDeadline(proposal.id) == deadline
    assert not council.isFastTracked(proposal.id)


def test_only_emergency_operations_can_be_fast_tracked(
    chain: Any,
    dao: Any,
    emergency_desk: Any,
    help_requests: Any,
    round_factory: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
) -> None:
    flag = (emergency_desk, 0, emergency_desk.flagEmergency.encode_input(7))
    approve = (help_requests, 0, help_requests.approveWithdrawal.encode_input(7, 1))
    reject = (emergency_desk, 0, emergency_desk.rejectRequest.encode_input(7))
    idea = propose(dao, donor, [(round_factory, 0, round_factory.greenLight.encode_input(7))], "idea", FOUNDER_IDEA)
    rejection = propose(dao, donor, [reject], "reject")
    mixed = propose(dao, donor, [flag, reject], "flag and reject")
    both_emergency = propose(dao, donor, [flag, approve], "flag and approve")
    assert [dao.proposalConfig(p.id).fastTrackable for p in (idea, rejection, mixed, both_emergency)] == [
        False,
        False,
        False,
        True,
    ]

    for proposal in (idea, rejection, mixed):
        council.supportEmergency(proposal.id, sender=guardians[0])
        with reverts_with(dao.DAOCoreNotEmergencyOperation, proposalId=proposal.id):
            council.supportEmergency(proposal.id, sender=guardians[1])
        assert not council.isFastTracked(proposal.id)
    council.supportEmergency(both_emergency.id, sender=guardians[0])
    council.supportEmergency(both_emergency.id, sender=guardians[1])
    assert dao.proposalConfig(both_emergency.id).emergency


def test_finished_proposals_cannot_be_fast_tracked(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposal)
    council.supportEmergency(proposal.id, sender=guardians[0])
    with reverts_with(dao.DAOCoreNotFastTrackable, proposalId=proposal.id, state=SUCCEEDED):
        council.supportEmergency(proposal.id, sender=guardians[1])


def test_fast_track_only_from_the_council(dao: Any, emergency_desk: Any, donor: Any, guardians: list[Any]) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
    for caller in (donor, guardians[0]):
        with reverts_with(dao.DAOCoreOnlyGuardianCouncil, caller=caller.address):
            dao.fastTrack(proposal.id, sender=caller)


def test_council_refuses_repeat_and_outside_support(
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any
) -> None:
    proposal = _help_request(dao, emergency_desk, donor)
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
    chain: Any, dao: Any, emergency_desk: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any
) -> None:
    data = dao.setEmergencyConfig.encode_input(100, 0, 3000, 1)
    _admin(chain, dao, council, guardians, [donor, other_donor], data, "long emergencies")
    proposal = _help_request(dao, emergency_desk, donor)
    original = dao.proposalDeadline(proposal.id)
    council.supportEmergency(proposal.id, sender=guardians[0])

    receipt = council.supportEmergency(proposal.id, sender=guardians[1])

    assert dao.proposalDeadline(proposal.id) == original
    assert receipt.events.filter(dao.EmergencyFastTracked) == [dao.EmergencyFastTracked(proposal.id, original, 3000, 0)]
    assert dao.proposalConfig(proposal.id) == (0, False, True, 3000, original, True)
