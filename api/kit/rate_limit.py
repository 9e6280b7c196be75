"""Requests per client IP in a sliding window, counted in Redis so every worker and every API
process shares one count: 429 with Retry-After once a client is over its limit.

The window slides by weighting the previous fixed minute by how much of it still overlaps the
last 60 seconds (the sliding-window counter): two small keys per client and one round trip
(a Lua script) per request, instead of a log of every request — and one round trip for all the
requests that arrive in the same turn of the event loop."""

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as redis
from litestar import Litestar
from litestar.types import Send
from redis.exceptions import NoScriptError, RedisError

from impactchain.settings import Settings

logger = logging.getLogger(__name__)

WINDOW_MS = 60_000
KEY_PREFIX = "impactchain:api:rate"
# Never limited: probes and scrapers, and the API's own documentation.
EXEMPT_PREFIXES = ("/health", "/metrics", "/schema")
STRICT_PREFIX = "/v1/tx/"

# KEYS: this window's counter, the previous window's. ARGV: limit, window ms, ms into this window.
# Returns {allowed (1/0), ms until a request would be allowed again}.
_SLIDING_WINDOW = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local elapsed = tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local overlap = (window - elapsed) / window
if previous * overlap + current >= limit then
  local wait = window - elapsed
  if current < limit and previous > 0 then
    wait = math.max(1, (window - elapsed) - math.floor((limit - current) * window / previous))
  end
  return {0, wait}
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2 * window)
return {1, 0}
"""


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int


_Check = tuple[list[str], list[int], "asyncio.Future[Verdict]"]


class RateLimiter:
    """The shared count in Redis; fails open (logged) when Redis does not answer, so an outage
    of the limiter is not an outage of the API.

    Checks made in one turn of the event loop (the requests that arrived together) go to Redis as
    one pipeline: one round trip for all of them instead of one each, the count as exact."""

    def __init__(self, client: "redis.Redis", reads_per_minute: int, tx_per_minute: int) -> None:
        self._client = client
        self._script = client.register_script(_SLIDING_WINDOW)
        self._limits = {"read": reads_per_minute, "tx": tx_per_minute}
        self._waiting: list[_Check] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def check(self, ip: str, path: str) -> Verdict:
        scope = "tx" if path.startswith(STRICT_PREFIX) else "read"
        limit = self._limits[scope]
        if limit == 0:
            return Verdict(True, 0)
        now_ms = int(time.time() * 1000)
        window, elapsed = divmod(now_ms, WINDOW_MS)
        keys = [f"{KEY_PREFIX}:{scope}:{ip}:{window}", f"{KEY_PREFIX}:{scope}:{ip}:{window - 1}"]
        loop = asyncio.get_running_loop()
        verdict: asyncio.Future[Verdict] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._send_waiting)
        self._waiting.append((keys, [limit, WINDOW_MS, elapsed], verdict))
        return await verdict

    def _send_waiting(self) -> None:
        checks, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._send(checks))
        self._sending.add(task)  # held until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._sending.discard)

    async def _send(self, checks: list[_Check]) -> None:
        try:
            try:
                answers = await self._run(checks)
            except NoScriptError:  # a restarted or flushed Redis: load the script once, run again
                await self._client.script_load(_SLIDING_WINDOW)
                answers = await self._run(checks)
        except (RedisError, OSError) as exc:
            logger.warning("rate limiter unavailable, letting %d requests through: %r", len(checks), exc)
            answers = [(1, 0)] * len(checks)
        for (_, _, verdict), (allowed, wait_ms) in zip(checks, answers, strict=True):
            if not verdict.done():
                verdict.set_result(Verdict(bool(allowed), max(1, math.ceil(int(wait_ms) / 1000))))

    async def _run(self, checks: list[_Check]) -> list[Any]:
        # EVALSHA by hand: a pipeline of registered Script objects asks SCRIPT EXISTS first, a
        # second round trip every time.
        async with self._client.pipeline(transaction=False) as pipeline:
            for keys, args, _ in checks:
                pipeline.evalsha(self._script.sha, len(keys), *keys, *args)
            answers: list[Any] = await pipeline.execute()
        return answers

    async def close(self) -> None:
        await self._client.aclose()


def too_many_requests_answer(retry_after: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The 429 problem, with Retry-After in seconds: status, headers and body."""
    body = (
        b'{"type":"urn:impactchain:problem:rate-limited","title":"Too many requests","status":429,'
        b'"detail":"too many requests from this address; retry after ' + str(retry_after).encode() + b' s",'
        b'"errors":[]}'
    )
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    return 429, headers, body


async def too_many_requests(send: Send, retry_after: int) -> None:
    """The 429 problem, sent."""
    status, headers, body = too_many_requests_answer(retry_after)
    await send(cast(Any, {"type": "http.response.start", "status": status, "headers": headers}))
    await send(cast(Any, {"type": "http.response.body", "body": body}))


@asynccontextmanager
async def rate_limit_lifespan(app: Litestar) -> AsyncIterator[None]:
    """The limiter on the configured Redis; none (and a warning) when REDIS_URL is unset."""
    settings: Settings = app.state.settings
    limits = (settings.api_rate_limit_per_minute, settings.api_tx_rate_limit_per_minute)
    if settings.redis_url is None or limits == (0, 0):
        if settings.redis_url is None:
            logger.warning("REDIS_URL is not set: the API runs without rate limits")
        app.state.rate_limiter = None
        yield
        return
    limiter = RateLimiter(redis.Redis.from_url(settings.redis_url), *limits)
    app.state.rate_limiter = limiter
    try:
        yield
    finally:
        await limiter.close()
