"""The one place that builds the API: every controller, dependency, lifespan and error mapping."""

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.types import ASGIApp

from api.contracts.endpoints import ContractsController
from api.donations import endpoints as donations
from api.donations.endpoints import DonationController
from api.events import endpoints as events
from api.events.endpoints import EventController
from api.health.endpoints import HealthController
from api.kit.chain import chain_lifespan, provide_chain_node
from api.kit.client_address import ClientAddress, parse_networks
from api.kit.database import database_lifespan, provide_database
from api.kit.direct_reads import DirectReads
from api.kit.edge import DIRECT_EDGE, Compression, DirectEdge, EdgeMiddleware
from api.kit.problems import EXCEPTION_HANDLERS
from api.kit.rate_limit import rate_limit_lifespan
from api.kit.request_context import tracing_middleware
from api.kit.responses import JsonResponse
from api.kit.route_guard import RouteGuard, RouteGuardMiddleware
from api.kit.settings import provide_settings
from api.kit.strict_input import check_strict_input
from api.metrics.endpoints import MetricsController
from api.rounds import endpoints as rounds
from api.rounds.endpoints import RoundController
from api.status.endpoints import StatusController
from api.tx.endpoints import TxController
from impactchain.process import freeze_startup_heap
from impactchain.settings import Settings, get_settings

API_TITLE = "ImpactChain API"
# The reads the edge answers itself when their input is plainly valid (api/kit/direct_reads.py).
DIRECT_READS = [*donations.DIRECT_READS, *events.DIRECT_READS, *rounds.DIRECT_READS]
API_VERSION = "0.1.0"


# Bodies the API reads are small JSON objects; anything bigger is refused with 413 before it is read.
MAX_BODY_BYTES = 4096
# Localhost on any port, http or https: what a dapp under development runs on.
LOCALHOST_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?"


def create_app(settings: Settings | None = None) -> Litestar:
    """The Litestar app; `uvicorn --factory api.app:create_app` serves it with settings from the environment."""
    settings = settings or get_settings()
    guard = RouteGuard(settings.api_max_header_bytes, client_address(settings))
    app = Litestar(
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
        # Per route, inside CORS (so a browser can read a 429): head size and rate limits, metrics
        # by route template, in one layer.
        middleware=[DefineMiddleware(RouteGuardMiddleware, guard=guard)],
        cors_config=cors_config(settings),
        request_max_body_size=MAX_BODY_BYTES,
        # A page (a msgspec struct) is encoded once and sent in two messages (api/kit/responses.py).
        response_class=JsonResponse,
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "database": Provide(provide_database, sync_to_thread=False),
            "chain_node": Provide(provide_chain_node, sync_to_thread=False),
        },
        lifespan=[database_lifespan, chain_lifespan, rate_limit_lifespan],
        on_startup=[freeze_startup_heap],
        before_request=check_strict_input,
        state=State({"settings": settings}),
        exception_handlers=EXCEPTION_HANDLERS,
        # Each process sets up its logs (impactchain.observability); Litestar's default would replace them.
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title=API_TITLE,
            version=API_VERSION,
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
        ),
    )
    # Around the whole app, not per route: a 404 or 405 (answered before any route's middleware)
    # gets its request id, log line, span and edge headers too (compressed there: one layer less
    # than Litestar's compression middleware per route). The span outermost.
    # The hot reads are answered in the edge when plainly valid, through the same route guard.
    direct_reads = DirectReads(DIRECT_READS, guard)
    edge = EdgeMiddleware(
        app.asgi_handler, access_log=settings.api_access_log, compression=Compression(), direct_reads=direct_reads
    )
    handler: ASGIApp = edge
    tracing = tracing_middleware()
    for middleware in tracing:
        handler = middleware(handler)
    app.asgi_handler = handler
    if not tracing:
        # The server answers the direct reads itself, without ASGI (api/server.py); with tracing
        # on, every request goes through the span's middleware instead.
        app.state[DIRECT_EDGE] = DirectEdge(edge, direct_reads, app.state)
    return app


def client_address(settings: Settings) -> ClientAddress:
    """Whom rate limits count a request against (forwarded headers only from trusted proxies)."""
    return ClientAddress(parse_networks(settings.api_trusted_proxies), settings.api_forwarded_header)


def cors_config(settings: Settings) -> CORSConfig | None:
    """Browsers on the configured origins (and on localhost when enabled) may call every route."""
    if not settings.api_cors_origins and not settings.api_cors_localhost:
        return None
    return CORSConfig(
        allow_origins=list(settings.api_cors_origins),
        allow_origin_regex=LOCALHOST_ORIGINS if settings.api_cors_localhost else None,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["content-type", "if-none-match"],
        expose_headers=["etag", "retry-after"],
        max_age=600,
    )
