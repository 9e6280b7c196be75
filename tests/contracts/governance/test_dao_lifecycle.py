"""DAOCore: the full lifecycle of each proposal type, and governance-only settings."""

from typing import Any

from tests.contracts.conftest import (
    GUARDIAN_THRESHOLD,
    PROPOSAL_THRESHOLD,
    QUORUM_PERCENT,
    TIMELOCK_DELAY,
    TIMELOCK_MIN_DELAY,
    TOKEN,
    VOTING_DELAY,
    VOTING_PERIOD,
    ZERO_ADDRESS,
)
from tests.contracts.governance.lifecycle import (
    ACTIVE,
    ADMIN,
    CANCELED,
    DEFEATED,
    EXECUTED,
    FOR,
    FOUNDER_IDEA,
    HELP_REQUEST,
    PENDING,
    QUEUED,
    SUCCEEDED,
    TREASURY_SPEND,
    co_sign,
    enact,
    end_voting,
    execute,
    pass_proposal,
    propose,
    queue,
    start_voting,
    vote_refused,
    wait_seconds,
)
from tests.contracts.reverts import reverts_with
from tests.contracts.signing import sign_typed


def _help(help_requests: Any, request_id: int = 1) -> list[tuple[Any, int, bytes]]:
    """An allowlisted HELP_REQUEST action (approve 1 wei for `request_id`)."""
    return [(help_requests, 0, help_requests.approveWithdrawal.encode_input(request_id, 1))]


def _admin(
    chain: Any, dao: Any, council: Any, guardians: list[Any], proposer: Any, actions: Any, title: str, voters: Any
) -> Any:
    """Enact an ADMIN proposal: voted through, co-signed by the guardians, queued and executed."""
    proposal = propose(dao, proposer, actions, title, ADMIN)
    return enact(chain, dao, proposal, voters, TIMELOCK_DELAY, council, tuple(guardians[:GUARDIAN_THRESHOLD]))


