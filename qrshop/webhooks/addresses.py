"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses.

A webhook URL is checked when it is saved (a 422 saying why) and again at every delivery,
because DNS can change: the host is resolved, every address must be public (not private,
loopback, link-local, multicast, reserved, unspecified or shared, IPv4 or IPv6, including
IPv4 addresses inside IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses), and the delivery
connects to the address that was checked, never resolving the name again. With
WEBHOOK_ALLOW_PRIVATE (QRSHOP_WEBHOOK_ALLOW_PRIVATE=1: tests and local receivers) any
address is allowed, and so is plain http; otherwise https is required.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from qrshop.errors import InvalidInput

MAX_URL_LENGTH = 2000
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)


class UnsafeUrl(InvalidInput):
    """A webhook URL qrshop will not call (422 unsafe_url); the message says why."""

    code = "unsafe_url"


class HostNotFound(UnsafeUrl):
    """The host does not resolve (now): no delivery, but a URL may be saved before its DNS."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect, and what to ask for."""

    scheme: str
    host: str  # the name, for the Host header and TLS
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # the checked addresses to connect to


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    found = [address.ipv4_mapped, address.sixtofour,
             address.teredo[1] if address.teredo else None]
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ipv4 for ipv4 in found if ipv4 is not None]


def is_public(address: str) -> bool:
    """Whether an IP address is one a webhook may reach: globally routable unicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified \
            or ip.is_loopback or ip.is_link_local or ip.is_private:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return ip not in _SHARED
    if ip.is_site_local:
        return False
    return all(is_public(str(ipv4)) for ipv4 in _embedded_ipv4(ip))


def parse_url(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a webhook URL; UnsafeUrl saying what is wrong."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeUrl("Give the URL the events should be sent to, like "
                        "https://example.com/qrshop-events.")
    if len(url) > MAX_URL_LENGTH or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise UnsafeUrl(f"A webhook URL has at most {MAX_URL_LENGTH} characters and no spaces "
                        "or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("That URL cannot be read; check the host and port.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise UnsafeUrl("A webhook URL must start with https:// and name a host."
                        if not allow_private else
                        "A webhook URL must start with https:// or http:// and name a host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("Put no user name or password in the URL; check the signature "
                        "headers instead.")
    if parts.fragment:
        raise UnsafeUrl("A webhook URL has no #fragment.")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        # An IPv6 literal or a name the IDNA codec refuses (too long a label, ...).
        host = parts.hostname
        if not _is_ip(host):
            raise UnsafeUrl(f"The host {parts.hostname!r} is not a valid name.") from None
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address the host resolves to (an IP literal is itself); UnsafeUrl if none."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise HostNotFound(f"The host {host!r} could not be found (DNS).") from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise HostNotFound(f"The host {host!r} could not be found (DNS).")
    return addresses


def check_url(url: str, *, allow_private: bool, saving: bool = False) -> Target:
    """The checked target of a webhook URL; UnsafeUrl (422) for a URL qrshop will not call:
    not http(s), https missing, or a host with any non-public address.

    saving: a host that does not resolve yet is accepted (its addresses are empty); every
    delivery resolves and checks it again, and fails while it does not resolve.
    """
    scheme, host, port, path = parse_url(url, allow_private=allow_private)
    try:
        addresses = resolve(host, port)
    except HostNotFound:
        if not saving:
            raise
        return Target(scheme, host, port, path, ())
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise UnsafeUrl(f"The host {host!r} resolves to {refused[0]}, a private, loopback, "
                            "link-local or otherwise non-public address; webhooks are only "
                            "sent to public addresses.")
    return Target(scheme, host, port, path, addresses)
