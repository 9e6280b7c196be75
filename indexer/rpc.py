"""A lean async JSON-RPC client for the indexer's hot path that treats faults as weather.

aiohttp carries the requests (its C parser reads an 8 MiB answer for a fifth of httpx's CPU) and
`eth_getLogs` answers are decoded by msgspec straight into `RawLog` structs (two thirds of the
time of a JSON parse into dicts); everything else is parsed by orjson.

Every request is retried with capped exponential backoff and jitter when it times out, the
connection drops, the provider answers 429 or 5xx, or the body does not parse (a cut response).
Several endpoints may be given: a fault puts the endpoint in a cool-down that grows with its
consecutive faults, and the next attempt goes to the first healthy one in the configured order.
`eth_getLogs` ranges a provider refuses (too many results, too wide) are split where the
provider's hint says, else halved. Each fault is one log line and one metric sample; a request
only fails after its last attempt, and the indexer's loop then backs off and tries again.
"""

import asyncio
import itertools
import random
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
import orjson
import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode

from impactchain.events import RawLog
from impactchain.settings import endpoint_label
from impactchain.tracing import tracer
from indexer import metrics

log = structlog.get_logger(__name__)

# The largest eth_getLogs answer read for several blocks (about 12,000 logs): a bigger one is
# abandoned unread and the indexer narrows its step, so a sudden dense stretch never takes the
# process's memory with it.
MAX_LOGS_RESPONSE_BYTES = 8 * 2**20
# Headers per JSON-RPC batch: hosted nodes cap batches (Alchemy at 1000), and smaller batches
# spread over the connections.
HEADERS_PER_BATCH = 250

# What providers say when an eth_getLogs range is too much for them (geth/Infura, Alchemy,
# QuickNode, Ankr, BlastAPI and others), lowercased.
_RANGE_REFUSALS = re.compile(
    r"query returned more than \d+ results|log response size exceeded|response size (exceeded|should not)"
    r"|too many (results|logs|blocks)|block range|blocks range|limited to a [\d,]+|range (limit|too large)"
    r"|exceeds? max(imum)? range|query timeout exceeded"
)
# Alchemy: "... this block range should work: [0x1a, 0x2b]"; Infura: "Try with this block range
# [0x1a, 0x2b]."
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-f]+|\d+)\s*,\s*(0x[0-9a-f]+|\d+)\s*\]")
# "exceed maximum block range: 5000", "max block range of 2,000", "limited to a 10,000 block range"
_MAX_RANGE = re.compile(r"(?:max(?:imum)? (?:block )?range(?: is| of)?:?|limited to a) ([\d,]+)")
_BLOCK_NUMBER = re.compile(rb'"blockNumber"\s*:\s*"0x([0-9a-fA-F]+)"')
# JSON-RPC errors that say "later", not "never": rate limits and overloaded or lagging backends.
_TRANSIENT_ERRORS = re.compile(
    r"rate|limit exceeded|too many requests|capacity|busy|overload|unavailable|timeout|timed out|try again"
    r"|header not found|unknown block|internal error"
)


class RpcError(RuntimeError):
    """The node answered a call with an error, or could not be reached after every attempt."""

    def __init__(self, method: str, detail: object) -> None:
        super().__init__(f"{method}: {detail}")
        self.method = method
        self.detail = detail


class RangeRefusedError(RpcError):
    """A provider refused an `eth_getLogs` range as too large; `suggested` is the range it hinted
    at (inclusive block numbers), `max_blocks` the widest range it named, when it said either."""

    def __init__(self, method: str, detail: object) -> None:
        super().__init__(method, detail)
        message = str(detail).lower()
        found = _SUGGESTED_RANGE.search(message)
        self.suggested = (int(found[1], 0), int(found[2], 0)) if found else None
        widest = _MAX_RANGE.search(message)
        self.max_blocks = int(widest[1].replace(",", "")) if widest else None


