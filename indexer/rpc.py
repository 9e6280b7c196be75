"""A lean async JSON-RPC client for the indexer's hot path (httpx + orjson, raw logs)."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson


class RpcError(RuntimeError):
    """The node answered a call with an error, or could not be reached."""

    def __init__(self, method: str, detail: object) -> None:
        super().__init__(f"{method}: {detail}")
        self.method = method
        self.detail = detail


@dataclass(frozen=True, slots=True)
class BlockRef:
    number: int
    hash: str
    parent_hash: str


class JsonRpcClient:
    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self._ids = itertools.count(1)
        self._http = httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=16),
            headers={"content-type": "application/json"},
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, params: list[Any]) -> Any:
        payload = orjson.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        try:
            response = await self._http.post(self.url, content=payload)
        except httpx.TransportError as exc:
            raise RpcError(method, f"cannot reach {self.url}: {exc!r}") from exc
        if response.status_code != 200:
            raise RpcError(method, f"HTTP {response.status_code}: {response.text[:200]}")
        body = orjson.loads(response.content)
        if "error" in body:
            raise RpcError(method, body["error"])
        return body["result"]

    async def chain_id(self) -> int:
        return int(await self.call("eth_chainId", []), 16)

    async def block_number(self) -> int:
        return int(await self.call("eth_blockNumber", []), 16)

    async def block(self, number: int) -> BlockRef | None:
        raw = await self.call("eth_getBlockByNumber", [hex(number), False])
        if raw is None:
            return None
        return BlockRef(int(raw["number"], 16), raw["hash"].lower(), raw["parentHash"].lower())

    async def logs(
        self, address: str | Sequence[str], topic0: str | Sequence[str] | None, from_block: int, to_block: int
    ) -> list[dict[str, Any]]:
        """`eth_getLogs` of one contract or of any of several (`address` a list), for one event,
        any of several (`topic0` a list) or every event (`topic0` None)."""
        logs: list[dict[str, Any]] = await self.call(
            "eth_getLogs",
            [
                {
                    "address": address if isinstance(address, str) else list(address),
                    "topics": [] if topic0 is None else [topic0 if isinstance(topic0, str) else list(topic0)],
                    "fromBlock": hex(from_block),
                    "toBlock": hex(to_block),
                }
            ],
        )
        return logs
