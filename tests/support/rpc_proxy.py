"""A JSON-RPC proxy in front of the test chain, for tests that need the node to misbehave at a
chosen moment: forward every request, and let a test's hook act first (reorg the chain between
two of the indexer's requests) or answer with a fault (a cut body, 429/5xx, a dropped connection,
a stall, a provider refusing a log range)."""

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from aiohttp import web

from impactchain.devstack.ports import free_port

# What a hook may answer instead of forwarding: a fault name (see `RpcProxy._fault`).
FAULTS = ("cut", "http-cut", "429", "503", "drop", "stall", "busy")

Hook = Callable[[str, dict[str, Any]], Awaitable[str | None]]


@dataclass
class RpcProxy:
    upstream: str
    hook: Hook | None = None
    stall_seconds: float = 3.0
    calls: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    _runner: web.AppRunner | None = None
    _client: httpx.AsyncClient | None = None
    url: str = ""

    async def start(self) -> "RpcProxy":
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self._client = httpx.AsyncClient(timeout=60)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.aclose()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        payload = orjson.loads(body)
        # A batch is named after its first call: "batch:eth_getBlockByNumber".
        method = f"batch:{payload[0]['method']}" if isinstance(payload, list) and payload else payload["method"]
        first = payload[0] if isinstance(payload, list) else payload
        self.calls[method] += 1
        fault = await self.hook(method, first) if self.hook is not None else None
        if fault is not None:
            self.faults[fault] += 1
            return await self._fault(fault, request, payload)
        assert self._client is not None
        upstream = await self._client.post(self.upstream, content=body, headers={"content-type": "application/json"})
        return web.Response(body=upstream.content, status=upstream.status_code, content_type="application/json")

    async def _fault(self, fault: str, request: web.Request, payload: Any) -> web.StreamResponse:
        if fault == "cut":  # a 200 whose JSON stops half-way
            assert self._client is not None
            upstream = await self._client.post(self.upstream, json=payload)
            return web.Response(body=upstream.content[: len(upstream.content) // 2], content_type="application/json")
        if fault == "http-cut":  # the connection closes before the promised length arrives
            response = web.StreamResponse(headers={"content-length": "1000", "content-type": "application/json"})
            await response.prepare(request)
            await response.write(b'{"jsonrpc":"2.0","id":1,"res')
            assert request.transport is not None
            request.transport.close()
            return response
        if fault in ("429", "503"):
            return web.Response(status=int(fault), text="Too Many Requests" if fault == "429" else "upstream down")
        if fault == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if fault == "stall":
            await asyncio.sleep(self.stall_seconds)
            return web.Response(status=504)
        if fault == "busy":
            error = {"code": -32005, "message": "rate limit exceeded, try again later"}
            return web.json_response({"jsonrpc": "2.0", "id": _id(payload), "error": error})
        if fault.startswith("refuse-range"):
            return web.json_response({"jsonrpc": "2.0", "id": _id(payload), "error": _range_error(fault, payload)})
        raise ValueError(f"unknown fault {fault!r}")


def _id(payload: Any) -> Any:
    return payload[0]["id"] if isinstance(payload, list) else payload["id"]


def _range_error(fault: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A provider refusing an eth_getLogs range as real ones do: Infura's (a hinted range),
    Alchemy's (a hinted range), QuickNode's (a maximum range) or a bare one (halve it)."""
    log_filter = payload["params"][0]
    start = int(log_filter["fromBlock"], 16)
    hinted = f"[{hex(start)}, {hex(start + 1)}]"
    messages = {
        "refuse-range-infura": f"query returned more than 10000 results. Try with this block range {hinted}.",
        "refuse-range-alchemy": (
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no "
            f"limit on the response size, or you can request any block range with a cap of 10K logs in the "
            f"response. Based on your parameters, this block range should work: {hinted}"
        ),
        "refuse-range-quicknode": "eth_getLogs is limited to a 3 block range",
        "refuse-range-bare": "query returned more than 10000 results",
    }
    return {"code": -32005 if "infura" in fault else -32602, "message": messages[fault]}


def log_range(call: dict[str, Any]) -> tuple[int, int]:
    log_filter = call["params"][0]
    return int(log_filter["fromBlock"], 16), int(log_filter["toBlock"], 16)


class WeatherHook:
    """Faults as weather: each request, with probability `rate`, meets one of `kinds` (seeded, so a
    failure reproduces); an eth_getLogs wider than `max_range` blocks is refused as a provider
    would, its message cycling through the real providers' wordings."""

    def __init__(self, seed: int, rate: float, kinds: tuple[str, ...] = FAULTS, max_range: int = 3) -> None:
        self.random = random.Random(seed)
        self.rate = rate
        self.kinds = kinds
        self.max_range = max_range
        self._refusals = itertools.cycle(
            ("refuse-range-infura", "refuse-range-alchemy", "refuse-range-quicknode", "refuse-range-bare")
        )

    async def __call__(self, method: str, call: dict[str, Any]) -> str | None:
        if self.random.random() < self.rate:
            return self.random.choice(self.kinds)
        if method == "eth_getLogs":
            start, end = log_range(call)
            if end - start + 1 > self.max_range:
                return next(self._refusals)
        return None