class ResponseTooLargeError(RpcError):
    """An `eth_getLogs` answer for several blocks grew past the client's cap and was abandoned
    unparsed (a node without limits, a sudden dense stretch): ask for fewer blocks. `seen` counts
    the logs of each block in the part that was read (the last block's count is a lower bound):
    how dense the chain turned, so the caller can size its next request instead of guessing."""

    def __init__(self, method: str, detail: object, seen: dict[int, int] | None = None) -> None:
        super().__init__(method, detail)
        self.seen = seen or {}


class _AttemptError(Exception):
    """One attempt failed in a way worth retrying; `kind` labels the metric."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class BlockRef:
    number: int
    hash: str
    parent_hash: str


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_seconds: float = 0.2
    cap_seconds: float = 5.0

    def delay(self, attempt: int) -> float:
        """Full jitter: a random delay up to the capped exponential, so clients do not stampede."""
        return random.uniform(0, min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1)))  # noqa: S311


@dataclass
class Endpoint:
    url: str
    label: str
    proxy: str | None = None  # HTTP(S)_PROXY for this URL, unless NO_PROXY exempts it
    faults: int = 0  # consecutive
    down_until: float = 0.0
    served: int = 0

    @property
    def healthy(self) -> bool:
        return self.down_until <= time.monotonic()


def env_proxy(url: str) -> str | None:
    """The proxy HTTP_PROXY or HTTPS_PROXY (either case) names for `url`'s scheme, None when there
    is none or NO_PROXY exempts its host, as httpx and aiohttp's trust_env read them."""
    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    if not parts.hostname or urllib.request.proxy_bypass(parts.hostname):  # NO_PROXY, on Linux
        return None
    return proxies.get(parts.scheme)


