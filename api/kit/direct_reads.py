"""The hot reads, answered by the edge itself when their input is plainly valid.

A read through Litestar spends more CPU on its machinery (routing, the signature model, dependency
injection, the response object, two exception layers) than on the read's own work; on a machine
where the API shares its cores with PostgreSQL, that CPU is throughput. A `DirectRead` names a GET
route Litestar also serves (its handler stays the documented one, in the OpenAPI schema) and the
function that both run. The edge answers the request itself only when every query parameter is
one the route takes, given once (lists: up to their bound), in its plain valid form — stricter
than Litestar's own parsing, so whatever the direct path accepts, Litestar accepts alike. Anything
else (an unknown or malformed parameter, an Origin header (CORS), a Host header Litestar would
refuse, HEAD, a root path) goes to Litestar, which answers it as it always did, its 400 problem
naming the field included.

What Litestar's stack gives a route, the direct path gives too: the route guard (head size, rate
limit, metrics under the route template), the same JSON, the same problems for the errors the
read itself raises (an `ApiError`: a bad checksum or cursor, not found, database unavailable) and
a logged 500 problem for any other; the edge around both adds the rest (request id, security
headers, Cache-Control, ETag, compression)."""

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qsl

import msgspec
from litestar._asgi.utils import is_valid_host
from litestar.types import HTTPScope, Receive, Scope, Send

from api.kit.cursor import MAX_PAGE_SIZE
from api.kit.database import Database
from api.kit.problems import PROBLEM_MEDIA_TYPE, ApiError, Problem, internal_problem
from api.kit.responses import json_headers
from api.kit.route_guard import Answer, RouteGuard

_INT64_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True)
class QueryRule:
    """A query parameter's plain valid form: `pattern` (full match), turned into its value by `convert`."""

    pattern: re.Pattern[str]
    convert: Callable[[str], Any] = str
    maximum: int | None = None

    def parse(self, raw: str) -> Any:
        """The value, or None when `raw` is not plainly valid (the request then goes to Litestar)."""
        if not self.pattern.fullmatch(raw):
            return None
        value = self.convert(raw)
        return None if self.maximum is not None and value > self.maximum else value


ADDRESS = QueryRule(re.compile(r"0x[0-9a-fA-F]{40}"))
INT64 = QueryRule(re.compile(r"0|[1-9][0-9]{0,18}"), int, _INT64_MAX)
LIMIT = QueryRule(re.compile(r"[1-9][0-9]{0,2}"), int, MAX_PAGE_SIZE)
CURSOR = QueryRule(re.compile(r"[A-Za-z0-9_-]{1,64}"))
NAME = QueryRule(re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}"))
NAME_OR_ADDRESS = QueryRule(re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}|0x[0-9a-fA-F]{40}"))


@dataclass(frozen=True, slots=True)
class Query:
    """A query parameter: its Python name, its rule, and how many times it may be given (a list when > 1)."""

    name: str
    rule: QueryRule
    max_items: int = 1


@dataclass(frozen=True, slots=True)
class DirectRead:
    """A GET route (`template` as Litestar names it, with at most one path parameter, a whole
    segment) that the edge may answer with `read(service(database), **parameters)`."""

    template: str
    service: Callable[[Database], Any]
    read: Callable[..., Awaitable[msgspec.Struct]]
    query: Mapping[str, Query] = field(default_factory=dict)
    # The path parameter's name and rule, when the template has one.
    path_parameter: tuple[str, QueryRule] | None = None

    def parameters(self, segment: str | None, query_string: bytes) -> dict[str, Any] | None:
        """The read's keyword arguments, or None when the request is not plainly valid."""
        parameters: dict[str, Any] = {}
        if self.path_parameter is not None:
            name, rule = self.path_parameter
            if segment is None or (value := rule.parse(segment)) is None:
                return None
            parameters[name] = value
        if not query_string:
            return parameters
        for key, raw in query_pairs(query_string.decode("latin-1")):
            query = self.query.get(key)
            if query is None or (value := query.rule.parse(raw)) is None:
                return None
            if query.max_items == 1:
                if query.name in parameters:
                    return None
                parameters[query.name] = value
                continue
            values = parameters.setdefault(query.name, [])
            if len(values) == query.max_items:
                return None
            values.append(value)
        return parameters


