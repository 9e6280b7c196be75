"""The probes: `/health` for load balancers and `impactchain dev`, `/health/live` and
`/health/ready` for Kubernetes (all exempt from rate limits, like every `/health` path)."""

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from api.health.deps import HEALTH_DEPENDENCIES
from api.health.schemas import HealthRead, LiveRead, ReadyRead
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

    @get("/live")
    async def get_live(self) -> LiveRead:
        """Answer while the process serves HTTP, whatever its dependencies do (a liveness probe)."""
        return LiveRead()

    @get(
        "/ready",
        responses={
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
                data_container=ReadyRead,
                description=(
                    "The database or the chain node did not answer, no indexer has checkpointed yet, or an "
                    "indexer trails the head by more than IMPACTCHAIN_API_READY_MAX_LAG_BLOCKS beyond its "
                    "confirmations"
                ),
            )
        },
    )
    async def get_ready(self, health_service: NamedDependency[HealthService]) -> Response[ReadyRead]:
        """Ready to serve fresh data: 503 while a dependency is down or an indexer lags past the limit."""
        report = await health_service.readiness()
        status_code = HTTP_200_OK if report.ok else HTTP_503_SERVICE_UNAVAILABLE
        return Response(ReadyRead.from_report(report), status_code=status_code)
