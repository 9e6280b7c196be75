"""What each proposal type may call (CallPolicy), checked over every state-changing function of
every platform contract, read from the ABIs so that functions added later are covered; and the
reproduced attack of the security review (a donor making itself a timelock proposer)."""

from typing import Any

import pytest
from eth_utils import keccak, to_checksum_address

from tests.contracts.conftest import GUARDIAN_THRESHOLD, TIMELOCK_DELAY, TOKEN, ZERO_ADDRESS, deploy_token
from tests.contracts.funding.round_params import RoundSpec, round_params, salt
from tests.contracts.governance.lifecycle import (
    ADMIN,
    FOR,
    FOUNDER_IDEA,
    HELP_REQUEST,
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
    selector,
    start_voting,
    wait_seconds,
)
from tests.contracts.reverts import reverts_with

ANY_ROUND = "ANY_ROUND"
# CallPolicy.ANY_ROUND: address(bytes20(keccak256("ImpactChain.CallPolicy.ANY_ROUND"))).
ANY_ROUND_ADDRESS = to_checksum_address(keccak(text="ImpactChain.CallPolicy.ANY_ROUND")[:20])
# The production policy (what scripts/deploy.py must pass to DAOCore): (type, contract, function, fast-track).
PRODUCTION_POLICY = (
    (HELP_REQUEST, "HelpDesk", "approveWithdrawal", True),
    (HELP_REQUEST, "HelpDesk", "flagEmergency", True),
    (HELP_REQUEST, "HelpDesk", "rejectRequest", False),
    (FOUNDER_IDEA, "FundingRoundFactory", "createRound", False),
    (FOUNDER_IDEA, ANY_ROUND, "approveMilestone", False),
    (FOUNDER_IDEA, ANY_ROUND, "rejectMilestone", False),
    (FOUNDER_IDEA, ANY_ROUND, "cancel", False),
)
PLATFORM = (
    "HelpDesk",
    "GovernanceToken",
    "ReputationBadge",
    "DAOTimelock",
    "GuardianCouncil",
    "DAOCore",
    "CallPolicy",
    "Streams",
    "MatchingPool",
    "AuctionHouse",
    "FundingRoundFactory",
    "FundingRound",
    "CarbonPool",
    "TestTCO2",
)


def _abi_selector(abi: Any) -> bytes:
    return keccak(text=abi.selector)[:4]


def state_changing(contract: Any) -> list[Any]:
    """Every nonpayable or payable function in `contract`'s ABI."""
    return [
        abi
        for abi in contract.contract_type.abi
        if abi.type == "function" and abi.stateMutability in ("nonpayable", "payable")
    ]


def production_policy(contracts: dict[str, Any], any_round: str) -> list[tuple[int, str, bytes, bool]]:
    entries = []
    for proposal_type, name, function, fast_track in PRODUCTION_POLICY:
        target = any_round if name == ANY_ROUND else contracts[name].address
        method = getattr(contracts["FundingRound" if name == ANY_ROUND else name], function)
        entries.append((proposal_type, target, selector(method), fast_track))
    return entries


def _via_timelock(chain: Any, timelock: Any, owner: Any, target: Any, data: bytes) -> None:
    """Run one call as the timelock (min delay 0) while `owner` still administers it."""
    timelock.schedule(target, 0, data, b"\x00" * 32, b"\x00" * 32, 0, sender=owner)
    timelock.execute(target, 0, data, b"\x00" * 32, b"\x00" * 32, sender=owner)


