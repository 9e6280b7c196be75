"""Whom a request is counted against: forwarded headers are believed only from trusted proxies,
read from the nearest hop back, and never past the first address that is not a trusted proxy."""

import re
from typing import Any

import pytest

from api.kit.client_address import ClientAddress, ForwardedHeader, parse_networks
from impactchain.settings import Settings

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8::/32"])


def scope(peer: str, *headers: tuple[str, str]) -> Any:
    return {"client": (peer, 4711), "headers": [(k.encode(), v.encode()) for k, v in headers]}


def behind_proxies(header: ForwardedHeader = "x-forwarded-for") -> ClientAddress:
    return ClientAddress(PROXIES, header)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_says() -> None:
    assert ClientAddress().of(scope("198.51.100.9", ("x-forwarded-for", "203.0.113.7"))) == "198.51.100.9"


def test_an_untrusted_peer_cannot_name_another_client() -> None:
    spoofed = scope("198.51.100.9", ("x-forwarded-for", "203.0.113.7"), ("forwarded", "for=203.0.113.8"))
    assert behind_proxies().of(spoofed) == "198.51.100.9"
    assert behind_proxies("forwarded").of(spoofed) == "198.51.100.9"


@pytest.mark.parametrize(
    ("headers", "client"),
    [
        ([("x-forwarded-for", "203.0.113.7")], "203.0.113.7"),
        # The client wrote the left entry itself; the nearest proxy appended what it saw.
        ([("x-forwarded-for", "1.2.3.4, 203.0.113.7")], "203.0.113.7"),
        # Two trusted proxies in a row are skipped; several header lines are one list.
        ([("x-forwarded-for", "1.2.3.4, 203.0.113.7"), ("X-Forwarded-For", "10.0.0.5")], "203.0.113.7"),
        ([("x-forwarded-for", "2001:db8::1, [2001:db9::7]:443")], "2001:db9::7"),
        ([("x-forwarded-for", "203.0.113.7:5555")], "203.0.113.7"),
        # Only trusted proxies all the way: the farthest one is the client.
        ([("x-forwarded-for", "10.9.9.9, 10.0.0.5")], "10.9.9.9"),
        # Garbage stops the walk at the last address a trusted hop vouched for.
        ([("x-forwarded-for", "203.0.113.7, not-an-ip, 10.0.0.5")], "10.0.0.5"),
        ([], "10.1.2.3"),
    ],
)
def test_a_trusted_proxy_names_the_client_it_forwarded_for(headers: list[tuple[str, str]], client: str) -> None:
    assert behind_proxies().of(scope("10.1.2.3", *headers)) == client


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("for=203.0.113.7;proto=https", "203.0.113.7"),
        ('for=1.2.3.4, for="[2001:db9::17]:4711";by=10.0.0.1', "2001:db9::17"),
        ("for=203.0.113.7, for=10.0.0.5", "203.0.113.7"),
        ("for=unknown", "10.1.2.3"),
        ("proto=https", "10.1.2.3"),
    ],
)
def test_forwarded_is_read_when_the_proxies_set_it(forwarded: str, client: str) -> None:
    request = scope("10.1.2.3", ("forwarded", forwarded), ("x-forwarded-for", "1.2.3.4"))
    assert behind_proxies("forwarded").of(request) == client


def test_a_malformed_trusted_proxy_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=re.escape("10.0.0.300")):
        parse_networks(["10.0.0.300/8"])
    monkeypatch.setenv("IMPACTCHAIN_API_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32")
    assert Settings().api_trusted_proxies == ["10.0.0.0/8", "2001:db8::/32"]
    monkeypatch.setenv("IMPACTCHAIN_API_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")
    with pytest.raises(ValueError, match=re.escape("'proxy.internal'")):
        Settings()
