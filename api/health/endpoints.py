"""The health endpoint, for load balancers and `impactchain dev`."""

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from api.health.deps import HEALTH_DEPENDENCIES
from api.health.schemas import HealthRead
from api.health.service import HealthService


class HealthController(Controller):
    path = "/health"
    tags = ("health",)
    dependencies = HEALTH_DEPENDENCIES

    @get(
        responses={
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
                data_container=HealthRead, description="The database or the chain node did not answer"
            )
        },
    )
    async def get_health(self, health_service: NamedDependency[HealthService]) -> Response[HealthRead]:
        """Check the database and the chain node; 503 when either does not answer."""
        report = await health_service.check()
        status_code = HTTP_200_OK if report.ok else HTTP_503_SERVICE_UNAVAILABLE
        return Response(HealthRead.from_report(report), status_code=status_code)