@pytest.fixture(scope="module")
def platform(
    chain: Any, project: Any, owner: Any, token_implementation: Any, guardians: list[Any], donor: Any
) -> dict[str, Any]:
    """Every platform contract, deployed and wired as scripts/deploy.py does, with a round of the
    factory and a DAO under the production policy; `donor` holds 10 delegated votes."""
    c: dict[str, Any] = {}
    c["GovernanceToken"] = token = deploy_token(project, owner, token_implementation)
    c["ReputationBadge"] = badges = owner.deploy(project.ReputationBadge, owner)
    c["DAOTimelock"] = timelock = owner.deploy(project.DAOTimelock, 0, [owner], [owner], owner)
    c["GuardianCouncil"] = council = owner.deploy(project.GuardianCouncil, timelock, guardians, GUARDIAN_THRESHOLD)
    c["HelpDesk"] = owner.deploy(project.HelpDesk, owner, timelock)
    c["Streams"] = streams = owner.deploy(project.Streams, owner)
    c["MatchingPool"] = owner.deploy(project.MatchingPool, owner)
    c["AuctionHouse"] = owner.deploy(project.AuctionHouse, owner)
    c["TestTCO2"] = credits = owner.deploy(project.TestTCO2, owner)
    c["CarbonPool"] = carbon = owner.deploy(project.CarbonPool, owner, credits)
    wiring = (timelock, token, badges, streams, carbon, 200)
    c["FundingRoundFactory"] = factory = owner.deploy(project.FundingRoundFactory, owner, wiring)
    params = round_params(RoundSpec(founder=owner.address), chain.pending_timestamp)
    _via_timelock(chain, timelock, owner, factory, factory.createRound.encode_input(salt(1), params))
    c["FundingRound"] = project.FundingRound.at(factory.roundAt(0))

    c["DAOCore"] = dao = owner.deploy(
        project.DAOCore,
        token,
        timelock,
        badges,
        council,
        1,
        20,
        TOKEN,
        4,
        TIMELOCK_DELAY,
        production_policy(c, ANY_ROUND_ADDRESS),
        factory,
    )
    c["CallPolicy"] = project.CallPolicy.at(dao.callPolicy())
    council.setDAO(dao, sender=owner)
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        timelock.grantRole(role, dao, sender=owner)
    for role in (timelock.PROPOSER_ROLE(), timelock.EXECUTOR_ROLE(), timelock.DEFAULT_ADMIN_ROLE()):
        timelock.renounceRole(role, owner, sender=owner)
    token.mint(donor, 10 * TOKEN, sender=owner)
    token.invoke_transaction("delegate", donor, sender=donor)
    chain.mine()
    return c


@pytest.mark.parametrize("name", PLATFORM)
def test_restricted_types_may_call_only_the_allowlist(platform: dict[str, Any], donor: Any, name: str) -> None:
    """A HELP_REQUEST or FOUNDER_IDEA proposal calling any state-changing function of `name` is
    refused at propose time unless it is in that type's production allowlist."""
    dao, policy, contract = platform["DAOCore"], platform["CallPolicy"], platform[name]
    wanted = ANY_ROUND if name == "FundingRound" else name
    intended = {
        (proposal_type, _abi_selector(getattr(contract, function).abis[0])): fast
        for proposal_type, owner_name, function, fast in PRODUCTION_POLICY
        if owner_name == wanted
    }
    functions = state_changing(contract)
    assert functions, f"{name} has no state-changing functions"
    allowed: dict[tuple[int, bytes], bool] = {}
    for abi in functions:
        data = _abi_selector(abi) + b"\x00" * 32
        for proposal_type in (HELP_REQUEST, FOUNDER_IDEA):
            key = (proposal_type, data[:4])
            description = f"{name}.{abi.selector} as {proposal_type}"
            if key in intended:
                proposal = propose(dao, donor, [(contract, 0, data)], description, proposal_type)
                allowed[key] = dao.proposalConfig(proposal.id).fastTrackable
                continue
            with reverts_with(
                policy.CallPolicyCallNotAllowed,
                proposalType=proposal_type,
                index=0,
                target=contract.address,
                selector=data[:4],
            ):
                propose(dao, donor, [(contract, 0, data)], description, proposal_type)
    assert allowed == intended


def test_production_policy_entries_are_recorded(platform: dict[str, Any]) -> None:
    policy = platform["CallPolicy"]
    assert policy.ANY_ROUND() == ANY_ROUND_ADDRESS
    for proposal_type, target, function_selector, fast_track in production_policy(platform, ANY_ROUND_ADDRESS):
        assert policy.callPermission(proposal_type, target, function_selector) == (True, fast_track)
    assert policy.roundFactory() == platform["FundingRoundFactory"]
    assert policy.dao() == platform["DAOCore"]