class JsonRpcClient:
    def __init__(
        self,
        urls: str | Sequence[str],
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_logs_bytes: int = MAX_LOGS_RESPONSE_BYTES,
    ) -> None:
        urls = [urls] if isinstance(urls, str) else list(urls)
        if not urls:
            raise ValueError("JsonRpcClient needs at least one URL")
        self.endpoints = [Endpoint(url, endpoint_label(url), env_proxy(url)) for url in urls]
        self.retry = retry or RetryPolicy()
        self.max_logs_bytes = max_logs_bytes
        self._ids = itertools.count(1)
        # Connecting, and each wait for the node to send more, within `timeout` (as httpx's was):
        # not the whole answer, which may be 8 MiB from a busy provider.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._http: aiohttp.ClientSession | None = None  # made in the event loop, at the first call
        for endpoint in self.endpoints:
            metrics.RPC_ENDPOINT_UP.labels(endpoint.label).set(1)

    @property
    def url(self) -> str:
        return self.endpoints[0].url

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=16),
                timeout=self._timeout,
                headers={"content-type": "application/json"},
                # The proxy is each endpoint's, read once (`env_proxy`): with trust_env, aiohttp
                # reads the environment and ~/.netrc in a worker thread on every request, ~5% of
                # a backfill's CPU in its profile.
                trust_env=False,
            )
        return self._http

    async def call(
        self,
        method: str,
        params: list[Any],
        *,
        attempts: int | None = None,
        max_bytes: int | None = None,
        answer: "msgspec.json.Decoder[Any] | None" = None,
    ) -> Any:
        """One call's result; `RangeRefusedError` or `RpcError` when the node refuses it for good
        (after `attempts`, by default the retry policy's); `ResponseTooLargeError` when the answer
        grows past `max_bytes`. `answer` decodes the body into a typed answer (see `_LogsAnswer`)
        instead of dicts."""
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        body = await self._send(method, orjson.dumps(payload), attempts=attempts, max_bytes=max_bytes, answer=answer)
        if not isinstance(body, dict) or ("result" not in body and "error" not in body):
            raise RpcError(method, f"not a JSON-RPC response: {str(body)[:200]}")
        if "error" in body:
            raise _refusal(method, params, body["error"])
        return body["result"]

    async def batch(self, method: str, params: Sequence[list[Any]]) -> list[Any]:
        """The results of many calls of `method`, in order, in one JSON-RPC batch request."""
        first = next(self._ids)
        payload = [
            {"jsonrpc": "2.0", "id": first + offset, "method": method, "params": p} for offset, p in enumerate(params)
        ]
        for _ in range(len(params)):
            next(self._ids)
        body = await self._send(method, orjson.dumps(payload), expect=len(params))
        results: dict[int, Any] = {}
        for answer in body:
            if "error" in answer:
                raise RpcError(method, answer["error"])
            results[answer["id"]] = answer["result"]
        return [results[first + offset] for offset in range(len(params))]

    async def _send(
        self,
        method: str,
        payload: bytes,
        expect: int | None = None,
        attempts: int | None = None,
        max_bytes: int | None = None,
        answer: "msgspec.json.Decoder[Any] | None" = None,
    ) -> Any:
        attempts = attempts or self.retry.attempts
        for attempt in itertools.count(1):
            endpoint = self._pick()
            try:
                body = await self._traced_post(method, endpoint, payload, expect, max_bytes, answer)
            except _AttemptError as fault:
                self._fault(endpoint, method, fault, attempt)
                if attempt >= attempts:
                    raise RpcError(method, f"{fault.kind} after {attempt} attempts: {fault}") from None
                metrics.RPC_RETRIES.labels(method).inc()
                await asyncio.sleep(self.retry.delay(attempt))
                continue
            self._served(endpoint)
            return body
        raise AssertionError("unreachable")

    async def _traced_post(
        self,
        method: str,
        endpoint: Endpoint,
        payload: bytes,
        expect: int | None,
        max_bytes: int | None,
        answer: "msgspec.json.Decoder[Any] | None",
    ) -> Any:
        """`_post` in a client span named after the JSON-RPC method (when tracing is on). The URL
        shown is scheme, host and port only: providers put API keys in the path."""
        attributes = {"rpc.system": "jsonrpc", "rpc.method": method, "url.full": endpoint.label}
        with tracer().start_as_current_span(
            f"JSON-RPC {method}", kind=SpanKind.CLIENT, attributes=attributes, record_exception=False
        ) as span:
            try:
                return await self._post(endpoint, payload, expect, max_bytes, answer)
            except (_AttemptError, ResponseTooLargeError) as exc:
                span.set_status(Status(StatusCode.ERROR, str(exc)[:200]))
                raise

    async def _post(
        self,
        endpoint: Endpoint,
        payload: bytes,
        expect: int | None,
        max_bytes: int | None,
        answer: "msgspec.json.Decoder[Any] | None" = None,
    ) -> Any:
        try:
            # No redirects: a JSON-RPC endpoint that answers 3xx is misconfigured (an http-error
            # fault), and following one would send the request, key in path, somewhere else.
            post = self._session().post(endpoint.url, data=payload, allow_redirects=False, proxy=endpoint.proxy)
            async with post as response:
                status = response.status
                content = await (response.read() if max_bytes is None else _read_capped(response, max_bytes))
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors
            raise _AttemptError("timeout", repr(exc)) from None
        except aiohttp.ClientError as exc:  # refused, dropped, a body cut short of its length
            raise _AttemptError("connection", repr(exc)) from None
        if status == 429:
            raise _AttemptError("rate-limited", f"HTTP 429: {_text(content)}")
        if status >= 500:
            raise _AttemptError("server-error", f"HTTP {status}: {_text(content)}")
        try:
            body = _typed(answer.decode(content)) if answer is not None else orjson.loads(content)
        except (orjson.JSONDecodeError, msgspec.DecodeError) as exc:
            if status != 200:  # a redirect, 401, 404…: the status says what went wrong
                raise _AttemptError("http-error", f"HTTP {status}: {_text(content)}") from None
            detail = f"HTTP {status}, unparsable body ({exc}): {_text(content, 120)}"
            raise _AttemptError("bad-body", detail) from None
        if status != 200 and not (isinstance(body, dict) and "error" in body):
            raise _AttemptError("http-error", f"HTTP {status}: {_text(content)}")
        if expect is not None:
            if not isinstance(body, list) or len(body) != expect:
                raise _AttemptError("bad-body", f"a batch of {expect} answered by {str(body)[:200]}")
            if any(isinstance(a, dict) and "error" in a and _transient(a["error"]) for a in body):
                raise _AttemptError("node-busy", f"a batch answer: {str(body)[:200]}")
        elif isinstance(body, dict) and "error" in body and _transient(body["error"]):
            raise _AttemptError("node-busy", str(body["error"])[:200])
        return body

    def _pick(self) -> Endpoint:
        """The first healthy endpoint in the configured order, else the one back soonest."""
        for endpoint in self.endpoints:
            if endpoint.healthy:
                return endpoint
        return min(self.endpoints, key=lambda e: e.down_until)

    def _fault(self, endpoint: Endpoint, method: str, fault: _AttemptError, attempt: int) -> None:
        endpoint.faults += 1
        cooldown = min(30.0, 0.5 * 2 ** (endpoint.faults - 1))
        endpoint.down_until = time.monotonic() + cooldown
        metrics.RPC_FAULTS.labels(endpoint.label, method, fault.kind).inc()
        metrics.RPC_ENDPOINT_UP.labels(endpoint.label).set(0)
        log.warning(
            "rpc fault",
            endpoint=endpoint.label,
            method=method,
            kind=fault.kind,
            attempt=attempt,
            of=self.retry.attempts,
            endpoint_down_for=round(cooldown, 2),
            detail=str(fault)[:200],
        )

    def _served(self, endpoint: Endpoint) -> None:
        if endpoint.faults:
            log.info("rpc endpoint recovered", endpoint=endpoint.label, after_faults=endpoint.faults)
            metrics.RPC_ENDPOINT_UP.labels(endpoint.label).set(1)
        endpoint.faults = 0
        endpoint.down_until = 0.0
        endpoint.served += 1

    async def chain_id(self) -> int:
        return int(await self.call("eth_chainId", []), 16)

    async def block_number(self) -> int:
        return int(await self.call("eth_blockNumber", []), 16)

    async def block(self, number: int) -> BlockRef | None:
        """A block's header; None if the node has none."""
        raw = await self.call("eth_getBlockByNumber", [hex(number), False])
        return None if raw is None else _block_ref(raw)

    async def finalized_block(self) -> int | None:
        """The chain's finalized block number; None where the node serves no `finalized` tag."""
        try:
            block = await self.block_by_tag("finalized")
        except RpcError:
            return None
        return None if block is None else block.number

    async def block_by_tag(self, tag: str) -> BlockRef | None:
        # Two attempts only: a node without the tag says so in an error that reads as transient.
        raw = await self.call("eth_getBlockByNumber", [tag, False], attempts=2)
        return None if raw is None else _block_ref(raw)

    async def blocks(self, numbers: Sequence[int], *, concurrency: int = 4) -> list[BlockRef | None]:
        """The headers of `numbers`, in order, in JSON-RPC batches with a few in flight."""
        gate = asyncio.Semaphore(concurrency)

        async def one_batch(chunk: Sequence[int]) -> list[Any]:
            async with gate:
                return await self.batch("eth_getBlockByNumber", [[hex(n), False] for n in chunk])

        chunks = [numbers[i : i + HEADERS_PER_BATCH] for i in range(0, len(numbers), HEADERS_PER_BATCH)]
        answers = await asyncio.gather(*(one_batch(chunk) for chunk in chunks))
        return [None if raw is None else _block_ref(raw) for chunk in answers for raw in chunk]

    async def logs(
        self, address: str | Sequence[str], topic0: str | Sequence[str] | None, from_block: int, to_block: int
    ) -> list[RawLog]:
        """`eth_getLogs` of one contract or of any of several (`address` a list), for one event,
        any of several (`topic0` a list) or every event (`topic0` None). A range the provider
        refuses is split (where its hint says, else in half) and read in parts, in order. An answer
        for several blocks larger than `max_logs_bytes` is abandoned unread: `ResponseTooLargeError`
        (the caller asks for fewer blocks)."""
        log_filter = {
            "address": address if isinstance(address, str) else list(address),
            "topics": [] if topic0 is None else [topic0 if isinstance(topic0, str) else list(topic0)],
            "fromBlock": hex(from_block),
            "toBlock": hex(to_block),
        }
        try:
            cap = self.max_logs_bytes if from_block < to_block else None  # one block is read whatever its size
            logs: list[RawLog] = await self.call("eth_getLogs", [log_filter], max_bytes=cap, answer=LOGS_ANSWER)
        except RangeRefusedError as refused:
            if from_block >= to_block:
                raise
            end = split_point(from_block, to_block, refused)
            metrics.RANGE_SPLITS.inc()
            log.info(
                "rpc range refused; splitting",
                from_block=from_block,
                to_block=to_block,
                first_part_to=end,
                hint=refused.suggested or refused.max_blocks,
            )
            return [
                *await self.logs(address, topic0, from_block, end),
                *await self.logs(address, topic0, end + 1, to_block),
            ]
        return logs


