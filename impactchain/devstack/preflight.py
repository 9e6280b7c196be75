"""Checks run before processes start, each failing with one line that says what to do."""

import asyncio

import asyncpg
import httpx
from redis import Redis
from redis.exceptions import RedisError

from impactchain.devstack.ports import port_is_free


class PreflightError(RuntimeError):
    """Something the platform needs is missing or taken; the message says what to do."""


def require_free_port(host: str, port: int, what: str, setting: str) -> None:
    if not port_is_free(host, port):
        raise PreflightError(
            f"port {port} on {host} is taken, so {what} cannot start: stop whatever listens there "
            f"or set {setting} to another port"
        )


def require_postgres(url: str) -> None:
    async def probe() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise PreflightError(
            f"PostgreSQL at DATABASE_URL={redact(url)} is unreachable ({exc.__class__.__name__}: {exc}); "
            "start it, fix DATABASE_URL, or unset it to use the embedded PostgreSQL"
        ) from None


def require_redis(url: str) -> None:
    try:
        client = Redis.from_url(url, socket_connect_timeout=5)
        client.ping()
        client.close()
    except (RedisError, OSError, ValueError) as exc:
        raise PreflightError(
            f"Redis at REDIS_URL={redact(url)} is unreachable ({exc}); "
            "start it, fix REDIS_URL, or unset it to use the embedded Redis"
        ) from None


def require_chain(url: str) -> int:
    try:
        response = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=5)
        return int(response.json()["result"], 16)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise PreflightError(
            f"no Ethereum JSON-RPC node answers at IMPACTCHAIN_RPC_URL={url} ({exc}); "
            "start the node, fix the URL, or unset it to run a local anvil"
        ) from None


def redact(url: str) -> str:
    """Hide a password in a URL before it is printed."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
