"""FundingRoundFactory: timelock-only creation, CREATE2 clones, the round registry, and the
validation of a round's parameters at creation."""

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.funding.conftest import platform
from tests.contracts.funding.round_params import (
    DAY,
    METADATA_CID,
    NATIVE,
    ONE,
    REQUIREMENTS_CID,
    ROUND_DAYS,
    MilestoneSpec,
    RoundSpec,
    round_params,
    salt,
)
from tests.contracts.reverts import reverts_with


def _spec(founder: Any, usdc: Any, **changes: Any) -> RoundSpec:
    return RoundSpec(founder=founder.address, tokens=(usdc.address,), **changes)


def test_create_round_deploys_a_clone_at_the_predicted_address(
    chain: Any, project: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any
) -> None:
    predicted = factory.predictRoundAddress(salt(7))
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)

    receipt = factory.createRound(salt(7), params, sender=dao_account)

    assert receipt.events.filter(factory.RoundCreated) == [
        factory.RoundCreated(
            predicted, founder, salt(7), METADATA_CID, 10 * ONE, params[3], 3, 0, factory.implementation()
        )
    ]
    round_ = project.FundingRound.at(predicted)
    assert round_.founder() == founder
    assert round_.metadataCid() == METADATA_CID
    assert round_.goal() == 10 * ONE
    assert round_.deadline() == params[3]
    assert round_.acceptedTokens() == [usdc.address]
    assert round_.isAccepted(usdc) and round_.isAccepted(NATIVE)
    assert round_.milestoneCount() == 3
    assert round_.milestone(2).shareBps == 4_000
    assert round_.milestone(2).requirementsHash == keccak(text=REQUIREMENTS_CID)
    defined = round_.MilestoneDefined.from_receipt(receipt)
    assert [(event.milestoneId, event.requirementsCid) for event in defined] == [
        (i, REQUIREMENTS_CID) for i in range(3)
    ]
    assert round_.factory() == factory
    assert round_.status() == 0
    # EIP-1167: 45 bytes delegating to the implementation.
    code = bytes(chain.provider.get_code(predicted))
    assert len(code) == 45 and factory.implementation()[2:].lower() in code.hex()
    assert factory.roundCount() == 1
    assert factory.roundAt(0) == predicted
    assert factory.isRound(predicted)
    assert not factory.isRound(founder)


def test_registry_lists_rounds_in_creation_order(
    chain: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any
) -> None:
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)
    created = [factory.createRound(salt(n), params, sender=dao_account).events[-1].round for n in (3, 1, 2)]
    assert factory.roundCount() == 3
    assert [factory.roundAt(i) for i in range(3)] == created
    with reverts_with(factory.FundingRoundFactoryIndexOutOfRange, index=3, count=3):
        factory.roundAt(3)


@pytest.mark.parametrize("caller", ["owner", "founder", "oracle", "stranger"])
def test_only_the_timelock_creates_rounds(
    request: pytest.FixtureRequest, chain: Any, factory: Any, founder: Any, usdc: Any, caller: str
) -> None:
    account = request.getfixturevalue(caller)
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)
    with reverts_with(factory.FundingRoundFactoryOnlyTimelock, caller=account):
        factory.createRound(salt(1), params, sender=account)


def test_a_salt_is_used_once(chain: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any) -> None:
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)
    round_ = factory.createRound(salt(5), params, sender=dao_account).events[-1].round
    with reverts_with(factory.FundingRoundFactorySaltUsed, salt=salt(5), round=round_):
        factory.createRound(salt(5), params, sender=dao_account)


def test_implementation_and_clones_cannot_be_initialized_again(
    chain: Any, project: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any
) -> None:
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)
    implementation = project.FundingRound.at(factory.implementation())
    with reverts_with(implementation.InvalidInitialization):
        implementation.initialize(params, sender=founder)
    round_ = project.FundingRound.at(factory.createRound(salt(1), params, sender=dao_account).events[-1].round)
    with reverts_with(round_.InvalidInitialization):
        round_.initialize(params, sender=founder)


def test_only_the_factory_initializes(
    chain: Any, project: Any, owner: Any, stranger: Any, founder: Any, usdc: Any, dao_account: Any
) -> None:
    standalone = owner.deploy(project.MockStandaloneFundingRound, owner, platform(dao_account, *[NATIVE] * 4))
    params = round_params(_spec(founder, usdc), chain.pending_timestamp)
    with reverts_with(standalone.FundingRoundNotFactory, caller=stranger):
        standalone.initialize(params, sender=stranger)
    standalone.initialize(params, sender=owner)
    assert standalone.founder() == founder


