"""GET /v1/donations against rows in the real test database."""

import random
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from eth_utils import to_checksum_address
from litestar import Litestar
from litestar.testing import AsyncTestClient

DONOR_A = "0x8ba1f109551bd432803012645ac136ddd64dba72"
DONOR_B = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"
HELP_DESK = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"

Client = AsyncTestClient[Litestar]


def _hash(*parts: int) -> str:
    return "0x" + "".join(f"{part:08x}" for part in parts).rjust(64, "0")


async def _insert(
    db: asyncpg.Connection,
    *,
    block_number: int,
    log_index: int,
    donor: str = DONOR_A,
    amount: int = 10**18,
    donor_total: int | None = None,
    request_id: int = 0,
    currency: str = "0x" + "00" * 20,
) -> None:
    await db.execute(
        """
        INSERT INTO donations
            (chain_id, contract, donor, amount, donor_total, block_number, block_hash, tx_hash, log_index,
             request_id, currency)
        VALUES (31337, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """,
        HELP_DESK,
        donor,
        Decimal(amount),
        Decimal(amount if donor_total is None else donor_total),
        block_number,
        _hash(block_number),
        _hash(block_number, log_index),
        log_index,
        request_id,
        currency,
    )


def _positions(body: dict[str, Any]) -> list[tuple[int, int]]:
    return [(item["blockNumber"], item["logIndex"]) for item in body["items"]]


async def test_newest_first_by_block_then_log_index(db: asyncpg.Connection, client: Client) -> None:
    positions = [(block, log) for block in (5, 9, 12) for log in (0, 3, 7)]
    for block, log in random.Random(7).sample(positions, len(positions)):
        await _insert(db, block_number=block, log_index=log)

    response = await client.get("/v1/donations")

    assert response.status_code == 200
    assert _positions(response.json()) == sorted(positions, reverse=True)
    assert response.json()["nextCursor"] is None


async def test_item_is_checksummed_with_exact_decimal_amounts(db: asyncpg.Connection, client: Client) -> None:
    amount, total = 2**200 + 12345, 2**256 - 1
    await _insert(db, block_number=40, log_index=2, amount=amount, donor_total=total, request_id=3)

    response = await client.get("/v1/donations")

    assert response.json()["items"] == [
        {
            "requestId": 3,
            "donor": to_checksum_address(DONOR_A),
            "currency": "0x0000000000000000000000000000000000000000",
            "amount": str(amount),
            "donorTotal": str(total),
            "contract": to_checksum_address(HELP_DESK),
            "blockNumber": 40,
            "blockHash": _hash(40),
            "txHash": _hash(40, 2),
            "logIndex": 2,
        }
    ]
    # Exactness on the wire, not just after JSON parsing: the digits appear quoted.
    assert f'"amount":"{amount}"' in response.text


async def test_request_filter_keeps_only_that_request(db: asyncpg.Connection, client: Client) -> None:
    for log_index, request_id in enumerate((0, 2, 2, 5, 2)):
        await _insert(db, block_number=10, log_index=log_index, request_id=request_id)

    response = await client.get("/v1/donations", params={"requestId": 2})

    assert response.status_code == 200
    assert [item["logIndex"] for item in response.json()["items"]] == [4, 2, 1]
    assert {item["requestId"] for item in response.json()["items"]} == {2}


async def test_negative_request_filter_is_refused(client: Client) -> None:
    response = await client.get("/v1/donations", params={"requestId": -1})
    assert response.status_code == 400
    assert "requestId" in response.text


@pytest.mark.parametrize(
    "donor",
    [DONOR_A, DONOR_A.upper().replace("0X", "0x"), to_checksum_address(DONOR_A)],
    ids=["lowercase", "uppercase", "checksummed"],
)
async def test_donor_filter_accepts_any_case(db: asyncpg.Connection, client: Client, donor: str) -> None:
    await _insert(db, block_number=1, log_index=0, donor=DONOR_A)
    await _insert(db, block_number=2, log_index=0, donor=DONOR_B)
    await _insert(db, block_number=3, log_index=0, donor=DONOR_A)

    response = await client.get("/v1/donations", params={"donor": donor})

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["blockNumber"] for item in items] == [3, 1]
    assert {item["donor"] for item in items} == {to_checksum_address(DONOR_A)}


async def _walk(client: Client, params: dict[str, Any]) -> list[list[tuple[int, int]]]:
    pages: list[list[tuple[int, int]]] = []
    cursor: str | None = None
    while True:
        query = params | ({"cursor": cursor} if cursor is not None else {})
        response = await client.get("/v1/donations", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(_positions(body))
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


async def test_pagination_walks_every_row_exactly_once(db: asyncpg.Connection, client: Client) -> None:
    # Several logs per block, so a cursor on block number alone would skip or repeat rows.
    positions = [(block, log) for block in range(10, 18) for log in (0, 1, 4)]
    for block, log in positions:
        await _insert(db, block_number=block, log_index=log)

    pages = await _walk(client, {"limit": 5})

    assert [len(page) for page in pages] == [5, 5, 5, 5, 4]
    walked = [position for page in pages for position in page]
    assert walked == sorted(positions, reverse=True)
    assert len(set(walked)) == len(positions)


async def test_pagination_with_donor_filter(db: asyncpg.Connection, client: Client) -> None:
    for index in range(12):
        await _insert(db, block_number=100 + index, log_index=0, donor=DONOR_A if index % 3 else DONOR_B)

    pages = await _walk(client, {"limit": 3, "donor": to_checksum_address(DONOR_B)})

    assert pages == [[(109, 0), (106, 0), (103, 0)], [(100, 0)]]


async def test_exactly_full_last_page_has_no_next_cursor(db: asyncpg.Connection, client: Client) -> None:
    for block in range(4):
        await _insert(db, block_number=block, log_index=0)

    pages = await _walk(client, {"limit": 2})

    assert pages == [[(3, 0), (2, 0)], [(1, 0), (0, 0)]]


async def test_default_limit_is_fifty(db: asyncpg.Connection, client: Client) -> None:
    for block in range(51):
        await _insert(db, block_number=block, log_index=0)

    body = (await client.get("/v1/donations")).json()

    assert len(body["items"]) == 50
    assert body["nextCursor"] is not None


async def test_no_donations(db: asyncpg.Connection, client: Client) -> None:
    response = await client.get("/v1/donations")

    assert response.json() == {"items": [], "nextCursor": None}


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"donor": "0x12"}, "donor", "40 hex digits"),
        ({"donor": "alice"}, "donor", "40 hex digits"),
        ({"donor": ""}, "donor", "40 hex digits"),
        ({"donor": "0x8Ba1f109551bD432803012645Ac136ddd64DBA72"}, "donor", "checksum invalid"),
        ({"cursor": "not-a-cursor!"}, "cursor", "nextCursor"),
        ({"cursor": "MToyOjM"}, "cursor", "nextCursor"),  # base64 of "1:2:3"
        ({"cursor": "MTox="}, "cursor", "nextCursor"),  # "1:1" with stray padding: not one we issued
        ({"cursor": ""}, "cursor", "nextCursor"),
        ({"limit": "0"}, "limit", ">= 1"),
        ({"limit": "201"}, "limit", "<= 200"),
        ({"limit": "ten"}, "limit", "int"),
    ],
)
async def test_bad_query_is_a_400_naming_the_field(
    db: asyncpg.Connection, client: Client, params: dict[str, str], field: str, says: str
) -> None:
    response = await client.get("/v1/donations", params=params)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert [error["field"] for error in problem["errors"]] == [field]
    assert says in problem["errors"][0]["message"]
    assert field in problem["detail"]
