"""A job's trace leaves the forked work-horse over real OTLP/HTTP: one `job …` span per job,
parent of the job's SQL, in one trace, received by a collector stand-in on a local port."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import asyncpg
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from redis import Redis
from rq import Queue

from impactchain import tracing
from impactchain.jobs import THANK_YOU_JOB
from impactchain.settings import Settings, get_settings
from workers.main import run_worker

DONATION = (31337, "0x" + "22" * 32, 0)


class Collector(ThreadingHTTPServer):
    """Keeps every OTLP/HTTP trace export it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ExportHandler)
        self.exports: list[ExportTraceServiceRequest] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def spans(self) -> list[Span]:
        return [
            span
            for export in self.exports
            for resource in export.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]


class _ExportHandler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.path == "/v1/traces":
            self.server.exports.append(ExportTraceServiceRequest.FromString(body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Jobs read settings from the environment in the forked work horse."""
    assert settings.database_url is not None
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", str(settings.redis_url))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def attribute(span: Span, key: str) -> str | None:
    for kv in span.attributes:
        if kv.key == key:
            return kv.value.string_value or str(kv.value.int_value)
    return None


async def test_a_jobs_span_and_its_sql_reach_the_otlp_endpoint(
    db: asyncpg.Connection, worker_env: Settings, collector: Collector
) -> None:
    await db.execute(
        """
        INSERT INTO donations (chain_id, contract, request_id, donor, currency, amount, donor_total,
                               block_number, block_hash, tx_hash, log_index)
        VALUES (31337, $1, 0, $2, $1, 10, 10, 5, $3, $4, 0)
        """,
        "0x" + "00" * 20,
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
        "0x" + "11" * 32,
        DONATION[1],
    )
    redis = Redis.from_url(str(worker_env.redis_url))
    job = Queue(worker_env.queue_name, connection=redis).enqueue(THANK_YOU_JOB, *DONATION)
    tracing.configure_tracing("impactchain-worker-test", endpoint=collector.endpoint, set_global=False)
    try:
        run_worker(worker_env, burst=True)
    finally:
        tracing.shutdown_tracing()
        redis.close()

    spans = collector.spans()
    (job_span,) = [span for span in spans if span.name == f"job {THANK_YOU_JOB}"]
    assert attribute(job_span, "job_id") == job.id
    assert attribute(job_span, "tx_hash") == DONATION[1]
    in_trace = [span for span in spans if span.trace_id == job_span.trace_id]
    sql = [span for span in in_trace if attribute(span, "db.system") == "postgresql"]
    assert any(span.parent_span_id == job_span.span_id for span in sql), [span.name for span in spans]
    assert any("notifications" in (attribute(span, "db.statement") or "") for span in sql)
    assert await db.fetchval("SELECT count(*) FROM notifications") == 1
