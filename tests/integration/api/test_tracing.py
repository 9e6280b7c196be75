"""A request's trace and log line on the real app and PostgreSQL: the request span is the parent of
its database spans, the request id is kept (or made) and echoed, and the JSON log line of the
request carries both ids."""

import re
from collections.abc import Iterator

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from api.app import create_app
from impactchain.settings import Settings
from tests.support.observability import LogBuffer, children_of, json_logs, trace_id, traced


def logged(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_access_log": True})


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with traced() as exporter:
        yield exporter


@pytest.fixture
def logs() -> Iterator[LogBuffer]:
    with json_logs() as buffer:
        yield buffer


async def test_the_request_span_is_the_parent_of_its_database_spans(
    settings: Settings, db: asyncpg.Connection, spans: InMemorySpanExporter, logs: LogBuffer
) -> None:
    async with AsyncTestClient(app=create_app(logged(settings))) as client:
        response = await client.get("/v1/donations?requestId=0", headers={"X-Request-ID": "req-42.a"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-42.a"

    finished = spans.get_finished_spans()
    (request,) = [s for s in finished if s.kind == SpanKind.SERVER and s.name.startswith("GET /v1/donations")]
    database = [s for s in children_of(request, finished) if (s.attributes or {}).get("db.system") == "postgresql"]
    assert database, [s.name for s in finished]
    assert {trace_id(s) for s in database} == {trace_id(request)}
    assert any("donations" in str((s.attributes or {}).get("db.statement", "")) for s in database)
    # The client's address is personal data: in no span.
    for span in finished:
        for key in ("client.address", "net.peer.ip", "http.client_ip"):
            assert (span.attributes or {}).get(key) in (None, "[redacted]")

    (line,) = [line for line in logs.lines() if line.get("event") == "request"]
    assert line["request_id"] == "req-42.a"
    assert line["trace_id"] == trace_id(request)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/v1/donations", 200)
    assert "client" not in line and "query" not in line


async def test_without_tracing_a_request_id_is_made_and_a_bad_one_replaced(
    settings: Settings, db: asyncpg.Connection, logs: LogBuffer
) -> None:
    async with AsyncTestClient(app=create_app(logged(settings))) as client:
        made = await client.get("/v1/donations?requestId=0")
        injected = await client.get("/v1/donations?requestId=0", headers={"X-Request-ID": "x\ty" + "z" * 200})

    made_id = made.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_id)
    assert re.fullmatch(r"[0-9a-f]{32}", injected.headers["x-request-id"])
    assert injected.headers["x-request-id"] != made_id
    lines = [line for line in logs.lines() if line.get("event") == "request"]
    assert [line["request_id"] for line in lines] == [made_id, injected.headers["x-request-id"]]
    assert all("trace_id" not in line for line in lines)


async def test_without_the_access_log_an_answer_gets_its_id_but_no_line(
    settings: Settings, db: asyncpg.Connection, logs: LogBuffer
) -> None:
    assert not settings.api_access_log  # the default: a line per request costs a tenth of a hot read
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/v1/donations?requestId=0", headers={"X-Request-ID": "quiet-1"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "quiet-1"
    assert [line for line in logs.lines() if line.get("event") == "request"] == []
