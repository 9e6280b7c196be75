"""HTTP endpoint for the indexing status."""

from litestar import Controller, get
from litestar.di import NamedDependency

from api.kit.problems import problem_responses
from api.status.deps import STATUS_DEPENDENCIES
from api.status.schemas import StatusRead
from api.status.service import StatusService


class StatusController(Controller):
    path = "/v1/status"
    tags = ("status",)
    dependencies = STATUS_DEPENDENCIES

    @get(responses=problem_responses(503))
    async def get_status(self, status_service: NamedDependency[StatusService]) -> StatusRead:
        """The chain head and how far each indexer trails it, so readers know how fresh the data is."""
        return StatusRead.from_domain(await status_service.status())
