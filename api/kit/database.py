"""The database for the app's lifetime, and one session per request that commits or rolls back."""

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from impactchain.db.session import create_engine, create_sessionmaker
from impactchain.settings import Settings


@asynccontextmanager
async def database_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Create the engine and session factory at startup; dispose of the pool at shutdown."""
    settings: Settings = app.state.settings
    engine = create_engine(settings.sqlalchemy_url)
    app.state.db_engine = engine
    app.state.db_sessions = create_sessionmaker(engine)
    try:
        yield
    finally:
        await engine.dispose()


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """The request's unit of work: committed if the handler returns, rolled back if it raises."""
    sessions: async_sessionmaker[AsyncSession] = state.db_sessions
    async with sessions() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        await session.commit()
