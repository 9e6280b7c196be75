"""GET /v1/rounds, /v1/rounds/{address} and /v1/rounds/{address}/donations, over rounds created on
anvil and projected by the real indexer into the test database."""

from typing import Any

import asyncpg
import pytest
from eth_account import Account
from eth_utils import keccak
from litestar import Litestar
from litestar.testing import AsyncTestClient
from web3 import Web3

from impactchain.devstack.anvil import DEV_PRIVATE_KEYS
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings
from tests.support.chain import create_round, rpc, transact
from tests.support.indexing import index_rounds_to_head

Client = AsyncTestClient[Litestar]
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
FOUNDER = Account.from_key(DEV_PRIVATE_KEYS[2]).address
OTHER_FOUNDER = Account.from_key(DEV_PRIVATE_KEYS[3]).address
DONOR = Account.from_key(DEV_PRIVATE_KEYS[1]).address
NATIVE = "0x" + "00" * 20
UNKNOWN = "0x" + "ab" * 20


def donate(w3: Web3, round_: Any, key_index: int, amount: int) -> None:
    transact(w3, round_.functions.donate(), DEV_PRIVATE_KEYS[key_index], value=amount)


async def walk(client: Client, path: str, params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = params | ({"cursor": cursor} if cursor is not None else {})
        response = await client.get(path, params=query)
        assert response.status_code == 200, response.text
        pages.append(response.json()["items"])
        cursor = response.json()["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "pagination does not terminate"


@pytest.fixture
async def rounds(chain: Web3, manifest: DeploymentManifest, settings: Settings, db: asyncpg.Connection) -> list[Any]:
    """Five rounds (the fourth by another founder) with native donations to the first, indexed."""
    created = [
        create_round(
            chain,
            manifest,
            OTHER_FOUNDER if index == 3 else FOUNDER,
            salt=keccak(text=f"round {index}"),
            cid=f"{CID}{index}",
            goal=(index + 1) * 10**18,
        )
        for index in range(5)
    ]
    donate(chain, created[0], 1, 10**17)
    donate(chain, created[0], 4, 3 * 10**17)
    donate(chain, created[0], 1, 2**64 + 1)  # beyond 2**64: exact through NUMERIC and JSON
    await index_rounds_to_head(settings, manifest)
    return created


async def test_rounds_are_listed_newest_first_a_page_at_a_time(rounds: list[Any], client: Client) -> None:
    pages = await walk(client, "/v1/rounds", {"limit": 2})

    assert [len(page) for page in pages] == [2, 2, 1]
    items = [item for page in pages for item in page]
    assert [item["address"] for item in items] == [round_.address for round_ in reversed(rounds)]
    assert [item["roundIndex"] for item in items] == [4, 3, 2, 1, 0]
    last = items[-1]
    assert (last["founder"], last["metadataCid"], last["goal"], last["milestones"]) == (
        FOUNDER,
        f"{CID}0",
        str(10**18),
        1,
    )
    assert last["deadline"] == rounds[0].functions.deadline().call()


async def test_rounds_filtered_by_founder_in_any_case(rounds: list[Any], client: Client) -> None:
    response = await client.get("/v1/rounds", params={"founder": OTHER_FOUNDER.lower()})

    assert response.status_code == 200
    assert [item["address"] for item in response.json()["items"]] == [rounds[3].address]


async def test_a_round_reads_with_what_it_raised(rounds: list[Any], client: Client) -> None:
    response = await client.get(f"/v1/rounds/{rounds[0].address.lower()}")

    assert response.status_code == 200
    body = response.json()
    assert body["round"]["address"] == rounds[0].address
    total = 10**17 + 3 * 10**17 + 2**64 + 1
    assert body["raised"] == [{"currency": NATIVE, "amount": str(total), "maticEquivalent": str(total), "donations": 3}]
    assert body["raisedEquivalent"] == str(total) == str(rounds[0].functions.raisedEquivalent().call())
    assert body["donors"] == 2


async def test_a_round_without_donations_has_raised_nothing(rounds: list[Any], client: Client) -> None:
    body = (await client.get(f"/v1/rounds/{rounds[1].address}")).json()

    assert (body["raised"], body["raisedEquivalent"], body["donors"]) == ([], "0", 0)


async def test_a_rounds_donations_newest_first_with_donor_filter(rounds: list[Any], client: Client) -> None:
    path = f"/v1/rounds/{rounds[0].address}/donations"

    every = [item for page in await walk(client, path, {"limit": 2}) for item in page]
    mine = (await client.get(path, params={"donor": DONOR.lower()})).json()["items"]

    assert [item["amount"] for item in every] == [str(2**64 + 1), str(3 * 10**17), str(10**17)]
    assert [item["donorTotal"] for item in mine] == [str(10**17 + 2**64 + 1), str(10**17)]
    assert {item["donor"] for item in mine} == {DONOR}
    assert {item["round"] for item in every} == {rounds[0].address}


@pytest.mark.parametrize("suffix", ["", "/donations"])
async def test_an_unknown_round_is_404(client: Client, db: asyncpg.Connection, suffix: str) -> None:
    response = await client.get(f"/v1/rounds/{UNKNOWN}{suffix}")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:impactchain:problem:not-found"
    assert response.json()["detail"] == f"no funding round at {UNKNOWN} has been indexed"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/rounds/0x12", {}, "address"),
        ("/v1/rounds/0x8Ba1f109551bD432803012645Ac136ddd64DBA72", {}, "address"),
        ("/v1/rounds", {"founder": "alice"}, "founder"),
        ("/v1/rounds", {"cursor": "not-a-cursor!"}, "cursor"),
        ("/v1/rounds", {"limit": 0}, "limit"),
        ("/v1/rounds", {"limit": 201}, "limit"),
        (f"/v1/rounds/{UNKNOWN}/donations", {"donor": "0x12"}, "donor"),
    ],
)
async def test_bad_input_is_400_naming_the_field(
    client: Client, db: asyncpg.Connection, path: str, params: dict[str, Any], field: str
) -> None:
    response = await client.get(path, params=params)

    assert response.status_code == 400, response.text
    assert field in response.text


