"""Throw-away PostgreSQL databases for tests and benchmarks: empty, or migrated to head."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from impactchain import schema
from impactchain.settings import sqlalchemy_url


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def empty_database(admin_url: str, prefix: str = "impactchain_empty") -> Iterator[str]:
    """Create `<prefix>_<random>` on `admin_url`'s server with nothing in it (as `createdb` makes
    one before a restore), drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    base, _, _ = admin_url.partition("?")[0].rpartition("/")
    query = admin_url.partition("?")[2]
    try:
        yield f"{base}/{name}" + (f"?{query}" if query else "")
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def scratch_database(admin_url: str, prefix: str = "impactchain_scratch") -> Iterator[str]:
    """Create `<prefix>_<random>` on `admin_url`'s server, migrate it, drop it afterwards."""
    with empty_database(admin_url, prefix) as url:
        schema.upgrade(sqlalchemy_url(url))
        yield url
