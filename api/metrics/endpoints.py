"""The Prometheus scrape endpoint, documented as what it answers: the text exposition format."""

import os

from litestar import Controller, Response, get
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess


class MetricsController(Controller):
    path = "/metrics"
    tags = ("health",)

    @get(media_type=CONTENT_TYPE_LATEST)
    async def get_metrics(self) -> Response[bytes]:
        """Prometheus metrics in the text exposition format (every worker's when `--workers` > 1)."""
        registry = REGISTRY
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