async def test_status_and_events_follow_the_rounds_life(
    rounds: list[Any], chain: Web3, manifest: DeploymentManifest, settings: Settings, client: Client
) -> None:
    rpc(chain, "evm_increaseTime", [31 * 24 * 3600])
    rpc(chain, "anvil_mine", ["0x1"])
    for round_ in rounds[:2]:  # the first reached its goal, the second raised nothing
        transact(chain, round_.functions.finalize(), DEV_PRIVATE_KEYS[3])  # anyone may finalize
    await index_rounds_to_head(settings, manifest)

    statuses = [(await client.get(f"/v1/rounds/{round_.address}")).json()["status"] for round_ in rounds[:3]]
    finalized = (await client.get(f"/v1/rounds/{rounds[0].address}/events", params={"event": "RoundFinalized"})).json()
    every = [item["event"] for item in (await client.get(f"/v1/rounds/{rounds[0].address}/events")).json()["items"]]

    assert statuses == ["Succeeded", "Failed", "Funding"]  # the third was never finalized
    total = 10**17 + 3 * 10**17 + 2**64 + 1
    assert [item["args"] for item in finalized["items"]] == [
        {"status": "1", "raisedEquivalent": str(total), "goal": str(10**18)}
    ]
    assert finalized["items"][0]["round"] == rounds[0].address
    assert every[0] == "RoundFinalized"  # newest first
    assert {"RoundInitialized", "MilestoneDefined"} <= set(every)
    assert "Donated" not in every  # donations have their own endpoint


@pytest.mark.parametrize("event", ["", "Round-Finalized", "1Round", "x" * 65])
async def test_a_malformed_event_filter_is_400(rounds: list[Any], client: Client, event: str) -> None:
    response = await client.get(f"/v1/rounds/{rounds[0].address}/events", params={"event": event})

    assert response.status_code == 400, response.text
    assert "event" in response.text
