"""Session-scoped accounts and deployments for contract tests.

Contracts are deployed once per session; ape's chain isolation snapshots the chain around
each test, so every test starts from the deployed state.
"""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.governance.lifecycle import FOUNDER_IDEA, HELP_REQUEST, selector


@pytest.fixture
def at(chain: Any) -> Callable[[int], None]:
    """Make the next transaction run at timestamp `t`."""

    def set_next(t: int) -> None:
        chain.pending_timestamp = t

    return set_next


@pytest.fixture(scope="session")
def owner(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def donor(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture(scope="session")
def other_donor(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def stranger(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def treasury(accounts: Any) -> Any:
    return accounts[8]


@pytest.fixture(scope="session")
def help_desk(project: Any, owner: Any, treasury: Any) -> Any:
    """HelpDesk with `owner` as admin and approver (the DAO timelock in production)."""
    return owner.deploy(project.HelpDesk, owner, treasury)


@pytest.fixture(scope="session")
def minter(accounts: Any) -> Any:
    return accounts[4]


@pytest.fixture(scope="session")
def recorder(accounts: Any) -> Any:
    """Stands in for a platform donation contract holding DONATION_RECORDER_ROLE."""
    return accounts[5]


@pytest.fixture(scope="session")
def token_implementation(project: Any, owner: Any) -> Any:
    return owner.deploy(project.GovernanceToken)


def deploy_token(project: Any, owner: Any, implementation: Any) -> Any:
    """A GovernanceToken proxy over `implementation`, with `owner` holding every role."""
    init_data = implementation.initialize.encode_input(owner)
    proxy = owner.deploy(project.GovernanceTokenProxy, implementation, init_data)
    return project.GovernanceToken.at(proxy.address)


@pytest.fixture(scope="session")
def token(project: Any, owner: Any, minter: Any, recorder: Any, token_implementation: Any) -> Any:
    """GovernanceToken behind its ERC-1967 proxy; `owner` holds every role at first."""
    token = deploy_token(project, owner, token_implementation)
    token.grantRole(token.MINTER_ROLE(), minter, sender=owner)
    token.grantRole(token.DONATION_RECORDER_ROLE(), recorder, sender=owner)
    return token


@pytest.fixture(scope="session")
def issuer(accounts: Any) -> Any:
    return accounts[6]


@pytest.fixture(scope="session")
def activity_recorder(accounts: Any) -> Any:
    """Stands in for a platform contract holding ACTIVITY_RECORDER_ROLE."""
    return accounts[7]


def deploy_badges(project: Any, owner: Any, issuer: Any) -> Any:
    badges = owner.deploy(project.ReputationBadge, owner)
    badges.grantRole(badges.ISSUER_ROLE(), issuer, sender=owner)
    return badges


@pytest.fixture(scope="session")
def badges(project: Any, owner: Any, issuer: Any, activity_recorder: Any) -> Any:
    badges = deploy_badges(project, owner, issuer)
    badges.grantRole(badges.ACTIVITY_RECORDER_ROLE(), activity_recorder, sender=owner)
    return badges


# ----- governance: token + badges + timelock + guardian council + DAOCore, wired -----
# The DAO gets its own token and badge contracts: wiring and voter set-up change their state,
# which must not leak into the GovernanceToken and ReputationBadge tests.

VOTING_DELAY = 1  # blocks
VOTING_PERIOD = 20  # blocks
PROPOSAL_THRESHOLD = 10**18  # one token
QUORUM_PERCENT = 4
TIMELOCK_MIN_DELAY = 60  # seconds: the emergency floor
TIMELOCK_DELAY = 3600  # seconds: ordinary proposals
GUARDIAN_THRESHOLD = 2
VOTER_BALANCES = (40, 30, 20)  # whole tokens for donor, other_donor, stranger
TOKEN = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@pytest.fixture(scope="session")
def guardians(accounts: Any, owner: Any) -> list[Any]:
    generated = [accounts.generate_test_account() for _ in range(3)]
    for guardian in generated:
        owner.transfer(guardian, 10 * TOKEN)
    return generated


@pytest.fixture(scope="session")
def timelock(project: Any, owner: Any) -> Any:
    return owner.deploy(project.DAOTimelock, TIMELOCK_MIN_DELAY, [], [], owner)


@pytest.fixture(scope="session")
def council(project: Any, owner: Any, guardians: list[Any], timelock: Any) -> Any:
    """Owned by the timelock from the start; its deployer (`owner`) binds it to the DAO once."""
    return owner.deploy(project.GuardianCouncil, timelock, guardians, GUARDIAN_THRESHOLD)


@pytest.fixture(scope="session")
def dao_token(project: Any, owner: Any, token_implementation: Any) -> Any:
    return deploy_token(project, owner, token_implementation)


@pytest.fixture(scope="session")
def dao_badges(project: Any, owner: Any, issuer: Any) -> Any:
    return deploy_badges(project, owner, issuer)


def dao_policy(help_requests: Any, emergency_desk: Any, round_factory: Any) -> list[tuple[int, str, bytes, bool]]:
    """The test DAO's CallPolicy entries (type, target, selector, fast-trackable), shaped like
    production's: HELP_REQUEST approves withdrawals and flags emergencies (both fast-trackable)
    and rejects requests; FOUNDER_IDEA green-lights rounds."""
    return [
        (HELP_REQUEST, help_requests.address, selector(help_requests.approveWithdrawal), True),
        (HELP_REQUEST, emergency_desk.address, selector(emergency_desk.flagEmergency), True),
        (HELP_REQUEST, emergency_desk.address, selector(emergency_desk.rejectRequest), False),
        (FOUNDER_IDEA, round_factory.address, selector(round_factory.greenLight), False),
    ]


@pytest.fixture(scope="session")
def dao(
    chain: Any,
    project: Any,
    owner: Any,
    issuer: Any,
    dao_token: Any,
    dao_badges: Any,
    timelock: Any,
    council: Any,
    help_requests: Any,
    emergency_desk: Any,
    round_factory: Any,
    donor: Any,
    other_donor: Any,
    stranger: Any,
) -> Any:
    """DAOCore wired as in production: the timelock holds the token's admin roles and owns the
    council; voters hold tokens delegated to themselves; donor is a DONOR, other_donor a VERIFIER.
    HELP_REQUEST and FOUNDER_IDEA proposals may call the stand-ins of `dao_policy` only."""
    dao = owner.deploy(
        project.DAOCore,
        dao_token,
        timelock,
        dao_badges,
        council,
        VOTING_DELAY,
        VOTING_PERIOD,
        PROPOSAL_THRESHOLD,
        QUORUM_PERCENT,
        TIMELOCK_DELAY,
        dao_policy(help_requests, emergency_desk, round_factory),
        ZERO_ADDRESS,
    )
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        timelock.grantRole(role, dao, sender=owner)
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), owner, sender=owner)
    council.setDAO(dao, sender=owner)  # the deployer's one-time binding
    for role in (
        dao_token.DEFAULT_ADMIN_ROLE(),
        dao_token.UPGRADER_ROLE(),
        dao_token.RATE_SETTER_ROLE(),
        dao_token.MINTER_ROLE(),
    ):
        dao_token.grantRole(role, timelock, sender=owner)
    for role in (dao_token.UPGRADER_ROLE(), dao_token.RATE_SETTER_ROLE()):
        dao_token.renounceRole(role, owner, sender=owner)

    for voter, whole_tokens in zip((donor, other_donor, stranger), VOTER_BALANCES, strict=True):
        dao_token.mint(voter, whole_tokens * TOKEN, sender=owner)
        dao_token.invoke_transaction("delegate", voter, sender=voter)
    dao_badges.issue(donor, dao_badges.DONOR(), sender=issuer)
    dao_badges.issue(other_donor, dao_badges.VERIFIER(), sender=issuer)
    chain.mine()
    return dao


@pytest.fixture(scope="session")
def help_requests(project: Any, owner: Any, timelock: Any) -> Any:
    return owner.deploy(project.TestHelpRequestRegistry, timelock)


@pytest.fixture(scope="session")
def round_factory(project: Any, owner: Any, timelock: Any) -> Any:
    return owner.deploy(project.TestRoundFactory, timelock)


@pytest.fixture(scope="session")
def emergency_desk(project: Any, owner: Any, timelock: Any) -> Any:
    return owner.deploy(project.TestEmergencyDesk, timelock)
