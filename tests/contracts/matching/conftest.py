"""MatchingPool deployed once per session, a 6-decimal token, matching_sponsors and project recipients."""

from typing import Any

import pytest

from tests.contracts.tokens import USDC, deploy_usdc

NATIVE = "0x0000000000000000000000000000000000000000"
ONE_MATIC = 10**18


@pytest.fixture(scope="session")
def matching_manager(accounts: Any) -> Any:
    """Deploys the pool; holds DEFAULT_ADMIN_ROLE and ROUND_MANAGER_ROLE (governance in production)."""
    return accounts[0]


@pytest.fixture(scope="session")
def matching_sponsors(accounts: Any) -> list[Any]:
    return [accounts[1], accounts[2]]


@pytest.fixture(scope="session")
def matched_projects(accounts: Any) -> list[Any]:
    """Payout addresses of three funded matched_projects."""
    return [accounts[3], accounts[4], accounts[5]]


@pytest.fixture(scope="session")
def matching_outsider(accounts: Any) -> Any:
    return accounts[6]


@pytest.fixture(scope="session")
def matching_treasury(accounts: Any) -> Any:
    """Where governance sends what nobody claimed."""
    return accounts[7]


@pytest.fixture(scope="session")
def qf_matching_pool(project: Any, matching_manager: Any) -> Any:
    return matching_manager.deploy(project.MatchingPool, matching_manager)


@pytest.fixture(scope="session")
def matching_usdc(project: Any, matching_manager: Any, matching_sponsors: list[Any], qf_matching_pool: Any) -> Any:
    return deploy_usdc(project, matching_manager, matching_sponsors, 1_000_000 * USDC, spender=qf_matching_pool)