def test_deployment_wiring(
    project: Any, dao: Any, dao_token: Any, timelock: Any, dao_badges: Any, council: Any
) -> None:
    assert dao.name() == "ImpactChain DAO"
    assert dao.token() == dao_token
    assert dao.timelock() == timelock
    assert dao.reputationBadge() == dao_badges
    assert dao.guardianCouncil() == council
    assert dao.votingDelay() == VOTING_DELAY
    assert dao.votingPeriod() == VOTING_PERIOD
    assert dao.quorumNumerator() == QUORUM_PERCENT
    assert dao.timelockDelay() == TIMELOCK_DELAY
    assert dao.proposalThreshold() == PROPOSAL_THRESHOLD
    assert dao.COUNTING_MODE() == "support=bravo&quorum=for,abstain&params=quadratic"
    assert dao.proposalTypeConfig(FOUNDER_IDEA) == (0, 0, True)
    assert dao.proposalTypeConfig(HELP_REQUEST) == (0, 0, False)
    assert dao.emergencyConfig() == (VOTING_PERIOD // 4, 0, 2000, VOTING_PERIOD // 4)
    assert council.dao() == dao
    assert council.owner() == timelock
    policy = project.CallPolicy.at(dao.callPolicy())
    assert policy.dao() == dao
    assert policy.roundFactory() == ZERO_ADDRESS


def test_help_request_lifecycle_approves_withdrawal(
    chain: Any, dao: Any, help_requests: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    approve = help_requests.approveWithdrawal.encode_input(3, 2 * TOKEN)
    proposal = propose(dao, donor, [(help_requests, 0, approve)], "Help request #3: flood relief")

    typed = proposal.receipt.events.filter(dao.ProposalTyped)
    deadline = dao.proposalDeadline(proposal.id)
    assert typed == [dao.ProposalTyped(proposal.id, HELP_REQUEST, False, deadline, 0)]
    assert deadline == dao.proposalSnapshot(proposal.id) + VOTING_PERIOD
    assert dao.proposalType(proposal.id) == HELP_REQUEST
    assert dao.state(proposal.id) == PENDING

    start_voting(chain, dao, proposal)
    assert dao.state(proposal.id) == ACTIVE
    vote = dao.castVote(proposal.id, FOR, sender=donor)
    assert vote.events == [dao.VoteCast(donor, proposal.id, FOR, 40 * TOKEN, "")]
    dao.castVote(proposal.id, FOR, sender=other_donor)
    end_voting(chain, dao, proposal)
    assert dao.state(proposal.id) == SUCCEEDED

    queued = queue(dao, proposal, stranger)
    eta = dao.proposalEta(proposal.id)
    assert queued.events.filter(dao.ProposalQueued) == [dao.ProposalQueued(proposal.id, eta)]
    assert eta == queued.timestamp + TIMELOCK_DELAY
    assert dao.state(proposal.id) == QUEUED

    wait_seconds(chain, TIMELOCK_DELAY)
    receipt = execute(dao, proposal, donor)

    assert receipt.events.filter(help_requests.WithdrawalApproved) == [
        help_requests.WithdrawalApproved(3, 2 * TOKEN, 2 * TOKEN)
    ]
    assert receipt.events.filter(dao.ProposalExecuted) == [dao.ProposalExecuted(proposal.id)]
    assert dao.state(proposal.id) == EXECUTED
    assert help_requests.approved(3) == 2 * TOKEN


def test_help_request_registry_refuses_anyone_but_the_timelock(help_requests: Any, stranger: Any) -> None:
    with reverts_with(help_requests.TestHelpRequestRegistryOnlyTimelock, caller=stranger.address):
        help_requests.approveWithdrawal(3, TOKEN, sender=stranger)


def test_founder_idea_lifecycle_green_lights_round(
    chain: Any, dao: Any, round_factory: Any, donor: Any, other_donor: Any, stranger: Any
) -> None:
    green_light = round_factory.greenLight.encode_input(7)
    proposal = propose(dao, stranger, [(round_factory, 0, green_light)], "Idea #7: school meals", FOUNDER_IDEA)
    assert dao.proposalConfig(proposal.id) == (FOUNDER_IDEA, True, False, 0, 0, False)

    receipt = enact(chain, dao, proposal, [donor, other_donor], TIMELOCK_DELAY)

    assert receipt.events.filter(round_factory.RoundGreenLit) == [round_factory.RoundGreenLit(7)]
    assert round_factory.isGreenLit(7)
    assert dao.state(proposal.id) == EXECUTED


def test_round_factory_refuses_anyone_but_the_timelock(round_factory: Any, stranger: Any) -> None:
    with reverts_with(round_factory.TestRoundFactoryOnlyTimelock, caller=stranger.address):
        round_factory.greenLight(7, sender=stranger)


def test_treasury_spend_lifecycle_needs_m_of_n_guardians(
    chain: Any, owner: Any, dao: Any, timelock: Any, council: Any, guardians: list[Any], donor: Any, stranger: Any
) -> None:
    owner.transfer(timelock, 5 * TOKEN)
    proposal = propose(dao, donor, [(stranger, TOKEN, b"")], "Treasury: pay auditor", TREASURY_SPEND)
    pass_proposal(chain, dao, proposal, [donor])
    assert dao.state(proposal.id) == SUCCEEDED

    with reverts_with(dao.DAOCoreGuardianApprovalMissing, proposalId=proposal.id, approvals=0, threshold=2):
        queue(dao, proposal, donor)
    first = council.approveTreasurySpend(proposal.id, sender=guardians[0])
    assert first.events == [council.TreasurySpendApproved(proposal.id, guardians[0], 1)]
    with reverts_with(dao.DAOCoreGuardianApprovalMissing, proposalId=proposal.id, approvals=1, threshold=2):
        queue(dao, proposal, donor)
    council.approveTreasurySpend(proposal.id, sender=guardians[2])
    assert council.isTreasurySpendApproved(proposal.id)

    queue(dao, proposal, donor)
    before = stranger.balance
    wait_seconds(chain, TIMELOCK_DELAY)
    execute(dao, proposal, donor)

    assert stranger.balance == before + TOKEN
    assert timelock.balance == 4 * TOKEN


def test_only_treasury_spend_and_admin_may_move_value_or_tokens(
    project: Any, dao: Any, dao_token: Any, help_requests: Any, round_factory: Any, donor: Any, stranger: Any
) -> None:
    policy = project.CallPolicy.at(dao.callPolicy())
    transfer = dao_token.transfer.encode_input(stranger, TOKEN)
    approve = dao_token.approve.encode_input(stranger, TOKEN)
    transfer_from = dao_token.transferFrom.encode_input(donor, stranger, TOKEN)
    green_light = round_factory.greenLight.encode_input(1)

    with reverts_with(policy.CallPolicyValueNotAllowed, index=0, value=1):
        propose(dao, donor, [(stranger, 1, b"")], "sneaky value")
    with reverts_with(policy.CallPolicyValueNotAllowed, index=0, value=1):
        propose(dao, donor, [(help_requests, 1, help_requests.approveWithdrawal.encode_input(1, 1))], "allowed + value")
    with reverts_with(policy.CallPolicyCalldataTooShort, index=1):
        propose(dao, donor, [(round_factory, 0, green_light), (stranger, 0, b"\x01\x02\x03")], "short", FOUNDER_IDEA)
    for data in (transfer, approve, transfer_from):
        with reverts_with(
            policy.CallPolicyCallNotAllowed,
            proposalType=FOUNDER_IDEA,
            index=1,
            target=dao_token.address,
            selector=bytes(data[:4]),
        ):
            propose(dao, donor, [(round_factory, 0, green_light), (dao_token, 0, data)], f"sneaky {data.hex()}", 1)
    spend = propose(dao, donor, [(dao_token, 0, transfer)], "declared spend", TREASURY_SPEND)
    admin = propose(dao, donor, [(stranger, 1, b"")], "declared admin payment", ADMIN)
    assert (dao.proposalType(spend.id), dao.proposalType(admin.id)) == (TREASURY_SPEND, ADMIN)


def test_ordinary_proposal_waits_the_full_delay(
    chain: Any, dao: Any, timelock: Any, help_requests: Any, donor: Any, stranger: Any
) -> None:
    approve = help_requests.approveWithdrawal.encode_input(1, TOKEN)
    proposal = propose(dao, donor, [(help_requests, 0, approve)], "approve #1")
    pass_proposal(chain, dao, proposal, [donor])
    queue(dao, proposal, donor)
    eta = dao.proposalEta(proposal.id)
    wait_seconds(chain, TIMELOCK_MIN_DELAY)

    with reverts_with(dao.DAOCoreTimelockNotReady, proposalId=proposal.id, eta=eta):
        execute(dao, proposal, donor)
    # Only DAOCore may execute at the timelock, so the shorter minimum delay cannot be used directly.
    with reverts_with(
        timelock.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=timelock.EXECUTOR_ROLE()
    ):
        timelock.executeBatch(*proposal.operation[:3], b"\x00" * 32, _timelock_salt(dao, proposal), sender=stranger)
    assert dao.state(proposal.id) == QUEUED
    wait_seconds(chain, TIMELOCK_DELAY - TIMELOCK_MIN_DELAY)
    execute(dao, proposal, donor)
    assert help_requests.approved(1) == TOKEN


def _timelock_salt(dao: Any, proposal: Any) -> bytes:
    address = bytes.fromhex(dao.address[2:]) + b"\x00" * 12
    return bytes(a ^ b for a, b in zip(address, proposal.description_hash, strict=True))


def test_proposal_without_quorum_or_majority_is_defeated(
    chain: Any,
    accounts: Any,
    owner: Any,
    dao_token: Any,
    dao: Any,
    help_requests: Any,
    donor: Any,
    other_donor: Any,
) -> None:
    small = accounts.generate_test_account()
    owner.transfer(small, TOKEN)
    dao_token.mint(small, 3 * TOKEN, sender=owner)  # 3 of 93 tokens: below the 4% quorum
    dao_token.invoke_transaction("delegate", small, sender=small)
    chain.mine()
    action = _help(help_requests)
    no_quorum = propose(dao, donor, action, "too quiet")
    lost = propose(dao, donor, action, "unpopular")

    start_voting(chain, dao, lost)
    dao.castVote(no_quorum.id, FOR, sender=small)
    dao.castVote(lost.id, FOR, sender=other_donor)
    dao.castVote(lost.id, 0, sender=donor)
    end_voting(chain, dao, lost)

    assert dao.proposalQuorum(no_quorum.id) == 93 * TOKEN * QUORUM_PERCENT // 100
    assert dao.proposalQuorumTokens(no_quorum.id) == 3 * TOKEN
    assert dao.state(no_quorum.id) == DEFEATED
    assert dao.proposalVotes(lost.id) == (40 * TOKEN, 30 * TOKEN, 0)
    assert dao.state(lost.id) == DEFEATED


def test_votes_outside_the_window_double_votes_and_bad_support_revert(
    chain: Any, dao: Any, help_requests: Any, donor: Any, other_donor: Any
) -> None:
    proposal = propose(dao, donor, _help(help_requests), "timing")

    with vote_refused(dao, proposal.id, PENDING):
        dao.castVote(proposal.id, FOR, sender=donor)
    start_voting(chain, dao, proposal)
    with reverts_with(dao.GovernorInvalidVoteType):
        dao.castVote(proposal.id, 3, sender=donor)
    dao.castVote(proposal.id, FOR, sender=donor)
    assert dao.hasVoted(proposal.id, donor)
    with reverts_with(dao.GovernorAlreadyCastVote, voter=donor.address):
        dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposal)
    with vote_refused(dao, proposal.id, SUCCEEDED):
        dao.castVote(proposal.id, FOR, sender=other_donor)


def test_relayed_signed_vote_counts_for_the_signer(
    chain: Any, dao: Any, dao_token: Any, help_requests: Any, donor: Any, stranger: Any
) -> None:
    proposal = propose(dao, donor, _help(help_requests), "vote by signature")
    start_voting(chain, dao, proposal)
    nonce = dao.nonces(donor)
    ballot = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")]
    signature = sign_typed(
        donor,
        dao,
        "ImpactChain DAO",
        "Ballot",
        ballot,
        proposalId=proposal.id,
        support=FOR,
        voter=donor.address,
        nonce=nonce,
    ).signature

    receipt = dao.castVoteBySig(proposal.id, FOR, donor, signature, sender=stranger)

    weight = dao_token.getPastVotes(donor, dao.proposalSnapshot(proposal.id))
    assert weight > 0
    assert receipt.events == [dao.VoteCast(donor, proposal.id, FOR, weight, "")]
    assert dao.hasVoted(proposal.id, donor) and not dao.hasVoted(proposal.id, stranger)
    assert dao.proposalVotes(proposal.id) == (0, weight, 0)
    assert dao.nonces(donor) == nonce + 1
    with reverts_with(dao.GovernorInvalidSignature, voter=donor.address):  # the nonce moved on
        dao.castVoteBySig(proposal.id, FOR, donor, signature, sender=stranger)


def test_votes_on_cancelled_or_unknown_proposals_revert(
    chain: Any, dao: Any, help_requests: Any, donor: Any, other_donor: Any
) -> None:
    cancelled = propose(dao, donor, _help(help_requests), "cancelled before voting")
    dao.cancel(*cancelled.operation, sender=donor)
    start_voting(chain, dao, cancelled)  # the window it would have had is open now

    with vote_refused(dao, cancelled.id, CANCELED):
        dao.castVote(cancelled.id, FOR, sender=other_donor)
    with reverts_with(dao.GovernorNonexistentProposal, proposalId=123):
        dao.castVote(123, FOR, sender=other_donor)
    assert dao.proposalVotes(cancelled.id) == (0, 0, 0)


def test_votes_count_from_the_snapshot_through_the_last_block(
    chain: Any, dao: Any, dao_token: Any, help_requests: Any, donor: Any, other_donor: Any
) -> None:
    proposal = propose(dao, donor, _help(help_requests), "window edges")
    snapshot, deadline = dao.proposalSnapshot(proposal.id), dao.proposalDeadline(proposal.id)
    assert deadline == snapshot + VOTING_PERIOD

    def next_transaction_in(block_number: int) -> None:
        gap = block_number - 1 - chain.blocks.head.number
        if gap > 0:
            chain.mine(gap)

    next_transaction_in(snapshot)
    with vote_refused(dao, proposal.id, PENDING):
        dao.castVote(proposal.id, FOR, sender=donor)
    next_transaction_in(snapshot + 1)
    first = dao.castVote(proposal.id, FOR, sender=donor)
    next_transaction_in(deadline)
    last = dao.castVote(proposal.id, FOR, sender=other_donor)
    assert (first.block_number, last.block_number) == (snapshot + 1, deadline)
    with vote_refused(dao, proposal.id, SUCCEEDED):
        dao.castVote(proposal.id, FOR, sender=donor)
    assert dao.proposalVotes(proposal.id) == (
        0,
        dao_token.getPastVotes(donor, snapshot) + dao_token.getPastVotes(other_donor, snapshot),
        0,
    )


def test_proposer_cancels_pending_proposal(dao: Any, help_requests: Any, donor: Any, stranger: Any) -> None:
    proposal = propose(dao, donor, _help(help_requests), "cancel me")

    receipt = dao.cancel(*proposal.operation, sender=donor)

    assert receipt.events == [dao.ProposalCanceled(proposal.id)]
    assert dao.state(proposal.id) == 2  # Canceled


def test_others_cannot_cancel_a_proposal(dao: Any, help_requests: Any, donor: Any, stranger: Any) -> None:
    proposal = propose(dao, donor, _help(help_requests), "keep me")

    with reverts_with(dao.GovernorUnableToCancel, proposalId=proposal.id, account=stranger.address):
        dao.cancel(*proposal.operation, sender=stranger)


def test_unknown_proposal_views_revert(dao: Any) -> None:
    with reverts_with(dao.GovernorNonexistentProposal, proposalId=123):
        dao.proposalType(123)
    with reverts_with(dao.GovernorNonexistentProposal, proposalId=123):
        dao.proposalConfig(123)


def test_clock_is_the_tokens_block_number_clock(chain: Any, dao: Any, dao_token: Any) -> None:
    assert dao.CLOCK_MODE() == dao_token.CLOCK_MODE() == "mode=blocknumber&from=default"
    assert dao.clock() == dao_token.clock() == chain.blocks.head.number


def test_constructor_refuses_a_token_on_another_clock(
    project: Any, owner: Any, dao: Any, timelock: Any, dao_badges: Any, council: Any
) -> None:
    timestamp_token = owner.deploy(project.MockTimestampVotesToken)
    with reverts_with(dao.DAOCoreUnsupportedClock, clockMode="mode=timestamp"):
        owner.deploy(
            project.DAOCore, timestamp_token, timelock, dao_badges, council, 1, 20, 0, 4, 3600, [], ZERO_ADDRESS
        )


def test_constructor_rejects_zero_badges_or_council(
    project: Any, owner: Any, dao: Any, dao_token: Any, timelock: Any, dao_badges: Any, council: Any
) -> None:
    zero = ZERO_ADDRESS
    for badge_address, council_address in ((zero, council), (dao_badges, zero)):
        with reverts_with(dao.DAOCoreZeroAddress):
            owner.deploy(
                project.DAOCore, dao_token, timelock, badge_address, council_address, 1, 20, 0, 4, 3600, [], zero
            )


# ----- settings: governance only -----


def test_settings_reject_direct_calls(dao: Any, council: Any, stranger: Any) -> None:
    calls = [
        lambda: dao.setProposalTypeConfig(TREASURY_SPEND, 5, 100, False, sender=stranger),
        lambda: dao.setEmergencyConfig(5, 0, 3000, 5, sender=stranger),
        lambda: dao.setTimelockDelay(1, sender=stranger),
        lambda: dao.setGuardianCouncil(council, sender=stranger),
        lambda: dao.setVotingPeriod(5, sender=stranger),
        lambda: dao.updateQuorumNumerator(50, sender=stranger),
    ]
    for call in calls:
        with reverts_with(dao.GovernorOnlyExecutor, account=stranger.address):
            call()


def test_per_type_settings_change_through_governance(
    chain: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    help_requests: Any,
    donor: Any,
    other_donor: Any,
) -> None:
    actions = [
        (dao, 0, dao.setProposalTypeConfig.encode_input(TREASURY_SPEND, 7, 5000, False)),
        (dao, 0, dao.setTimelockDelay.encode_input(120)),
        (dao, 0, dao.setEmergencyConfig.encode_input(3, 30, 3000, 2)),
    ]
    receipt = _admin(chain, dao, council, guardians, donor, actions, "Tune treasury spends", [donor, other_donor])

    assert receipt.events.filter(dao.ProposalTypeConfigured) == [
        dao.ProposalTypeConfigured(TREASURY_SPEND, 7, 5000, False)
    ]
    assert receipt.events.filter(dao.TimelockDelaySet) == [dao.TimelockDelaySet(TIMELOCK_DELAY, 120)]
    assert receipt.events.filter(dao.EmergencyConfigured) == [dao.EmergencyConfigured(3, 30, 3000, 2)]
    assert dao.proposalTypeConfig(TREASURY_SPEND) == (7, 5000, False)
    assert dao.timelockDelay() == 120

    spend = propose(dao, donor, [(donor, 1, b"")], "Treasury: small grant", TREASURY_SPEND)
    help_request = propose(dao, donor, _help(help_requests), "Help: unchanged")
    snapshot = dao.proposalSnapshot(spend.id)
    assert dao.proposalDeadline(spend.id) == snapshot + 7
    assert spend.receipt.events.filter(dao.ProposalTyped) == [
        dao.ProposalTyped(spend.id, TREASURY_SPEND, False, snapshot + 7, 5000)
    ]
    assert dao.proposalDeadline(help_request.id) == dao.proposalSnapshot(help_request.id) + VOTING_PERIOD
    start_voting(chain, dao, spend)
    dao.castVote(spend.id, FOR, sender=donor)  # 40 of 90 tokens: below the new 50% quorum
    end_voting(chain, dao, spend)
    assert dao.proposalQuorum(spend.id) == 45 * TOKEN
    assert dao.state(spend.id) == DEFEATED


def test_invalid_settings_revert_even_through_governance(
    chain: Any, dao: Any, council: Any, guardians: list[Any], donor: Any, other_donor: Any
) -> None:
    cases = [
        (
            dao.setProposalTypeConfig.encode_input(HELP_REQUEST, 5, 10_001, False),
            dao.DAOCoreInvalidQuorum,
            {"quorumBps": 10_001},
        ),
        (dao.setEmergencyConfig.encode_input(0, 0, 3000, 1), dao.DAOCoreInvalidVotingPeriod, {"votingPeriod": 0}),
        # Voting periods must fit the 24-bit duration DAOCore keeps per proposal.
        (
            dao.setProposalTypeConfig.encode_input(HELP_REQUEST, 2**24, 0, False),
            dao.DAOCoreInvalidVotingPeriod,
            {"votingPeriod": 2**24},
        ),
        (
            dao.setEmergencyConfig.encode_input(2**24, 0, 3000, 1),
            dao.DAOCoreInvalidVotingPeriod,
            {"votingPeriod": 2**24},
        ),
        (dao.setVotingPeriod.encode_input(2**24), dao.GovernorInvalidVotingPeriod, {"votingPeriod": 2**24}),
        (dao.setEmergencyConfig.encode_input(3, 0, 0, 1), dao.DAOCoreInvalidQuorum, {"quorumBps": 0}),
        (dao.setEmergencyConfig.encode_input(3, 0, 3000, 0), dao.DAOCoreInvalidEmergencyWindow, {"minBlocksLeft": 0}),
        (dao.setGuardianCouncil.encode_input("0x" + "00" * 20), dao.DAOCoreZeroAddress, {}),
    ]
    proposals = [
        propose(dao, donor, [(dao, 0, data)], f"bad setting {i}", ADMIN) for i, (data, _, _) in enumerate(cases)
    ]
    start_voting(chain, dao, proposals[-1])
    for proposal in proposals:
        dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposals[-1])
    for proposal in proposals:
        co_sign(council, proposal, guardians[:GUARDIAN_THRESHOLD])
        queue(dao, proposal, donor)
    wait_seconds(chain, TIMELOCK_DELAY)

    for proposal, (_, error, inputs) in zip(proposals, cases, strict=True):
        with reverts_with(error, **inputs):
            execute(dao, proposal, donor)
    assert dao.proposalTypeConfig(HELP_REQUEST) == (0, 0, False)