def test_constructor_rejects_missing_wiring_and_too_big_a_carbon_share(
    project: Any, owner: Any, dao_account: Any
) -> None:
    implementation = project.FundingRound
    with reverts_with(implementation.FundingRoundZeroAddress):
        owner.deploy(implementation, NATIVE, platform(dao_account, *[NATIVE] * 4))
    with reverts_with(implementation.FundingRoundZeroAddress):
        owner.deploy(implementation, owner, platform(NATIVE, *[NATIVE] * 4))
    with reverts_with(implementation.FundingRoundBadCarbonShare, carbonBps=1_001):
        owner.deploy(implementation, owner, (dao_account, NATIVE, NATIVE, NATIVE, owner, 1_001))
    with reverts_with(project.FundingRoundFactory.FundingRoundFactoryZeroAddress):
        owner.deploy(project.FundingRoundFactory, NATIVE, platform(dao_account, *[NATIVE] * 4))


def test_set_implementation_is_timelock_only_and_checks_the_factory(
    project: Any, owner: Any, factory: Any, dao_account: Any, rewards_token: Any, rewards_badges: Any
) -> None:
    wiring = platform(dao_account, rewards_token, rewards_badges, NATIVE, NATIVE)
    mine = owner.deploy(project.FundingRound, factory, wiring)
    foreign = owner.deploy(project.FundingRound, owner, wiring)
    # The relay rewards with the factory's token and badges: an implementation naming others is refused.
    rewired = owner.deploy(project.FundingRound, factory, platform(dao_account, *[NATIVE] * 4))
    with reverts_with(factory.FundingRoundFactoryWiringMismatch, implementation=rewired):
        factory.setImplementation(rewired, sender=dao_account)
    with reverts_with(factory.FundingRoundFactoryOnlyTimelock, caller=owner):
        factory.setImplementation(mine, sender=owner)
    with reverts_with(factory.FundingRoundFactoryForeignImplementation, implementation=foreign, factory=owner):
        factory.setImplementation(foreign, sender=dao_account)
    with reverts_with(factory.FundingRoundFactoryZeroAddress):
        factory.setImplementation(owner, sender=dao_account)
    previous = factory.implementation()
    receipt = factory.setImplementation(mine, sender=dao_account)
    assert receipt.events == [factory.ImplementationSet(previous, mine)]
    assert factory.implementation() == mine
    assert factory.timelock() == dao_account


def _bad(chain: Any, factory: Any, dao_account: Any, params: tuple[Any, ...], error: Any, **inputs: Any) -> None:
    with reverts_with(error, **inputs):
        factory.createRound(salt(1), params, sender=dao_account)


def test_creation_rejects_bad_round_fields(
    chain: Any, project: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any
) -> None:
    round_type = project.FundingRound
    now = chain.pending_timestamp
    good = round_params(_spec(founder, usdc), now)
    _bad(chain, factory, dao_account, (NATIVE, *good[1:]), round_type.FundingRoundZeroAddress)
    _bad(chain, factory, dao_account, (good[0], "", *good[2:]), round_type.FundingRoundEmptyCid)
    _bad(chain, factory, dao_account, (*good[:2], 0, *good[3:]), round_type.FundingRoundZeroAmount)
    past = (*good[:3], now - 1, *good[4:])
    # `earliest` depends on the block the call is estimated in: only the error is pinned down.
    _bad(chain, factory, dao_account, past, round_type.FundingRoundBadDeadline)
    five = [usdc.address, founder.address, factory.address, dao_account.address, factory.implementation()]
    too_many = (*good[:4], five, good[5])
    _bad(chain, factory, dao_account, too_many, round_type.FundingRoundTooManyTokens, count=5)
    for tokens, bad in (([NATIVE], NATIVE), ([usdc.address, usdc.address], usdc.address)):
        _bad(chain, factory, dao_account, (*good[:4], tokens, good[5]), round_type.FundingRoundBadToken, token=bad)


def test_creation_rejects_bad_milestones(
    chain: Any, project: Any, factory: Any, dao_account: Any, founder: Any, usdc: Any
) -> None:
    round_type = project.FundingRound
    now = chain.pending_timestamp
    spec = _spec(founder, usdc)
    deadline = now + ROUND_DAYS * DAY

    def with_milestones(*milestones: MilestoneSpec) -> tuple[Any, ...]:
        return round_params(RoundSpec(founder=spec.founder, tokens=spec.tokens, milestones=milestones), now)

    _bad(chain, factory, dao_account, with_milestones(), round_type.FundingRoundBadMilestoneCount, count=0)
    eleven = with_milestones(*[MilestoneSpec(1_000, day) for day in range(1, 12)])
    _bad(chain, factory, dao_account, eleven, round_type.FundingRoundBadMilestoneCount, count=11)
    zero_share = with_milestones(MilestoneSpec(10_000, 10), MilestoneSpec(0, 20))
    _bad(
        chain, factory, dao_account, zero_share, round_type.FundingRoundBadMilestone,
        milestoneId=1, shareBps=0, deadline=deadline + 20 * DAY, streamDuration=0,
    )  # fmt: skip
    unordered = with_milestones(MilestoneSpec(5_000, 20), MilestoneSpec(5_000, 20))
    _bad(
        chain, factory, dao_account, unordered, round_type.FundingRoundBadMilestone,
        milestoneId=1, shareBps=5_000, deadline=deadline + 20 * DAY, streamDuration=0,
    )  # fmt: skip
    in_round = with_milestones(MilestoneSpec(10_000, 0))
    _bad(
        chain, factory, dao_account, in_round, round_type.FundingRoundBadMilestone,
        milestoneId=0, shareBps=10_000, deadline=deadline, streamDuration=0,
    )  # fmt: skip
    short = with_milestones(MilestoneSpec(5_000, 10), MilestoneSpec(4_999, 20))
    _bad(chain, factory, dao_account, short, round_type.FundingRoundBadShares, totalBps=9_999)
    no_cid = with_milestones(MilestoneSpec(10_000, 10, requirements_cid=""))
    _bad(chain, factory, dao_account, no_cid, round_type.FundingRoundEmptyCid)


