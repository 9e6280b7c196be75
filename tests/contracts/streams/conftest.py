"""Streams deployed once per session, with a 6-decimal token and the accounts that use them."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts.tokens import USDC, deploy_usdc

NATIVE = "0x0000000000000000000000000000000000000000"
DEPOSIT = 1_000 * USDC
ONE_MATIC = 10**18


@pytest.fixture(scope="session")
def streams_admin(accounts: Any) -> Any:
    """Deploys Streams and holds DEFAULT_ADMIN_ROLE and STREAM_ADMIN_ROLE."""
    return accounts[0]


@pytest.fixture(scope="session")
def stream_sender(accounts: Any) -> Any:
    """Opens streams and is their sender."""
    return accounts[1]


@pytest.fixture(scope="session")
def stream_recipient(accounts: Any) -> Any:
    """Receives streams."""
    return accounts[2]


@pytest.fixture(scope="session")
def streams_outsider(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def streams_guardian(accounts: Any) -> Any:
    """Holds STREAM_ADMIN_ROLE only: the DAO's emergency hand."""
    return accounts[8]


@pytest.fixture(scope="session")
def payment_streams(project: Any, streams_admin: Any, streams_guardian: Any) -> Any:
    payment_streams = streams_admin.deploy(project.Streams, streams_admin)
    payment_streams.grantRole(payment_streams.STREAM_ADMIN_ROLE(), streams_guardian, sender=streams_admin)
    return payment_streams


@pytest.fixture(scope="session")
def streams_usdc(project: Any, streams_admin: Any, stream_sender: Any, payment_streams: Any) -> Any:
    return deploy_usdc(project, streams_admin, [stream_sender], 1_000_000 * USDC, spender=payment_streams)


@pytest.fixture
def mine_at(chain: Any) -> Callable[[int], None]:
    """Mine an empty block at `t`, so views read the chain as of `t`."""

    def mine(t: int) -> None:
        chain.mine(timestamp=t)

    return mine