def test_governance_replaces_guardian_council(
    chain: Any, project: Any, owner: Any, dao: Any, timelock: Any, council: Any, donor: Any, guardians: list[Any]
) -> None:
    new_council = owner.deploy(project.GuardianCouncil, timelock, guardians[:1], 1)
    action = [(dao, 0, dao.setGuardianCouncil.encode_input(new_council))]
    old = dao.guardianCouncil()

    receipt = _admin(chain, dao, council, guardians, donor, action, "new council", [donor])

    assert receipt.events.filter(dao.GuardianCouncilSet) == [dao.GuardianCouncilSet(old, new_council)]
    assert dao.guardianCouncil() == new_council


# ----- the dao_token under governance -----


def test_token_upgrade_through_governance_preserves_state(
    chain: Any,
    project: Any,
    owner: Any,
    dao_token: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> None:
    v2 = owner.deploy(project.TestGovernanceTokenV2)
    with reverts_with(
        dao_token.AccessControlUnauthorizedAccount, account=owner.address, neededRole=dao_token.UPGRADER_ROLE()
    ):
        dao_token.upgradeToAndCall(v2, b"", sender=owner)
    supply = dao_token.totalSupply()
    action = [(dao_token, 0, dao_token.upgradeToAndCall.encode_input(v2, b""))]

    receipt = _admin(chain, dao, council, guardians, donor, action, "Upgrade IMPACT to v2", [donor, other_donor])

    assert dao_token.Upgraded(v2) in receipt.events
    upgraded = project.TestGovernanceTokenV2.at(dao_token.address)
    assert upgraded.version() == 2
    assert upgraded.totalSupply() == supply
    assert upgraded.balanceOf(donor) == 40 * TOKEN
    assert upgraded.getVotes(other_donor) == 30 * TOKEN
    assert upgraded.delegates(stranger) == stranger


def test_donation_rate_set_through_governance(
    chain: Any, dao_token: Any, dao: Any, council: Any, guardians: list[Any], owner: Any, donor: Any
) -> None:
    usdc = "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"
    with reverts_with(
        dao_token.AccessControlUnauthorizedAccount, account=owner.address, neededRole=dao_token.RATE_SETTER_ROLE()
    ):
        dao_token.setDonationRate(usdc, 10**30, sender=owner)
    action = [(dao_token, 0, dao_token.setDonationRate.encode_input(usdc, 10**30))]

    _admin(chain, dao, council, guardians, donor, action, "Accept USDC", [donor])

    assert dao_token.donationRate(usdc) == 10**30


def test_abstain_counts_toward_quorum_but_does_not_pass(chain: Any, dao: Any, help_requests: Any, donor: Any) -> None:
    proposal = propose(dao, donor, _help(help_requests), "abstain only")
    start_voting(chain, dao, proposal)
    dao.castVote(proposal.id, 2, sender=donor)
    end_voting(chain, dao, proposal)

    assert dao.proposalVotes(proposal.id) == (0, 0, 40 * TOKEN)
    assert dao.proposalQuorumTokens(proposal.id) == 40 * TOKEN
    assert dao.state(proposal.id) == DEFEATED  # quorum reached, but no majority in favour


def test_proposing_needs_the_threshold(
    chain: Any, accounts: Any, owner: Any, dao: Any, dao_token: Any, round_factory: Any
) -> None:
    small = accounts.generate_test_account()
    owner.transfer(small, TOKEN)
    dao_token.mint(small, PROPOSAL_THRESHOLD - 1, sender=owner)
    dao_token.invoke_transaction("delegate", small, sender=small)
    chain.mine()
    action = [(round_factory, 0, round_factory.greenLight.encode_input(1))]

    with reverts_with(
        dao.GovernorInsufficientProposerVotes,
        proposer=small.address,
        votes=PROPOSAL_THRESHOLD - 1,
        threshold=PROPOSAL_THRESHOLD,
    ):
        propose(dao, small, action, "spam", FOUNDER_IDEA)


def test_mismatched_or_empty_proposal_arrays_revert(dao: Any, dao_token: Any, donor: Any) -> None:
    name = bytes(dao_token.name.encode_input())
    with reverts_with(dao.GovernorInvalidProposalLength, targets=2, calldatas=1, values=2):
        dao.propose([dao_token, dao_token], [0, 0], [name], "mismatch", sender=donor)
    with reverts_with(dao.GovernorInvalidProposalLength, targets=0, calldatas=0, values=0):
        dao.proposeTyped([], [], [], "empty#type=FOUNDER_IDEA", FOUNDER_IDEA, sender=donor)


def test_timelock_refuses_direct_scheduling_and_cancelling(timelock: Any, dao_token: Any, stranger: Any) -> None:
    name = bytes(dao_token.name.encode_input())
    salt = b"\x00" * 32
    with reverts_with(
        timelock.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=timelock.PROPOSER_ROLE()
    ):
        timelock.schedule(dao_token, 0, name, salt, salt, TIMELOCK_MIN_DELAY, sender=stranger)
    with reverts_with(
        timelock.AccessControlUnauthorizedAccount, account=stranger.address, neededRole=timelock.CANCELLER_ROLE()
    ):
        timelock.cancel(salt, sender=stranger)
