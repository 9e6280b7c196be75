"""The migrations build exactly the schema the models describe: a model changed without a
migration (or the reverse) fails here, not in production."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import impactchain.models  # noqa: F401  (registers every table on SQLModel.metadata)
from impactchain.db.session import create_engine
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
