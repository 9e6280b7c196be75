"""CarbonPool with its TestTCO2 inventory, a 6-decimal payment token and prices, deployed once."""

from typing import Any

import pytest

from tests.contracts.tokens import USDC, deploy_usdc

NATIVE = "0x0000000000000000000000000000000000000000"
TONNE = 10**18
ONE_MATIC = 10**18
INVENTORY = 1_000 * TONNE
HOLDER_CREDITS = 10 * TONNE
MATIC_PER_TONNE = 2 * ONE_MATIC
USDC_PER_TONNE = 15 * USDC


@pytest.fixture(scope="session")
def carbon_admin(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def credit_holder(accounts: Any) -> Any:
    """Holds credits of their own and retires them the Toucan way."""
    return accounts[1]


@pytest.fixture(scope="session")
def offset_payer(accounts: Any) -> Any:
    """Stands in for a FundingRound routing the carbon share of a payout."""
    return accounts[2]


@pytest.fixture(scope="session")
def offset_beneficiary(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def carbon_outsider(accounts: Any) -> Any:
    return accounts[4]


@pytest.fixture(scope="session")
def carbon_credits(project: Any, carbon_admin: Any) -> Any:
    return carbon_admin.deploy(project.TestTCO2, carbon_admin)


@pytest.fixture(scope="session")
def carbon_usdc(project: Any, carbon_admin: Any, offset_payer: Any) -> Any:
    return deploy_usdc(project, carbon_admin, [offset_payer], 1_000_000 * USDC)


@pytest.fixture(scope="session")
def local_carbon_pool(
    project: Any, carbon_admin: Any, credit_holder: Any, carbon_credits: Any, carbon_usdc: Any
) -> Any:
    pool = carbon_admin.deploy(project.CarbonPool, carbon_admin, carbon_credits)
    carbon_credits.grantRole(carbon_credits.RETIRER_ROLE(), pool, sender=carbon_admin)
    carbon_credits.mint(pool, INVENTORY, sender=carbon_admin)
    carbon_credits.mint(credit_holder, HOLDER_CREDITS, sender=carbon_admin)
    pool.setPrice(NATIVE, MATIC_PER_TONNE, sender=carbon_admin)
    pool.setPrice(carbon_usdc, USDC_PER_TONNE, sender=carbon_admin)
    return pool


ADAPTER_DELAY = 2 * 24 * 3600
ADAPTER_INVENTORY = 100 * TONNE


@pytest.fixture(scope="session")
def offset_adapter(project: Any, carbon_admin: Any, carbon_credits: Any, carbon_usdc: Any) -> Any:
    """A ToucanOffsetAdapter over TestTCO2 (Toucan-shaped), stocked with ADAPTER_INVENTORY credits."""
    adapter = carbon_admin.deploy(project.ToucanOffsetAdapter, ADAPTER_DELAY, carbon_admin, carbon_credits)
    carbon_credits.mint(adapter, ADAPTER_INVENTORY, sender=carbon_admin)
    adapter.setPrice(NATIVE, MATIC_PER_TONNE, sender=carbon_admin)
    adapter.setPrice(carbon_usdc, USDC_PER_TONNE, sender=carbon_admin)
    return adapter
