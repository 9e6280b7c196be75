"""The edge: CORS, security headers, compression, ETag and Cache-Control, size limits and
per-IP rate limits in Redis (database 13 in tests, as configured)."""

import asyncio
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
import redis
import redis.asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.kit.rate_limit import KEY_PREFIX, RateLimiter
from impactchain.devstack.ports import free_port
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings

Client = AsyncTestClient[Litestar]
DAPP = "https://dapp.example"


async def test_preflight_from_a_configured_origin_is_allowed(settings: Settings) -> None:
    configured = settings.model_copy(update={"api_cors_origins": [DAPP]})
    async with AsyncTestClient(app=create_app(configured)) as client:
        allowed = await client.options(
            "/v1/tx/donate",
            headers={
                "origin": DAPP,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        other = await client.options(
            "/v1/tx/donate", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
        )

    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == DAPP
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:5173", True),
        ("https://127.0.0.1:3000", True),
        ("http://localhost", True),
        ("http://localhost.evil.example", False),
        ("https://dapp.example", False),
    ],
)
async def test_dev_mode_allows_any_localhost_origin(
    db: asyncpg.Connection, settings: Settings, origin: str, allowed: bool
) -> None:
    dev = settings.model_copy(update={"api_cors_localhost": True})
    async with AsyncTestClient(app=create_app(dev)) as client:
        response = await client.get("/v1/donations", headers={"origin": origin})

    assert response.status_code == 200
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


async def test_no_origin_is_allowed_unless_configured(db: asyncpg.Connection, client: Client) -> None:
    response = await client.get("/v1/donations", headers={"origin": "http://localhost:5173"})

    assert "access-control-allow-origin" not in response.headers


async def test_security_headers_on_reads_and_problems(db: asyncpg.Connection, client: Client) -> None:
    answers = (
        await client.get("/v1/donations"),
        await client.get("/v1/donations", params={"limit": "0"}),
        # Answered by the router before any route's middleware runs.
        await client.get("/v1/no-such-route"),
        await client.delete("/v1/donations"),
    )
    assert [response.status_code for response in answers] == [200, 400, 404, 405]
    for response in answers:
        assert response.headers["x-request-id"]
        assert response.headers["cache-control"] == "no-store" or response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["referrer-policy"] == "no-referrer"


async def test_manifest_is_compressed_with_brotli_or_gzip(manifest: DeploymentManifest, client: Client) -> None:
    plain = await client.get("/v1/contracts", headers={"accept-encoding": "identity"})
    brotli = await client.get("/v1/contracts", headers={"accept-encoding": "br"})
    gzip = await client.get("/v1/contracts", headers={"accept-encoding": "gzip"})

    assert "content-encoding" not in plain.headers
    assert brotli.headers["content-encoding"] == "br"
    assert gzip.headers["content-encoding"] == "gzip"
    assert brotli.json() == gzip.json() == plain.json()
    assert int(brotli.headers["content-length"]) < len(plain.content) / 5


async def test_etag_answers_304_when_nothing_changed(db: asyncpg.Connection, client: Client) -> None:
    first = await client.get("/v1/donations")
    etag = first.headers["etag"]

    again = await client.get("/v1/donations", headers={"if-none-match": etag})
    other = await client.get("/v1/donations", headers={"if-none-match": '"stale"'})

    assert first.headers["cache-control"] == "no-cache"
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert other.status_code == 200


async def test_each_encoding_is_its_own_representation_with_its_own_etag(
    manifest: DeploymentManifest, client: Client
) -> None:
    plain = await client.get("/v1/contracts", headers={"accept-encoding": "identity"})
    brotli = await client.get("/v1/contracts", headers={"accept-encoding": "gzip, br"})
    revalidated = await client.get(
        "/v1/contracts", headers={"accept-encoding": "gzip, br", "if-none-match": brotli.headers["etag"]}
    )
    other_encoding = await client.get(
        "/v1/contracts", headers={"accept-encoding": "gzip", "if-none-match": brotli.headers["etag"]}
    )

    assert brotli.headers["etag"] == plain.headers["etag"][:-1] + '-br"'
    assert plain.headers["vary"] == brotli.headers["vary"] == "Accept-Encoding"
    assert revalidated.status_code == 304
    assert "content-encoding" not in revalidated.headers
    assert other_encoding.status_code == 200
    assert other_encoding.headers["content-encoding"] == "gzip"
    assert other_encoding.headers["etag"].endswith('-gzip"')


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [("/v1/contracts", "public, max-age=60"), ("/health", "no-store"), ("/v1/donations?limit=0", "no-store")],
)
async def test_cache_control_fits_the_route(
    db: asyncpg.Connection, manifest: DeploymentManifest, client: Client, path: str, cache_control: str
) -> None:
    assert (await client.get(path)).headers["cache-control"] == cache_control


async def test_transaction_builds_are_never_cached(manifest: DeploymentManifest, client: Client) -> None:
    response = await client.post("/v1/tx/donate", json={"from": "0x12", "amount": "1"})

    assert response.status_code == 400
    assert response.headers["cache-control"] == "no-store"


