"""How a handler's return value becomes a response: the app's `response_class`.

A read answers a msgspec struct as JSON with status 200 and nothing else set on it (no headers,
cookies or background task of its own: the edge middleware adds those every response gets).
For that case Litestar's general path (a header object, cookie and type-encoder merges, an
ASGIResponse validating its status and media type) cost more than encoding the page itself;
here the struct is encoded once and sent as one start and one body message. Anything else
(another status, a media type, headers, cookies, bytes, a problem) takes Litestar's own path."""

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.enums import MediaType
from litestar.response.base import ASGIResponse
from litestar.serialization import get_serializer
from litestar.types import Receive, Scope, Send, TypeEncodersMap

_JSON = MediaType.JSON.value
_JSON_HEAD = (b"content-type", _JSON.encode())


def json_headers(body: bytes, media_type: str = _JSON) -> list[tuple[bytes, bytes]]:
    """The headers of an encoded JSON body: its content type and length."""
    content_type = _JSON_HEAD if media_type == _JSON else (b"content-type", media_type.encode())
    return [content_type, (b"content-length", str(len(body)).encode())]


class EncodedJsonResponse(ASGIResponse):
    """A JSON body, already encoded (200 unless `status` says otherwise; `media_type` for a
    problem): a start message with its two headers, then the body."""

    __slots__ = ("_start",)

    def __init__(self, body: bytes, status: int = 200, media_type: str = _JSON) -> None:
        # Not ASGIResponse.__init__: the header object it builds is what this response skips.
        self.body = body
        self._start = {"type": "http.response.start", "status": status, "headers": json_headers(body, media_type)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(self._start)  # type: ignore[arg-type]
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class JsonResponse(Response[Any]):
    """Litestar's Response, with the plain 200-JSON-struct case sent as `EncodedJsonResponse`."""

    def to_asgi_response(
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Any = None,
        encoded_headers: Any = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: "TypeEncodersMap | None" = None,
    ) -> ASGIResponse:
        plain = self._is_plain_json(
            background, cookies, encoded_headers, headers, is_head_response, media_type, status_code
        )
        if plain and not type_encoders:
            # As Litestar renders it: its serializer (with the app's type encoders) for what msgspec does not know.
            return EncodedJsonResponse(
                msgspec.json.encode(self.content, enc_hook=get_serializer(self.response_type_encoders))
            )
        return super().to_asgi_response(
            app,
            request,
            background=background,
            cookies=cookies,
            encoded_headers=encoded_headers,
            headers=headers,
            is_head_response=is_head_response,
            media_type=media_type,
            status_code=status_code,
            type_encoders=type_encoders,
        )

    def _is_plain_json(
        self,
        background: object,
        cookies: Any,
        encoded_headers: object,
        headers: dict[str, str] | None,
        is_head_response: bool,
        media_type: MediaType | str | None,
        status_code: int | None,
    ) -> bool:
        return (
            isinstance(self.content, msgspec.Struct)
            and (self.status_code or status_code or 200) == 200
            and (self.media_type or media_type or _JSON) == _JSON  # a MediaType is a str
            and not (self.background or background or encoded_headers or is_head_response)
            and not (self.headers or headers or self.cookies or cookies)
        )