def test_round_entries_cover_only_the_factorys_rounds(platform: dict[str, Any], donor: Any) -> None:
    dao, policy, round_ = platform["DAOCore"], platform["CallPolicy"], platform["FundingRound"]
    cancel = bytes(round_.cancel.encode_input())
    implementation = platform["FundingRoundFactory"].implementation()
    for impostor in (implementation, platform["HelpDesk"].address):
        with reverts_with(
            policy.CallPolicyCallNotAllowed, proposalType=FOUNDER_IDEA, index=0, target=impostor, selector=cancel[:4]
        ):
            propose(dao, donor, [(impostor, 0, cancel)], f"cancel {impostor}", FOUNDER_IDEA)
    propose(dao, donor, [(round_, 0, cancel)], "cancel the round", FOUNDER_IDEA)


# ----- the reproduced attack, on the test DAO -----


def test_donor_cannot_make_itself_a_timelock_proposer(
    chain: Any, project: Any, dao: Any, timelock: Any, council: Any, donor: Any
) -> None:
    """Security review, High: one donor with votes proposed DAOTimelock.grantRole(PROPOSER_ROLE,
    itself) as a plain proposal and voted it through alone."""
    policy = project.CallPolicy.at(dao.callPolicy())
    grant = bytes(timelock.grantRole.encode_input(timelock.PROPOSER_ROLE(), donor))
    for proposal_type in (HELP_REQUEST, FOUNDER_IDEA):
        with reverts_with(
            policy.CallPolicyCallNotAllowed,
            proposalType=proposal_type,
            index=0,
            target=timelock.address,
            selector=grant[:4],
        ):
            if proposal_type == HELP_REQUEST:
                dao.propose([timelock], [0], [grant], "make me a proposer", sender=donor)
            else:
                propose(dao, donor, [(timelock, 0, grant)], "make me a proposer", proposal_type)

    admin = propose(dao, donor, [(timelock, 0, grant)], "make me a proposer", ADMIN)
    pass_proposal(chain, dao, admin, [donor])  # donor alone: 40 of 90 votes, above the 4% quorum
    assert dao.state(admin.id) == SUCCEEDED
    with reverts_with(dao.DAOCoreGuardianApprovalMissing, proposalId=admin.id, approvals=0, threshold=2):
        queue(dao, admin, donor)
    assert not timelock.hasRole(timelock.PROPOSER_ROLE(), donor)


def test_restricted_types_cannot_reach_the_dao_the_timelock_or_the_policy(
    project: Any, dao: Any, timelock: Any, donor: Any
) -> None:
    policy = project.CallPolicy.at(dao.callPolicy())
    calls = [
        (dao, bytes(dao.setTimelockDelay.encode_input(1))),
        (dao, bytes(dao.relay.encode_input(donor, 0, b""))),
        (timelock, bytes(timelock.updateDelay.encode_input(0))),
        (policy, bytes(policy.setCallPermission.encode_input(HELP_REQUEST, donor, b"\x00" * 4, True, False))),
    ]
    for target, data in calls:
        for proposal_type in (HELP_REQUEST, FOUNDER_IDEA):
            with reverts_with(
                policy.CallPolicyCallNotAllowed,
                proposalType=proposal_type,
                index=0,
                target=target.address,
                selector=data[:4],
            ):
                propose(dao, donor, [(target, 0, data)], f"reach {target.address}", proposal_type)


# ----- changing the policy: ADMIN (or TREASURY_SPEND) proposals only -----


def test_policy_changes_through_a_co_signed_admin_proposal(
    chain: Any,
    project: Any,
    dao: Any,
    council: Any,
    guardians: list[Any],
    emergency_desk: Any,
    round_factory: Any,
    donor: Any,
    other_donor: Any,
) -> None:
    policy = project.CallPolicy.at(dao.callPolicy())
    green_light = selector(round_factory.greenLight)
    reject = selector(emergency_desk.rejectRequest)
    actions = [
        (policy, 0, policy.setCallPermission.encode_input(HELP_REQUEST, round_factory, green_light, True, False)),
        (policy, 0, policy.setCallPermission.encode_input(HELP_REQUEST, emergency_desk, reject, False, False)),
        (policy, 0, policy.setRoundFactory.encode_input(round_factory)),
    ]
    proposal = propose(dao, donor, actions, "widen help requests", ADMIN)

    receipt = enact(chain, dao, proposal, [donor, other_donor], TIMELOCK_DELAY, council, tuple(guardians[:2]))

    assert receipt.events.filter(policy.CallPermissionSet) == [
        policy.CallPermissionSet(HELP_REQUEST, round_factory, green_light, True, False),
        policy.CallPermissionSet(HELP_REQUEST, emergency_desk, reject, False, False),
    ]
    assert receipt.events.filter(policy.RoundFactorySet) == [policy.RoundFactorySet(ZERO_ADDRESS, round_factory)]
    assert policy.callPermission(HELP_REQUEST, round_factory, green_light) == (True, False)
    assert policy.callPermission(HELP_REQUEST, emergency_desk, reject) == (False, False)
    propose(dao, donor, [(round_factory, 0, round_factory.greenLight.encode_input(9))], "now a help request")
    with reverts_with(
        policy.CallPolicyCallNotAllowed, proposalType=HELP_REQUEST, index=0, target=emergency_desk, selector=reject
    ):
        propose(dao, donor, [(emergency_desk, 0, emergency_desk.rejectRequest.encode_input(9))], "no longer")


