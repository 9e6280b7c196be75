"""A schema-driven fuzz of every operation (schemathesis, in-process against the app on the real
database and chain): no input makes the API answer 5xx, and every answer matches the OpenAPI
document (status code, content type and body schema). 100 cases per operation, 1,000+ in all."""

import asyncio

import asyncpg
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema
from web3 import Web3

from api.app import create_app
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings

CASES_PER_OPERATION = 100
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


async def _checkpoint_at(database_url: str, block: int) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ('fuzz', 31337, $1, $2) "
            "ON CONFLICT (name) DO UPDATE SET block_number = EXCLUDED.block_number",
            block,
            "0x" + "00" * 32,
        )
    finally:
        await connection.close()


@pytest.fixture
def indexed_to_head(database_url: str, w3: Web3, manifest: DeploymentManifest) -> None:
    """An indexer checkpoint at the head: /health/ready answers 503 by design before any exists."""
    asyncio.run(_checkpoint_at(database_url, w3.eth.block_number))


@pytest.fixture
def api_schema(settings: Settings, manifest: DeploymentManifest, indexed_to_head: None) -> OpenApiSchema:
    # Rate limits off: the fuzz is one client sending as fast as it can, and must reach the handlers.
    unlimited = settings.model_copy(update={"api_rate_limit_per_minute": 0, "api_tx_rate_limit_per_minute": 0})
    return schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(unlimited))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_no_input_gets_a_5xx_or_an_undocumented_answer(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
