"""Input the API refuses as a 4xx problem naming the field, never a 5xx: numbers out of range,
loosely written numbers, NUL, deep nesting; and an OpenAPI document that states those bounds."""

from typing import Any

import asyncpg
import pytest
from eth_account import Account
from litestar import Litestar
from litestar.testing import AsyncTestClient
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS

Client = AsyncTestClient[Litestar]
DONOR = Account.from_key(DEV_PRIVATE_KEYS[1]).address


def _assert_problem(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]], response.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/donations", {"requestId": str(2**63)}, "requestId"),
        ("/v1/donations", {"requestId": "1e2"}, "requestId"),
        ("/v1/donations", {"requestId": "1.0"}, "requestId"),
        ("/v1/donations", {"requestId": "-0"}, "requestId"),
        ("/v1/donations", {"limit": "1e1"}, "limit"),
        ("/v1/donations", {"limit": " 5"}, "limit"),
        ("/v1/rounds", {"limit": "0x10"}, "limit"),
    ],
)
async def test_query_integers_are_plain_decimal_in_range(
    db: asyncpg.Connection, client: Client, path: str, params: dict[str, str], field: str
) -> None:
    _assert_problem(await client.get(path, params=params), 400, field)


async def test_largest_bigint_request_id_is_a_valid_filter(db: asyncpg.Connection, client: Client) -> None:
    response = await client.get("/v1/donations", params={"requestId": str(2**63 - 1)})

    assert response.status_code == 200
    assert response.json() == {"items": [], "nextCursor": None}


async def test_nul_in_an_argument_filter_is_looked_up_as_stored(db: asyncpg.Connection, client: Client) -> None:
    await db.execute(
        "INSERT INTO contract_events (chain_id, contract, contract_name, event, args, block_number, block_hash,"
        " tx_hash, log_index) VALUES (31337, $1, 'HelpDesk', 'Noted', $2::jsonb, 1, $3, $3, 0)",
        "0x" + "11" * 20,
        '{"reason": "a\ufffdb"}',
        "0x" + "22" * 32,
    )

    response = await client.get("/v1/events", params={"arg": "reason:a\x00b"})

    assert response.status_code == 200, response.text
    assert [item["args"] for item in response.json()["items"]] == [{"reason": "a\ufffdb"}]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"from": DONOR, "amount": "1", "requestId": 2**256}, "requestId", "2**256-1"),
        ({"from": DONOR, "amount": "1", "requestId": "1"}, "requestId", "Expected `int`, got `str`"),
        ({"from": DONOR, "amount": "1", "requestId": 1.0}, "requestId", "Expected `int`, got `float`"),
        ({"from": DONOR, "amount": 1}, "amount", "Expected `str`, got `int`"),
        ({"from": DONOR, "amount": "1", "extra": 1}, "extra", "unknown field"),
        ({"amount": "1"}, "from", "missing required field"),
    ],
)
async def test_body_is_decoded_strictly(
    chain: Web3, client: Client, body: dict[str, Any], field: str, says: str
) -> None:
    response = await client.post("/v1/tx/donate", json=body)

    _assert_problem(response, 400, field)
    assert says in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"from": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        b'{"x": ' + b"[" * 1000 + b"]" * 1000 + b"}",
    ],
    ids=["array", "in-a-field", "in-an-unknown-field"],
)
async def test_deeply_nested_body_is_a_400(chain: Web3, client: Client, body: bytes) -> None:
    response = await client.post("/v1/tx/donate", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400, response.text


def _parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path]["get"]["parameters"]
    schema: dict[str, Any] = next(p for p in parameters if p["name"] == name)["schema"]
    return schema


async def test_openapi_states_the_bounds_the_server_enforces(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    request_id = _parameter(document, "/v1/donations", "requestId")
    assert (request_id["minimum"], request_id["maximum"]) == (0, 2**63 - 1)
    assert _parameter(document, "/v1/donations", "donor")["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert _parameter(document, "/v1/rounds", "founder")["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert _parameter(document, "/v1/events", "arg")["maxItems"] == 4
    donate = document["components"]["schemas"]["DonateRequest"]["properties"]
    assert donate["requestId"]["maximum"] == 2**256 - 1
    assert donate["from"]["pattern"] == "^0x[0-9a-fA-F]{40}$"
    assert donate["amount"]["pattern"] == "^[0-9]+$"


async def test_openapi_documents_metrics_as_text_and_health_with_its_503(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert [media_type.split(";")[0] for media_type in metrics] == ["text/plain"]
    health = document["paths"]["/health"]["get"]["responses"]
    assert health["503"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/HealthRead"}

    scraped = await client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
