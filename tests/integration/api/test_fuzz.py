"""A schema-driven fuzz of every operation (schemathesis, in-process against the app on the real
database and chain): no input makes the API answer 5xx, and every answer matches the OpenAPI
document (status code, content type and body schema). 100 cases per operation, 1,000+ in all."""

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

from api.app import create_app
from impactchain.registry import DeploymentManifest
from impactchain.settings import Settings

CASES_PER_OPERATION = 100
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(settings: Settings, manifest: DeploymentManifest) -> OpenApiSchema:
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
