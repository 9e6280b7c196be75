"""The hot reads the edge answers itself answer exactly as Litestar's handlers do, and whatever is
not plainly valid still goes to Litestar (api/kit/direct_reads.py)."""

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.routes.http import HTTPRoute
from litestar.testing import AsyncTestClient

from api.app import DIRECT_READS, create_app
from bench.api_load import load
from impactchain.settings import Settings

Client = AsyncTestClient[Litestar]
# Any Origin header sends a request through Litestar (CORS is Litestar's); none is configured here.
THROUGH_LITESTAR = {"origin": "https://elsewhere.example"}
UNKNOWN_ROUND = "0x" + "ab" * 20


@pytest.fixture
async def keys(db: asyncpg.Connection, database_url: str) -> dict[str, Any]:
    """Donations, round donations and events as bench/api_load loads them, a few thousand of each."""
    return await load(database_url, 3000)


@pytest.fixture
def litestar_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests Litestar's route handling served."""
    calls: list[str] = []
    respond = HTTPRoute._get_response_for_request

    async def counted(self: HTTPRoute, scope: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(scope["path"])
        return await respond(self, scope, *args, **kwargs)

    monkeypatch.setattr(HTTPRoute, "_get_response_for_request", counted)
    return calls


def _comparable(headers: Any) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in headers.multi_items() if name != "x-request-id")


def _paths(keys: dict[str, Any]) -> list[str]:
    donor, voter = keys["donor"], keys["voter"]
    return [
        "/v1/donations",
        f"/v1/donations?donor={donor}&limit=3",
        f"/v1/donations?donor={donor.upper().replace('0X', '0x')}",
        "/v1/donations?requestId=7&limit=200",
        f"/v1/donations?cursor={keys['page50']}",
        "/v1/events",
        f"/v1/events?arg=voter:{voter}&limit=5",
        "/v1/events?contract=DAOCore&event=VoteCast",
        f"/v1/rounds/{keys['small']}",
        f"/v1/rounds/{keys['big'].upper().replace('0X', '0x')}",
        "/v1/rounds?limit=7",
        f"/v1/rounds?founder={donor}",
        f"/v1/rounds/{keys['big']}/donations?limit=4",
        f"/v1/rounds/{keys['small']}/donations?donor={donor}",
        f"/v1/rounds/{keys['small']}/events?event=RoundFinalized",
        f"/v1/rounds/{UNKNOWN_ROUND}/donations",
        # Errors the read itself raises: a bad checksum, a cursor it never handed out, no such round.
        "/v1/donations?donor=0x8Ba1f109551bD432803012645Ac136ddd64DBA72",
        "/v1/donations?cursor=abc",
        f"/v1/rounds/{UNKNOWN_ROUND}",
    ]


async def test_direct_reads_answer_as_litestar_does(
    keys: dict[str, Any], client: Client, litestar_calls: list[str]
) -> None:
    for path in _paths(keys):
        direct = await client.get(path, headers={"accept-encoding": "identity"})
        assert litestar_calls == [], path
        through_litestar = await client.get(path, headers={"accept-encoding": "identity", **THROUGH_LITESTAR})
        assert litestar_calls == [path.split("?")[0]], path
        litestar_calls.clear()

        assert direct.status_code == through_litestar.status_code, path
        assert direct.content == through_litestar.content, path
        assert _comparable(direct.headers) == _comparable(through_litestar.headers), path


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 400),
        ("limit=201", 400),
        ("limit=1e2", 400),
        ("limit=050", 400),
        ("requestId=9223372036854775808", 400),
        ("requestId=-1", 400),
        ("donor=0x123", 400),
        ("donor=", 400),
        ("cursor=", 400),
        ("limit=5&limit=6", 200),
        ("unknown=1", 200),
    ],
)
async def test_what_is_not_plainly_valid_goes_to_litestar(
    db: asyncpg.Connection, client: Client, litestar_calls: list[str], query: str, status: int
) -> None:
    response = await client.get(f"/v1/donations?{query}")

    assert litestar_calls == ["/v1/donations"]
    assert response.status_code == status
    if status == 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"], response.text


async def test_a_host_header_litestar_refuses_goes_to_litestar(
    db: asyncpg.Connection, client: Client, litestar_calls: list[str]
) -> None:
    response = await client.get("/v1/donations", headers={"host": "bad host"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_more_arg_filters_than_allowed_go_to_litestar(
    db: asyncpg.Connection, client: Client, litestar_calls: list[str]
) -> None:
    response = await client.get("/v1/events?" + "&".join(f"arg=a{i}:1" for i in range(5)))

    assert litestar_calls == ["/v1/events"]
    assert response.status_code == 400


async def test_a_database_that_does_not_answer_is_a_503_problem(settings: Settings, litestar_calls: list[str]) -> None:
    offline = settings.model_copy(update={"database_url": "postgresql://postgres@127.0.0.1:1/x"})
    async with AsyncTestClient(app=create_app(offline)) as client:
        response = await client.get("/v1/donations")

    assert litestar_calls == []
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["type"] == "urn:impactchain:problem:database-unavailable"


async def test_each_direct_read_takes_the_parameters_its_handler_documents(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for read in DIRECT_READS:
        documented = document["paths"][read.template]["get"].get("parameters", [])
        query = {parameter["name"] for parameter in documented if parameter["in"] == "query"}
        path = {parameter["name"] for parameter in documented if parameter["in"] == "path"}
        assert set(read.query) == query, read.template
        assert ({read.path_parameter[0]} if read.path_parameter else set()) == path, read.template
