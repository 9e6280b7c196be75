"""Which client a request comes from, as rate limits count it: the TCP peer, unless the peer is
one of the configured trusted proxies; then the address that proxy (and any trusted proxy
before it) says it forwarded for, from X-Forwarded-For or RFC 7239 Forwarded — whichever the
proxies are configured to set.

The forwarded chain is read right to left (nearest hop first) and trusted proxies are skipped:
the first address not trusted is the client. Entries left of it were written by the client
itself and are never believed, nor is any header from a peer that is not a trusted proxy."""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from litestar.types import Scope

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ForwardedHeader = Literal["x-forwarded-for", "forwarded"]


def parse_networks(cidrs: Iterable[str]) -> tuple[IpNetwork, ...]:
    """CIDRs (or single addresses) as networks; raises ValueError naming a malformed one."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


@dataclass(frozen=True, slots=True)
class ClientAddress:
    trusted_proxies: tuple[IpNetwork, ...] = ()
    header: ForwardedHeader = "x-forwarded-for"

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.trusted_proxies or not self._trusted(_ip(peer)):
            return peer
        address = peer
        for hop in reversed(self._chain(scope["headers"])):
            ip = _ip(hop)
            if ip is None:  # unknown, obfuscated or garbage: stop at the last hop we trust
                break
            address = str(ip)
            if not self._trusted(ip):
                break
        return address

    def _trusted(self, ip: IpAddress | None) -> bool:
        return ip is not None and any(ip in network for network in self.trusted_proxies)

    def _chain(self, headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
        name = self.header.encode()
        # Several header lines of one name are one comma-separated list, in order.
        values = [value.decode("latin-1") for key, value in headers if key.lower() == name]
        hops = [hop.strip() for value in values for hop in value.split(",")]
        return hops if self.header == "x-forwarded-for" else [_forwarded_for(hop) for hop in hops]


def _forwarded_for(element: str) -> str:
    """The `for=` of one Forwarded element (`for=192.0.2.60;proto=https`), unquoted, or ''."""
    for pair in element.split(";"):
        key, _, value = pair.strip().partition("=")
        if key.strip().lower() == "for":
            return value.strip().strip('"')
    return ""


def _ip(value: str) -> IpAddress | None:
    """An address as a hop writes it: bare, `[v6]`, `[v6]:port` or `v4:port`; None if it is none."""
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None
