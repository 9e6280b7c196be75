"""The one place that builds the API: every controller, dependency, lifespan and error mapping."""

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin

from api.contracts.endpoints import ContractsController
from api.donations.endpoints import DonationController
from api.events.endpoints import EventController
from api.health.endpoints import HealthController
from api.kit.chain import chain_lifespan, provide_chain_node
from api.kit.database import database_lifespan, provide_database, provide_db_session, session_lifespan
from api.kit.problems import EXCEPTION_HANDLERS
from api.kit.settings import provide_settings
from api.kit.strict_input import check_strict_input
from api.metrics.endpoints import PROMETHEUS, MetricsController
from api.rounds.endpoints import RoundController
from api.status.endpoints import StatusController
from api.tx.endpoints import TxController
from impactchain.settings import Settings, get_settings

API_TITLE = "ImpactChain API"
API_VERSION = "0.1.0"


def create_app(settings: Settings | None = None) -> Litestar:
    """The Litestar app; `uvicorn --factory api.app:create_app` serves it with settings from the environment."""
    return Litestar(
        route_handlers=[
            HealthController,
            StatusController,
            DonationController,
            RoundController,
            EventController,
            ContractsController,
            TxController,
            MetricsController,
        ],
        middleware=[PROMETHEUS.middleware],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "database": Provide(provide_database, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "chain_node": Provide(provide_chain_node, sync_to_thread=False),
        },
        lifespan=[database_lifespan, session_lifespan, chain_lifespan],
        before_request=check_strict_input,
        state=State({"settings": settings or get_settings()}),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title=API_TITLE,
            version=API_VERSION,
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
        ),
    )