def test_policy_refuses_direct_calls_and_unallowable_entries(
    chain: Any,
    project: Any,
    dao: Any,
    timelock: Any,
    council: Any,
    guardians: list[Any],
    emergency_desk: Any,
    donor: Any,
    other_donor: Any,
) -> None:
    policy = project.CallPolicy.at(dao.callPolicy())
    flag = selector(emergency_desk.flagEmergency)
    with reverts_with(policy.CallPolicyOnlyGovernance, caller=donor.address):
        policy.setCallPermission(HELP_REQUEST, emergency_desk, flag, True, True, sender=donor)
    with reverts_with(policy.CallPolicyOnlyGovernance, caller=donor.address):
        policy.setRoundFactory(donor, sender=donor)

    cases = [
        ((HELP_REQUEST, dao, flag, True, False), policy.CallPolicyTargetNotAllowable, {"target": dao.address}),
        ((FOUNDER_IDEA, timelock, flag, True, False), policy.CallPolicyTargetNotAllowable, {"target": timelock}),
        ((HELP_REQUEST, policy, flag, True, False), policy.CallPolicyTargetNotAllowable, {"target": policy}),
        (
            (HELP_REQUEST, ZERO_ADDRESS, flag, True, False),
            policy.CallPolicyTargetNotAllowable,
            {"target": ZERO_ADDRESS},
        ),
        ((ADMIN, emergency_desk, flag, True, False), policy.CallPolicyNotRestrictedType, {"proposalType": ADMIN}),
        (
            (TREASURY_SPEND, emergency_desk, flag, True, False),
            policy.CallPolicyNotRestrictedType,
            {"proposalType": TREASURY_SPEND},
        ),
        (
            (FOUNDER_IDEA, emergency_desk, flag, True, True),
            policy.CallPolicyFastTrackNotAllowable,
            {"proposalType": FOUNDER_IDEA, "allowed": True},
        ),
        (
            (HELP_REQUEST, emergency_desk, flag, False, True),
            policy.CallPolicyFastTrackNotAllowable,
            {"proposalType": HELP_REQUEST, "allowed": False},
        ),
    ]
    proposals = [
        propose(dao, donor, [(policy, 0, policy.setCallPermission.encode_input(*args))], f"bad entry {i}", ADMIN)
        for i, (args, _, _) in enumerate(cases)
    ]
    start_voting(chain, dao, proposals[-1])
    for proposal in proposals:
        dao.castVote(proposal.id, FOR, sender=donor)
    end_voting(chain, dao, proposals[-1])
    for proposal in proposals:
        co_sign(council, proposal, guardians[:2])
        queue(dao, proposal, donor)
        assert dao.state(proposal.id) == QUEUED
    wait_seconds(chain, TIMELOCK_DELAY)
    for proposal, (_, error, inputs) in zip(proposals, cases, strict=True):
        with reverts_with(error, **inputs):
            execute(dao, proposal, other_donor)


def test_constructor_policy_may_not_name_the_timelock(
    project: Any, owner: Any, dao: Any, dao_token: Any, timelock: Any, dao_badges: Any, council: Any
) -> None:
    policy = project.CallPolicy.at(dao.callPolicy())
    entry = (HELP_REQUEST, timelock.address, selector(timelock.updateDelay), False)
    with reverts_with(policy.CallPolicyTargetNotAllowable, target=timelock.address):
        owner.deploy(
            project.DAOCore, dao_token, timelock, dao_badges, council, 1, 20, 0, 4, 3600, [entry], ZERO_ADDRESS
        )
