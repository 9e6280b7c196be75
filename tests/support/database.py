"""A throw-away PostgreSQL database per test session, migrated to head."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from psycopg2 import sql

from impactchain import schema


def _admin_connection(admin_url: str) -> "psycopg2.extensions.connection":
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    return connection


@contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """Create `impactchain_test_<random>` next to `admin_url`'s database; drop it afterwards."""
    name = f"impactchain_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_connection(admin_url)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    base, _, _ = admin_url.rpartition("/")
    url = f"{base}/{name}"
    try:
        schema.upgrade("postgresql+asyncpg://" + url.removeprefix("postgresql://"))
        yield url
    finally:
        admin = _admin_connection(admin_url)
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()