def query_pairs(query: str) -> list[tuple[str, str]]:
    """A query string's (name, value) pairs as Litestar parses them (litestar._parsers: urllib's
    `parse_qsl`, blank values kept); one with nothing to unescape (no `%`, no `+`: the plain
    values the direct reads take) split by hand, for a third of parse_qsl's CPU."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True, separator="&")
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


class DirectReads:
    """The direct reads by path, for the edge: `serve` answers a request or declines it (False,
    having sent nothing) for Litestar to answer."""

    def __init__(self, reads: list[DirectRead], guard: RouteGuard) -> None:
        self._exact = {read.template: read for read in reads if read.path_parameter is None}
        # (what comes before the path parameter, what comes after it, the read)
        self._parameterized: list[tuple[str, str, DirectRead]] = []
        for read in reads:
            if read.path_parameter is not None:
                before, after = read.template.split("{" + read.path_parameter[0] + "}")
                self._parameterized.append((before, after, read))
        self._guard = guard

    @property
    def guard(self) -> RouteGuard:
        return self._guard

    def match(self, path: str, query_string: bytes) -> tuple[DirectRead, dict[str, Any]] | None:
        """The read a GET of `path` would be answered with and its arguments, or None."""
        read, segment = self._exact.get(path), None
        if read is None:
            read, segment = self._match(path)
        if read is None:
            return None
        parameters = read.parameters(segment, query_string)
        return None if parameters is None else (read, parameters)

    async def serve(self, scope: HTTPScope, receive: Receive, send: Send) -> bool:
        if scope["method"] != "GET" or scope.get("root_path"):
            return False
        matched = self.match(scope["path"], scope["query_string"])
        if matched is None or not _plain_headers(scope):
            return False
        read, parameters = matched
        scope["path_template"] = read.template
        await self._guard(_Answer(read, parameters), scope, receive, send)
        return True

    def _match(self, path: str) -> tuple[DirectRead | None, str | None]:
        for before, after, read in self._parameterized:
            if path.startswith(before) and path.endswith(after):
                segment = path[len(before) : len(path) - len(after)]
                if segment and "/" not in segment:
                    return read, segment
        return None, None


_CORS = frozenset({b"origin"})


def sends_to_litestar(name: bytes, value: bytes, names: frozenset[bytes] = _CORS) -> bool:
    """Whether a (lower-case) header takes the request from the direct path to Litestar: one of
    `names` (an Origin: CORS is Litestar's), or a Host its router refuses (it answers 400)."""
    return name in names or (name == b"host" and not is_valid_host(value))


def _plain_headers(scope: HTTPScope) -> bool:
    return not any(sends_to_litestar(name, value) for name, value in scope["headers"])


async def answer(read: DirectRead, parameters: dict[str, Any], database: Database, method: str, path: str) -> Answer:
    """The read's answer (status, headers, body) as Litestar's handler and problem mapping give it."""
    try:
        content = await read.read(read.service(database), **parameters)
    except ApiError as exc:
        body = msgspec.json.encode(exc.to_problem())
        return exc.status_code, json_headers(body, PROBLEM_MEDIA_TYPE), body
    except Exception as exc:
        problem: Problem = internal_problem(method, path, exc)
        body = msgspec.json.encode(problem)
        return problem.status, json_headers(body, PROBLEM_MEDIA_TYPE), body
    body = msgspec.json.encode(content)
    return 200, json_headers(body), body


class _Answer:
    """The read's answer as an ASGI app, for the route guard to run."""

    __slots__ = ("_parameters", "_read")

    def __init__(self, read: DirectRead, parameters: dict[str, Any]) -> None:
        self._read = read
        self._parameters = parameters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope = cast(HTTPScope, scope)
        database: Database = scope["litestar_app"].state.database
        status, headers, body = await answer(self._read, self._parameters, database, scope["method"], scope["path"])
        await send(cast(Any, {"type": "http.response.start", "status": status, "headers": headers}))
        await send({"type": "http.response.body", "body": body, "more_body": False})
