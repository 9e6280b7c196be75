"""Tracing into memory and logs into a buffer, for tests that read what a process reports."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from impactchain import observability, tracing
from impactchain.observability import configure_logging


@contextmanager
def traced() -> Iterator[InMemorySpanExporter]:
    """Tracing on (asyncpg, redis, httpx instrumented) into memory; off and uninstrumented after."""
    exporter = InMemorySpanExporter()
    tracing.configure_tracing("impactchain-test", exporter=exporter, set_global=False)
    try:
        yield exporter
    finally:
        tracing.shutdown_tracing()


class LogBuffer(io.StringIO):
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.getvalue().splitlines()]


@contextmanager
def json_logs(level: str = "INFO", process: str | None = None) -> Iterator[LogBuffer]:
    """Logging set up as a process does (JSON lines), into a buffer; the previous set-up after."""
    root = logging.getLogger()
    handlers, root_level = list(root.handlers), root.level
    known = observability._known_secrets
    buffer = LogBuffer()
    configure_logging(level, "json", process=process, stream=buffer, environ={})
    try:
        yield buffer
    finally:
        structlog.reset_defaults()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(root_level)
        observability._known_secrets = known


def trace_id(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def children_of(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    assert span.context is not None
    return [s for s in spans if s.parent is not None and s.parent.span_id == span.context.span_id]
