"""Strict input, checked before Litestar converts it: Litestar's own conversion is lax (it reads
`?limit=1e2` as 100 and a body's `"requestId": "1"` as 1) and its untyped JSON decode recurses
without a bound. Integers in the query are plain decimal digits here, and a JSON body is decoded
strictly straight into the handler's body type (which also stops at the first field that does not
fit, so a deeply nested body is refused as soon as its shape is wrong)."""

import re
import types
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

import msgspec
from litestar import Request
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg

from api.kit.problems import InvalidFieldError

_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,77}")
_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
_NAMED_FIELD = re.compile(r"field `([^`]+)`")


@dataclass(frozen=True, slots=True)
class _InputPlan:
    """What to check for one handler: its integer query parameters (wire names) and its body type."""

    integer_queries: tuple[str, ...]
    body_type: Any


_plans: dict[HTTPRouteHandler, _InputPlan] = {}


async def check_strict_input(request: Request[Any, Any, Any]) -> None:
    """Refuse, as a 400 naming the field, an integer not written in decimal digits or a body that
    does not decode strictly into the handler's body type."""
    plan = _plan_for(request.route_handler)
    for name in plan.integer_queries:
        for raw in request.query_params.getall(name, ()):
            if not _INTEGER.fullmatch(raw):
                raise InvalidFieldError(name, raw, f"must be an integer in decimal digits, got {raw!r}")
    if plan.body_type is not None:
        _decode_strictly(await request.body(), plan.body_type)


def _decode_strictly(body: bytes, body_type: Any) -> None:
    try:
        msgspec.json.decode(body, type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        field, message = _locate(str(exc))
        raise InvalidFieldError(field, None, message) from None
    except msgspec.DecodeError as exc:
        raise InvalidFieldError("body", None, f"is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidFieldError("body", None, "nests too deeply") from None


def _locate(message: str) -> tuple[str, str]:
    """The wire name of the field msgspec's error is about, and the error without its location."""
    at = _PATH.search(message)
    text = message[: at.start()] if at else message
    named = _NAMED_FIELD.search(text)
    path = at[1] if at else ""
    if named and ("missing required" in text or "unknown field" in text):
        path = f"{path}.{named[1]}" if path else named[1]
    return path or "body", text


def _plan_for(handler: HTTPRouteHandler) -> _InputPlan:
    plan = _plans.get(handler)
    if plan is None:
        plan = _plans[handler] = _plan(handler)
    return plan


def _plan(handler: HTTPRouteHandler) -> _InputPlan:
    integer_queries: list[str] = []
    body_type: Any = None
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name == "data":
            body_type = (
                field.annotation
                if isinstance(field.annotation, type) and issubclass(field.annotation, msgspec.Struct)
                else None
            )
            continue
        definition = field.kwarg_definition
        is_query = isinstance(definition, ParameterKwarg) and definition.param_type is ParamType.QUERY
        if is_query and _is_integer(field.annotation):
            assert isinstance(definition, ParameterKwarg)
            integer_queries.append(definition.name or definition.query or name)
    return _InputPlan(integer_queries=tuple(integer_queries), body_type=body_type)


def _is_integer(annotation: Any) -> bool:
    """int, int | None, or a list of either."""
    if annotation is int:
        return True
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        return any(_is_integer(arg) for arg in get_args(annotation) if arg is not type(None))
    return False