async def test_body_over_the_limit_is_a_413(client: Client) -> None:
    body = b'{"from": "' + b"0" * 5000 + b'", "amount": "1"}'

    response = await client.post("/v1/tx/donate", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 413


async def test_headers_over_the_limit_are_a_431(db: asyncpg.Connection, client: Client) -> None:
    response = await client.get("/v1/donations", headers={"x-padding": "a" * 9000})

    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"


async def test_reads_over_the_limit_get_429_with_retry_after(
    db: asyncpg.Connection, settings: Settings, redis_url: str
) -> None:
    limited = settings.model_copy(update={"api_rate_limit_per_minute": 3})
    async with AsyncTestClient(app=create_app(limited)) as client:
        statuses = [(await client.get("/v1/donations")).status_code for _ in range(3)]
        refused = await client.get("/v1/donations")
        health = await client.get("/health")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["status"] == 429
    assert health.status_code == 200
    # The count lives in the configured Redis database, where every worker shares it.
    assert redis.Redis.from_url(redis_url).keys(f"{KEY_PREFIX}:read:*")


async def test_transaction_builds_have_their_own_stricter_limit(
    db: asyncpg.Connection, manifest: DeploymentManifest, settings: Settings, redis_url: str
) -> None:
    limited = settings.model_copy(update={"api_rate_limit_per_minute": 100, "api_tx_rate_limit_per_minute": 1})
    async with AsyncTestClient(app=create_app(limited)) as client:
        first = await client.post("/v1/tx/donate", json={"from": "0x12", "amount": "1"})
        second = await client.post("/v1/tx/donate", json={"from": "0x12", "amount": "1"})
        read = await client.get("/v1/donations")

    assert first.status_code == 400
    assert second.status_code == 429
    assert read.status_code == 200


async def test_limiter_fails_open_when_redis_is_down(db: asyncpg.Connection, settings: Settings) -> None:
    no_redis = settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/13", "api_rate_limit_per_minute": 1}
    )
    async with AsyncTestClient(app=create_app(no_redis)) as client:
        statuses = [(await client.get("/v1/donations")).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


class PeerAt:
    """The app as a TCP peer at `ip` reaches it (the test client's peer is not an address)."""

    def __init__(self, app: Litestar, ip: str) -> None:
        self.app = app
        self.ip = ip

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (self.ip, 4711)}
        await self.app(scope, receive, send)


def _counted(redis_url: str) -> set[str]:
    """The client addresses with a read count in Redis (`<prefix>:read:<ip>:<window>`)."""
    keys = redis.Redis.from_url(redis_url, decode_responses=True).keys(f"{KEY_PREFIX}:read:*")
    return {str(key).split(":")[4] for key in keys}


async def _statuses(app: Any, forwarded_for: list[str]) -> list[int]:
    async with AsyncTestClient(app=app) as client:
        return [
            (await client.get("/v1/donations", headers={"x-forwarded-for": ip})).status_code for ip in forwarded_for
        ]


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    db: asyncpg.Connection, settings: Settings, redis_url: str
) -> None:
    limited = settings.model_copy(update={"api_rate_limit_per_minute": 1, "api_trusted_proxies": ["10.0.0.0/8"]})
    app = PeerAt(create_app(limited), "10.1.2.3")

    statuses = await _statuses(app, ["203.0.113.7", "203.0.113.7", "203.0.113.8", "1.1.1.1, 203.0.113.8"])

    assert statuses == [200, 429, 200, 429]  # the client-written left entry changes nothing
    assert _counted(redis_url) == {"203.0.113.7", "203.0.113.8"}


async def test_a_peer_that_is_not_a_trusted_proxy_cannot_dodge_its_limit(
    db: asyncpg.Connection, settings: Settings, redis_url: str
) -> None:
    limited = settings.model_copy(update={"api_rate_limit_per_minute": 1, "api_trusted_proxies": ["10.0.0.0/8"]})
    app = PeerAt(create_app(limited), "198.51.100.9")

    assert await _statuses(app, ["203.0.113.7", "203.0.113.8", "203.0.113.9"]) == [200, 429, 429]
    assert _counted(redis_url) == {"198.51.100.9"}


class CountingConnection(redis.asyncio.Connection):
    """A real Redis connection that counts what it sends: one send is one round trip."""

    sends = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).sends += 1
        await super().send_packed_command(command, check_health)


@pytest.fixture
def fresh_redis_url() -> Iterator[str]:
    """A Redis server of this test's own: no script loaded yet."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


async def test_checks_that_arrive_together_share_a_round_trip_and_count_exactly(fresh_redis_url: str) -> None:
    pool = redis.asyncio.ConnectionPool.from_url(fresh_redis_url, connection_class=CountingConnection)
    limiter = RateLimiter(redis.asyncio.Redis(connection_pool=pool), reads_per_minute=5, tx_per_minute=1)
    # The server has never seen the script: answered NOSCRIPT, loaded, run again.
    assert (await limiter.check("203.0.113.9", "/v1/donations")).allowed
    try:
        before = CountingConnection.sends
        verdicts = await asyncio.gather(*(limiter.check("203.0.113.7", "/v1/donations") for _ in range(12)))
        round_trips = CountingConnection.sends - before
        later = await limiter.check("203.0.113.7", "/v1/donations")
        other = await limiter.check("203.0.113.8", "/v1/donations")
    finally:
        await limiter.close()
        await pool.aclose()

    assert [verdict.allowed for verdict in verdicts] == [True] * 5 + [False] * 7
    assert all(1 <= verdict.retry_after_seconds <= 60 for verdict in verdicts[5:])
    assert not later.allowed and other.allowed
    assert round_trips == 1
