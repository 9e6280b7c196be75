"""Typed API errors and their RFC 9457 problem-details responses."""

import logging
import re
from http import HTTPStatus
from typing import ClassVar

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:impactchain:problem:"
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")

logger = logging.getLogger(__name__)


class FieldProblem(msgspec.Struct):
    """What is wrong with one input field."""

    field: str
    message: str


class Problem(msgspec.Struct):
    """An RFC 9457 problem; `errors` names each offending input field."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = msgspec.field(default_factory=list)


class ApiError(Exception):
    """A failure the client should see as a problem; subclasses fix its status, slug and title."""

    status_code: ClassVar[int] = HTTP_400_BAD_REQUEST
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def field_problems(self) -> list[FieldProblem]:
        return []

    def to_problem(self) -> Problem:
        return Problem(
            type=PROBLEM_TYPE_PREFIX + self.slug,
            title=self.title,
            status=self.status_code,
            detail=self.detail,
            errors=self.field_problems(),
        )


class NotFoundError(ApiError):
    """The path names something the indexed data does not hold (yet: see /v1/status for lag)."""

    status_code = HTTP_404_NOT_FOUND
    slug = "not-found"
    title = "Not found"


class InvalidFieldError(ApiError):
    """One input field holds a value the API refuses; carries the field and the value."""

    slug = "invalid-field"
    title = "Invalid input"

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason

    def field_problems(self) -> list[FieldProblem]:
        return [FieldProblem(field=self.field, message=self.reason)]


def problem_response(problem: Problem) -> Response[Problem]:
    return Response(content=problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE)


def api_error_handler(request: Request, exc: ApiError) -> Response[Problem]:
    return problem_response(exc.to_problem())


def validation_error_handler(request: Request, exc: ValidationException) -> Response[Problem]:
    """Litestar's own parameter and body validation, as a problem naming each field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [_field_problem(item) for item in extra if isinstance(item, dict) and "message" in item]
    detail = "; ".join(f"{error.field}: {error.message}" for error in errors) or exc.detail
    problem = Problem(
        type=PROBLEM_TYPE_PREFIX + "invalid-field",
        title="Invalid input",
        status=HTTP_400_BAD_REQUEST,
        detail=detail,
        errors=errors,
    )
    return problem_response(problem)


def _field_problem(item: dict[str, object]) -> FieldProblem:
    message = str(item["message"])
    key = str(item.get("key") or "")
    # Litestar reports errors about the body as a whole under its parameter name, `data`.
    if key in ("", "data"):
        missing = _MISSING_FIELD.search(message)
        key = missing[1] if missing else "body"
    return FieldProblem(field=_wire_name(key), message=message)


def _wire_name(key: str) -> str:
    """Parameters are snake_case in Python but camelCase on the wire; name what the client sent."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def http_error_handler(request: Request, exc: HTTPException) -> Response[Problem]:
    """Litestar's other HTTP errors (unknown route, wrong method, malformed JSON) as problems."""
    problem = Problem(type="about:blank", title=_status_phrase(exc), status=exc.status_code, detail=exc.detail)
    return problem_response(problem)


def internal_error_handler(request: Request, exc: Exception) -> Response[Problem]:
    return problem_response(internal_problem(request.method, request.url.path, exc))


def internal_problem(method: str, path: str, exc: Exception) -> Problem:
    """A failure the server did not expect: logged with its traceback, answered without it."""
    logger.exception("unhandled error on %s %s", method, path, exc_info=exc)
    return Problem(
        type="about:blank",
        title="Internal server error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="The server failed to handle the request; it has been logged.",
    )


def _status_phrase(exc: HTTPException) -> str:
    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ApiError: api_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problems a handler can answer with."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=HTTPStatus(status).phrase + " (RFC 9457 problem details)",
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in statuses
    }


# Every read can be refused (400), rate limited (429) or find its database down (503).
READ_PROBLEMS = problem_responses(400, 429, 503)
