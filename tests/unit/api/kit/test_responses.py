"""The app's response class answers exactly as Litestar's own does: the plain 200 JSON struct on
its short path, everything else (status, headers, cookies, media type, bytes) on Litestar's."""

from typing import Any

import msgspec
import pytest
from litestar import Litestar, MediaType, Response, get
from litestar.datastructures import Cookie
from litestar.testing import TestClient

from api.kit.responses import EncodedJsonResponse, JsonResponse


class Page(msgspec.Struct, rename="camel"):
    items: list[int]
    next_cursor: str | None
    raw: msgspec.Raw


def _page() -> Page:
    return Page(items=[1, 2, 3], next_cursor="é", raw=msgspec.Raw(b'{"a":[1]}'))


@get("/page", sync_to_thread=False)
def page() -> Page:
    return _page()


@get("/created", sync_to_thread=False)
def created() -> Response[Page]:
    return Response(_page(), status_code=201, headers={"x-extra": "1"}, cookies=[Cookie(key="k", value="v")])


@get("/text", media_type=MediaType.TEXT, sync_to_thread=False)
def text() -> str:
    return "plain"


@get("/bytes", sync_to_thread=False)
def raw_bytes() -> bytes:
    return b'{"already":"encoded"}'


@get("/with-header", response_headers={"x-route": "yes"}, sync_to_thread=False)
def with_header() -> Page:
    return _page()


HANDLERS = [page, created, text, raw_bytes, with_header]


def _answer(response_class: type[Response[Any]] | None, path: str) -> tuple[int, dict[str, str], bytes]:
    app = Litestar(route_handlers=HANDLERS, response_class=response_class)
    with TestClient(app=app) as client:
        response = client.get(path)
    return response.status_code, dict(response.headers), response.content


@pytest.mark.parametrize("path", ["/page", "/created", "/text", "/bytes", "/with-header"])
def test_answers_as_litestars_own_response(path: str) -> None:
    assert _answer(JsonResponse, path) == _answer(None, path)


def test_a_plain_struct_takes_the_short_path() -> None:
    request: Any = None
    plain = JsonResponse(_page(), media_type=MediaType.JSON).to_asgi_response(None, request)
    other = JsonResponse(_page(), status_code=201).to_asgi_response(None, request)

    assert isinstance(plain, EncodedJsonResponse)
    assert plain.body == b'{"items":[1,2,3],"nextCursor":"\xc3\xa9","raw":{"a":[1]}}'
    assert not isinstance(other, EncodedJsonResponse)
