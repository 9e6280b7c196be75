"""The app as a whole: health, the OpenAPI document, and problems for unknown routes."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from impactchain.devstack.ports import free_port
from impactchain.settings import Settings

Client = AsyncTestClient[Litestar]


async def test_health_is_ok_with_database_and_chain_up(client: Client) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "chain": "ok"}


async def test_health_is_503_when_the_chain_is_down(settings: Settings) -> None:
    offline = settings.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}"})

    async with AsyncTestClient(app=create_app(offline)) as client:
        response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "chain": "unavailable"}


async def test_health_is_503_when_the_database_is_down(settings: Settings) -> None:
    offline = settings.model_copy(update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/impactchain"})

    async with AsyncTestClient(app=create_app(offline)) as client:
        response = await client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "chain": "ok"}


async def test_openapi_document_lists_every_endpoint(client: Client) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"] == {"title": "ImpactChain API", "version": "0.1.0"}
    assert {"/health", "/v1/donations", "/v1/contracts", "/v1/tx/donate"} <= set(document["paths"])
    donate = document["paths"]["/v1/tx/donate"]["post"]
    assert donate["summary"] or donate["description"]
    assert {"400", "422", "503"} <= set(donate["responses"])
    assert (await client.get("/schema/swagger")).status_code == 200
    assert (await client.get("/schema/redoc")).status_code == 200


async def test_unknown_route_is_a_problem(client: Client) -> None:
    response = await client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404
