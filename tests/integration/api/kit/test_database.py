"""The request's unit of work against the real database: commit on success, roll back on error."""

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.kit.database import provide_db_session
from impactchain.models import Donation
from impactchain.settings import Settings


def _donation(log_index: int) -> Donation:
    return Donation(
        chain_id=31337,
        contract="0x" + "11" * 20,
        request_id=0,
        donor="0x" + "22" * 20,
        currency="0x" + "00" * 20,
        amount=5,
        donor_total=5,
        block_number=1,
        block_hash="0x" + "33" * 32,
        tx_hash="0x" + "44" * 32,
        log_index=log_index,
    )


async def test_session_commits_when_the_handler_returns_and_rolls_back_when_it_raises(
    db: asyncpg.Connection, settings: Settings
) -> None:
    app = create_app(settings)
    async with AsyncTestClient(app=app):
        succeeding = provide_db_session(app.state)
        (await anext(succeeding)).add(_donation(0))
        with pytest.raises(StopAsyncIteration):
            await anext(succeeding)

        failing = provide_db_session(app.state)
        (await anext(failing)).add(_donation(1))
        with pytest.raises(RuntimeError, match="handler failed"):
            await failing.athrow(RuntimeError("handler failed"))

    assert [row["log_index"] for row in await db.fetch("SELECT log_index FROM donations")] == [0]
