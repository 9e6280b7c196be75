"""GET /v1/status: the chain head and each indexer's lag, from the real checkpoint table."""

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient
from web3 import Web3

from api.app import create_app
from impactchain.devstack.ports import free_port
from impactchain.settings import Settings

Client = AsyncTestClient[Litestar]


async def test_status_reports_each_indexers_lag_behind_the_head(
    chain: Web3, db: asyncpg.Connection, client: Client
) -> None:
    head = chain.eth.block_number
    await db.execute(
        "INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ($1, 31337, $2, $3)",
        "helpdesk-donations:0xabc",
        max(0, head - 2),
        "0x" + "ab" * 32,
    )
    await db.execute(  # another chain's checkpoint must not show up
        "INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ('polygon', 137, 5, '0x')"
    )

    response = await client.get("/v1/status")

    assert response.status_code == 200
    body = response.json()
    assert body["chainId"] == 31337
    assert body["head"] >= head
    assert [indexer["name"] for indexer in body["indexers"]] == ["helpdesk-donations:0xabc"]
    indexer = body["indexers"][0]
    assert indexer["lagBlocks"] == body["head"] - max(0, head - 2)
    assert indexer["blockHash"] == "0x" + "ab" * 32
    assert indexer["updatedAt"] is not None


async def test_status_before_any_indexing_lists_no_indexers(db: asyncpg.Connection, client: Client) -> None:
    response = await client.get("/v1/status")
    assert response.status_code == 200
    assert response.json()["indexers"] == []


async def test_metrics_count_requests_per_route(db: asyncpg.Connection, client: Client) -> None:
    await client.get("/v1/donations")
    await client.get("/v1/donations", params={"limit": 1})

    response = await client.get("/metrics")

    assert response.status_code == 200
    lines = [line for line in response.text.splitlines() if line.startswith("impactchain_api_requests_total{")]
    donations = [line for line in lines if 'path="/v1/donations"' in line]
    assert donations, response.text[:500]
    assert float(donations[0].rsplit(" ", 1)[1]) >= 2


def _sample(text: str, metric: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(metric + "{") and all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_time_each_route_and_count_server_errors(settings: Settings) -> None:
    offline = settings.model_copy(update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/x"})
    async with AsyncTestClient(app=create_app(offline)) as client:
        before = (await client.get("/metrics")).text
        refused = await client.get("/v1/rounds/0x" + "ab" * 20)
        after = (await client.get("/metrics")).text

    labels = {"path": "/v1/rounds/{address}", "status_code": "503", "method": "GET"}
    assert refused.status_code == 503
    assert (_sample(after, "impactchain_api_requests_error_total", **labels) or 0) == (
        _sample(before, "impactchain_api_requests_error_total", **labels) or 0
    ) + 1
    assert (_sample(after, "impactchain_api_request_duration_seconds_count", **labels) or 0) >= 1
    assert _sample(after, "impactchain_api_requests_in_progress", path="/v1/rounds/{address}") == 0
