"""The migrations build exactly the schema the models describe (a model changed without a
migration, or the reverse, fails here, not in production), and each one can be undone."""

import asyncio
from typing import Any

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import impactchain.models  # noqa: F401  (registers every table on SQLModel.metadata)
from impactchain import schema
from impactchain.db.session import create_engine
from impactchain.devstack.scratch_db import scratch_database
from impactchain.settings import sqlalchemy_url


async def test_migrated_database_matches_the_models(database_url: str) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    engine = create_engine(sqlalchemy_url(database_url), pooled=False)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_migrated_columns_have_the_models_collations(database_url: str) -> None:
    # Alembic's comparison leaves collations out; an address compared under the locale's
    # collation gives the same answers, only slower, so nothing else would notice.
    expected = {
        (table.name, column.name): getattr(column.type, "collation", None)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String)
    }
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY($1::text[])",
            sorted({table for table, _ in expected}),
        )
    finally:
        await connection.close()
    migrated = {(row["table_name"], row["column_name"]): row["collation_name"] for row in rows}
    assert {key: migrated.get(key) for key in expected} == expected
    assert expected[("donations", "donor")] == "C"


def test_every_migration_downgrades_and_upgrades_again(database_url: str) -> None:
    admin_url = database_url.rpartition("/")[0] + "/postgres"
    with scratch_database(admin_url, prefix="impactchain_migrations") as url:
        schema.downgrade(sqlalchemy_url(url), "base")
        schema.upgrade(sqlalchemy_url(url))
        assert asyncio.run(_tables(url)) >= {"donations", "funding_rounds", "round_events", "contract_events"}


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows}
