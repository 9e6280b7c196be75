"""Which encoding the edge compresses with, by the client's Accept-Encoding (RFC 9110 §12.5.3)."""

import pytest

from api.kit.edge import Compression


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, None),
        (b"", None),
        (b"identity", None),
        (b"gzip, deflate, br", b"br"),
        (b"gzip", b"gzip"),
        (b"GZIP", b"gzip"),
        (b"br;q=0, gzip", b"gzip"),
        (b"br;q=0.0, gzip;q=0.5", b"gzip"),
        (b"br; q=0, gzip; q=0", None),
        (b"*", b"br"),
        (b"*;q=0", None),
        (b"br;q=0, *", b"gzip"),
        (b"gzip;q=1.0, br;q=0.1", b"br"),
        (b"br;q=nonsense, gzip", b"gzip"),
        (b"brotli, xgzip", None),
    ],
)
def test_the_encoding_follows_what_the_client_takes(header: bytes | None, chosen: bytes | None) -> None:
    assert Compression().encoding_for(header) == chosen
