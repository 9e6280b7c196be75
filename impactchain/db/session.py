"""Async engine and session factory; the request or job scope owns the commit."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


def create_engine(sqlalchemy_url: str, *, pooled: bool = True) -> AsyncEngine:
    if pooled:
        return create_async_engine(sqlalchemy_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    # Short-lived processes (forked RQ jobs) must not share pooled connections.
    return create_async_engine(sqlalchemy_url, poolclass=NullPool)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session
