"""FundingRoundFactory wired to its own GovernanceToken, ReputationBadge, Streams and CarbonPool.

For unit tests an ordinary account (`dao_account`) stands in for the DAO timelock; the lifecycle
test builds a factory whose timelock is the real one (`dao` + `timelock` fixtures).
"""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.conftest import deploy_badges, deploy_token
from tests.contracts.funding.round_params import (
    CARBON_BPS,
    NATIVE,
    ONE,
    USDC_RATE,
    RoundSpec,
    round_params,
    salt,
)
from tests.contracts.funding.round_states import succeed
from tests.contracts.tokens import USDC, deploy_usdc

TONNE_PRICE = ONE // 100  # native wei, or USDC base units, per tonne
CREDIT_INVENTORY = 10**12 * ONE


@pytest.fixture(scope="session")
def dao_account(accounts: Any) -> Any:
    """Stands in for the DAO timelock in unit tests."""
    return accounts[9]


@pytest.fixture(scope="session")
def founder(accounts: Any, owner: Any) -> Any:
    account = accounts.generate_test_account()
    owner.transfer(account, 10 * ONE)
    return account


@pytest.fixture(scope="session")
def oracle(accounts: Any, owner: Any) -> Any:
    """The ML/KPI verifier keeper: ORACLE_ROLE on the factory."""
    account = accounts.generate_test_account()
    owner.transfer(account, 10 * ONE)
    return account


@pytest.fixture(scope="session")
def rewards_token(project: Any, owner: Any, token_implementation: Any) -> Any:
    return deploy_token(project, owner, token_implementation)


@pytest.fixture(scope="session")
def rewards_badges(project: Any, owner: Any, issuer: Any) -> Any:
    return deploy_badges(project, owner, issuer)


@pytest.fixture(scope="session")
def usdc(project: Any, owner: Any, donor: Any, other_donor: Any, stranger: Any, rewards_token: Any) -> Any:
    usdc = deploy_usdc(project, owner, [donor, other_donor, stranger], 1_000_000 * USDC)
    rewards_token.setDonationRate(usdc, USDC_RATE, sender=owner)
    return usdc


@pytest.fixture(scope="session")
def streams(project: Any, owner: Any, dao_account: Any) -> Any:
    streams = owner.deploy(project.Streams, owner)
    streams.grantRole(streams.STREAM_ADMIN_ROLE(), dao_account, sender=owner)
    return streams


@pytest.fixture(scope="session")
def carbon_pool(project: Any, owner: Any, usdc: Any) -> Any:
    credits = owner.deploy(project.TestTCO2, owner)
    pool = owner.deploy(project.CarbonPool, owner, credits)
    credits.grantRole(credits.RETIRER_ROLE(), pool, sender=owner)
    credits.mint(pool, CREDIT_INVENTORY, sender=owner)
    pool.setPrice(NATIVE, TONNE_PRICE, sender=owner)
    pool.setPrice(usdc, USDC, sender=owner)
    return pool


def platform(dao: Any, token: Any, badges: Any, streams: Any, carbon_pool: Any) -> tuple[Any, ...]:
    return (dao, token, badges, streams, carbon_pool, CARBON_BPS)


@pytest.fixture(scope="session")
def factory(
    project: Any,
    owner: Any,
    dao_account: Any,
    oracle: Any,
    rewards_token: Any,
    rewards_badges: Any,
    streams: Any,
    carbon_pool: Any,
) -> Any:
    wiring = platform(dao_account, rewards_token, rewards_badges, streams, carbon_pool)
    factory = owner.deploy(project.FundingRoundFactory, owner, wiring)
    factory.grantRole(factory.ORACLE_ROLE(), oracle, sender=owner)
    grant_rewards(factory, rewards_token, rewards_badges, owner)
    return factory


def grant_rewards(factory: Any, token: Any, badges: Any, admin: Any) -> None:
    """Make `factory` the reward relay of its rounds: it records donations and activity."""
    token.grantRole(token.DONATION_RECORDER_ROLE(), factory, sender=admin)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), factory, sender=admin)


@pytest.fixture
def make_round(
    chain: Any,
    project: Any,
    owner: Any,
    dao_account: Any,
    factory: Any,
    rewards_token: Any,
    rewards_badges: Any,
    usdc: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> Callable[..., Any]:
    """Create a round from a RoundSpec (USDC accepted by default), approved by donors for USDC."""
    counter = iter(range(1, 1_000))

    def make(spec: RoundSpec | None = None, *, founder: Any = None) -> Any:
        spec = spec or RoundSpec(founder=founder.address if founder else owner.address, tokens=(usdc.address,))
        params = round_params(spec, chain.pending_timestamp)
        receipt = factory.createRound(salt(next(counter)), params, sender=dao_account)
        round_ = project.FundingRound.at(receipt.events.filter(factory.RoundCreated)[0].round)
        for account in (donor, other_donor, stranger):
            usdc.approve(round_, 2**256 - 1, sender=account)
        return round_

    return make


@pytest.fixture
def funding_round(make_round: Callable[..., Any], founder: Any, usdc: Any) -> Any:
    """A round: goal 10 MATIC-equivalent, USDC accepted, milestones 30/30/40%, lump sums."""
    return make_round(RoundSpec(founder=founder.address, tokens=(usdc.address,)))


@pytest.fixture
def after_deadline(chain: Any) -> Callable[[Any], None]:
    """Move the chain past `round_`'s deadline."""

    def move(round_: Any) -> None:
        chain.pending_timestamp = round_.deadline() + 1
        chain.mine()

    return move


@pytest.fixture
def succeeded(chain: Any, funding_round: Any, usdc: Any, donor: Any, other_donor: Any) -> Any:
    """A round funded to its goal in MATIC and USDC and finalized as Succeeded."""
    succeed(chain, funding_round, usdc, donor, other_donor)
    return funding_round
