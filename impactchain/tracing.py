"""OpenTelemetry traces: API request → PostgreSQL / Redis / JSON-RPC, indexer step → RPC → COPY,
worker job → database / RPC.

Tracing is on only when `configure_tracing` is given somewhere to send spans: the OTLP/HTTP
endpoint of `OTEL_EXPORTER_OTLP_ENDPOINT`, or (tests) an exporter. Then asyncpg, redis and
httpx are instrumented and the API adds its request middleware. Off, nothing is patched and
`traced_step`/`job_span` cost one `is None` check: the hot paths run as if this module were
not there.
"""

import functools
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer

from impactchain.settings import endpoint_label

if TYPE_CHECKING:  # the SDK is imported only when tracing is configured
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

TRACER_NAME = "impactchain"

_provider: "TracerProvider | None" = None
_uninstrument: list[Callable[[], None]] = []


def enabled() -> bool:
    """True once `configure_tracing` set up a provider (and until `shutdown_tracing`)."""
    return _provider is not None


def tracer() -> Tracer:
    return (_provider or trace.get_tracer_provider()).get_tracer(TRACER_NAME)


def tracer_provider() -> "TracerProvider | None":
    return _provider


def configure_tracing(
    service_name: str,
    *,
    endpoint: str | None = None,
    exporter: "SpanExporter | None" = None,
    set_global: bool = True,
) -> bool:
    """Trace this process to `endpoint` (OTLP/HTTP, batched) or to `exporter` (every span as it
    ends); with neither, do nothing and return False. Idempotent."""
    global _provider
    if _provider is not None:
        return True
    if exporter is None and endpoint is None:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        assert endpoint is not None
        traces = endpoint if endpoint.rstrip("/").endswith("/v1/traces") else endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if set_global:
        trace.set_tracer_provider(provider)
    _instrument_libraries(provider)
    _provider = provider
    return True


def shutdown_tracing() -> None:
    """Flush, stop instrumenting and forget the provider (tests; processes just exit)."""
    global _provider
    for undo in reversed(_uninstrument):
        undo()
    _uninstrument.clear()
    if _provider is not None:
        _provider.shutdown()
    _provider = None


def flush() -> None:
    """Send finished spans now: a forked RQ work-horse exits without running the batch's thread."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def _instrument_libraries(provider: "TracerProvider") -> None:
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    asyncpg_instrumentor = AsyncPGInstrumentor()
    asyncpg_instrumentor.instrument(tracer_provider=provider)
    httpx_instrumentor = HTTPXClientInstrumentor()
    httpx_instrumentor.instrument(
        tracer_provider=provider, request_hook=_hide_url_path, async_request_hook=_hide_url_path_async
    )
    redis_instrumentor = RedisInstrumentor()
    redis_instrumentor.instrument(tracer_provider=provider)
    _uninstrument.extend(
        [asyncpg_instrumentor.uninstrument, httpx_instrumentor.uninstrument, redis_instrumentor.uninstrument]
    )
    _trace_asyncpg_copy()


def _hide_url_path(span: Span, request: Any) -> None:
    # RPC providers put API keys in the path (…/v2/KEY): a span shows scheme, host and port only.
    shown = endpoint_label(str(request.url))
    span.set_attribute("url.full", shown)
    span.set_attribute("http.url", shown)


async def _hide_url_path_async(span: Span, request: Any) -> None:
    _hide_url_path(span, request)


def _trace_asyncpg_copy() -> None:
    """A span per COPY (the asyncpg instrumentation covers statements, not COPY)."""
    import asyncpg.connection
    import wrapt

    async def traced(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        table = args[0] if args else kwargs.get("table_name", "?")
        with tracer().start_as_current_span(
            f"COPY {table}", kind=SpanKind.CLIENT, attributes={"db.system": "postgresql", "db.operation": "COPY"}
        ) as span:
            result = await wrapped(*args, **kwargs)
            records = kwargs.get("records")
            if isinstance(records, list):
                span.set_attribute("db.rows", len(records))
            return result

    cls = asyncpg.connection.Connection
    originals = {name: cls.__dict__[name] for name in ("copy_records_to_table", "copy_to_table")}
    for name in originals:
        wrapt.wrap_function_wrapper(cls, name, traced)

    def undo() -> None:
        for name, original in originals.items():
            setattr(cls, name, original)

    _uninstrument.append(undo)


class _Step(Protocol):
    @property
    def name(self) -> str: ...


StepT = TypeVar("StepT", bound=_Step)
ResultT = TypeVar("ResultT")

_STEP_FIELDS = {
    "from_block": "chain.from_block",
    "to_block": "chain.to_block",
    "events": "indexer.events",
    "reorged_to": "chain.reorged_to",
}


def traced_step(
    step: Callable[[StepT], Coroutine[Any, Any, ResultT]],
) -> Callable[[StepT], Coroutine[Any, Any, ResultT]]:
    """An indexer step as one span (`indexer.step`), parent of its RPC, SQL and COPY spans, with the
    block range and events it indexed."""

    @functools.wraps(step)
    async def run(self: StepT) -> ResultT:
        if _provider is None:
            return await step(self)
        with tracer().start_as_current_span("indexer.step", attributes={"indexer.name": self.name}) as span:
            result = await step(self)
            for field, attribute in _STEP_FIELDS.items():
                value = getattr(result, field, None)
                if isinstance(value, int):
                    span.set_attribute(attribute, value)
            return result

    return run


@contextmanager
def job_span(name: str, attributes: dict[str, str | int]) -> Iterator[Span | None]:
    """A background job as one span (`job <function>`), flushed when it ends; nothing when off."""
    if _provider is None:
        yield None
        return
    try:
        with tracer().start_as_current_span(f"job {name}", kind=SpanKind.CONSUMER, attributes=attributes) as span:
            yield span
    finally:
        flush()