class _LogsAnswer(msgspec.Struct, gc=False):
    """An `eth_getLogs` answer as msgspec reads it; a result that is not a list of logs fails the
    decode (a bad body: retried)."""

    result: list[RawLog] | None = None
    error: Any = msgspec.UNSET


# How the client reads an `eth_getLogs` answer (bench/indexer_chain reads its raw side so too).
LOGS_ANSWER = msgspec.json.Decoder(_LogsAnswer)


def _typed(answer: _LogsAnswer) -> dict[str, Any]:
    """A typed answer in the shape the rest of the client reads: {"result": …} or {"error": …}."""
    return {"result": answer.result} if answer.error is msgspec.UNSET else {"error": answer.error}


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, read only while it stays within `max_bytes`: a huge answer is dropped before it
    is parsed (its objects would take several times its size in memory)."""
    chunks, size = [], 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        chunks.append(chunk)
        if size > max_bytes:
            seen = logs_per_block(b"".join(chunks)[:max_bytes])  # what one answer can hold
            raise ResponseTooLargeError("eth_getLogs", f"answer larger than {max_bytes:,} bytes", seen)
    return b"".join(chunks)


def _text(content: bytes, limit: int = 200) -> str:
    return content[:limit].decode("utf-8", errors="replace")


def logs_per_block(partial: bytes) -> dict[int, int]:
    """How many logs of each block the start of an `eth_getLogs` answer holds (by their
    `blockNumber` fields; the answer is cut anywhere, so the last block's count may be short)."""
    counts: dict[int, int] = {}
    for found in _BLOCK_NUMBER.finditer(partial):
        number = int(found[1], 16)
        counts[number] = counts.get(number, 0) + 1
    return counts


def split_point(from_block: int, to_block: int, refused: RangeRefusedError) -> int:
    """Where the first part of a refused range ends: the provider's suggested end or widest range
    when it gave one that makes progress, else the middle."""
    if refused.suggested is not None and refused.suggested[0] == from_block:
        end = refused.suggested[1]
    elif refused.max_blocks:
        end = from_block + refused.max_blocks - 1
    else:
        end = (from_block + to_block) // 2
    if not from_block <= end < to_block:
        end = (from_block + to_block) // 2
    return end


def _refusal(method: str, params: list[Any], error: object) -> RpcError:
    if method == "eth_getLogs" and _RANGE_REFUSALS.search(str(error).lower()):
        return RangeRefusedError(method, error)
    return RpcError(method, error)


def _transient(error: object) -> bool:
    """A JSON-RPC error that says "not now" (and is not a refused log range, which splitting fixes)."""
    message = str(error).lower()
    return bool(_TRANSIENT_ERRORS.search(message)) and not _RANGE_REFUSALS.search(message)


def _block_ref(raw: dict[str, Any]) -> BlockRef:
    return BlockRef(int(raw["number"], 16), raw["hash"].lower(), raw["parentHash"].lower())