def test_streamed_milestones_need_streams(chain: Any, project: Any, owner: Any, dao_account: Any, founder: Any) -> None:
    unstreamed = owner.deploy(project.FundingRoundFactory, owner, platform(dao_account, *[NATIVE] * 4))
    spec = RoundSpec(founder=founder.address, milestones=(MilestoneSpec(10_000, 10, stream_duration=DAY),))
    params = round_params(spec, chain.pending_timestamp)
    milestone_deadline = params[5][0][1]
    with reverts_with(
        project.FundingRound.FundingRoundBadMilestone,
        milestoneId=0, shareBps=10_000, deadline=milestone_deadline, streamDuration=DAY,
    ):  # fmt: skip
        unstreamed.createRound(salt(1), params, sender=dao_account)


# ----- DAO settings and the reward relay -----


def test_the_carbon_offsetter_is_the_timelocks_to_set_and_must_be_a_contract(
    project: Any, owner: Any, factory: Any, dao_account: Any, carbon_pool: Any, stranger: Any
) -> None:
    assert factory.carbonOffsetter() == carbon_pool
    replacement = owner.deploy(project.CarbonPool, owner, carbon_pool.credits())
    with reverts_with(factory.FundingRoundFactoryOnlyTimelock, caller=stranger):
        factory.setCarbonOffsetter(replacement, sender=stranger)
    for not_a_contract in (stranger, NATIVE):
        with reverts_with(factory.FundingRoundFactoryNotAContract, account=not_a_contract):
            factory.setCarbonOffsetter(not_a_contract, sender=dao_account)

    receipt = factory.setCarbonOffsetter(replacement, sender=dao_account)
    assert receipt.events == [factory.CarbonOffsetterSet(carbon_pool, replacement)]
    assert factory.carbonOffsetter() == replacement


def test_the_constructor_checks_the_offsetter_and_sets_the_native_minimum(
    project: Any, owner: Any, dao_account: Any, stranger: Any
) -> None:
    with reverts_with(project.FundingRoundFactory.FundingRoundFactoryNotAContract, account=stranger):
        owner.deploy(project.FundingRoundFactory, owner, (dao_account, NATIVE, NATIVE, NATIVE, stranger, 500))
    bare = owner.deploy(project.FundingRoundFactory, owner, platform(dao_account, *[NATIVE] * 4))
    assert bare.carbonOffsetter() == NATIVE
    assert bare.reputationMinimum(NATIVE) == ONE
    assert bare.rewardRecorders() == (NATIVE, NATIVE)


def test_reputation_minimums_are_the_timelocks_to_set(factory: Any, dao_account: Any, usdc: Any, stranger: Any) -> None:
    assert factory.reputationMinimum(usdc) == 0  # an ERC-20 without a minimum earns no points
    with reverts_with(factory.FundingRoundFactoryOnlyTimelock, caller=stranger):
        factory.setReputationMinimum(usdc, 10**6, sender=stranger)
    receipt = factory.setReputationMinimum(usdc, 10**6, sender=dao_account)
    assert receipt.events == [factory.ReputationMinimumSet(usdc, 10**6)]
    assert factory.reputationMinimum(usdc) == 10**6


@pytest.mark.parametrize("caller", ["owner", "dao_account", "founder", "stranger"])
def test_only_the_factorys_rounds_use_the_relay(
    request: pytest.FixtureRequest, factory: Any, rewards_token: Any, rewards_badges: Any, caller: str
) -> None:
    account = request.getfixturevalue(caller)
    with reverts_with(factory.FundingRoundFactoryNotRound, caller=account):
        factory.mintReward(account, NATIVE, ONE, sender=account)
    with reverts_with(factory.FundingRoundFactoryNotRound, caller=account):
        factory.recordReputation(account, 10, sender=account)
    assert factory.rewardRecorders() == (rewards_token.address, rewards_badges.address)
