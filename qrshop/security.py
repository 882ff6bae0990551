"""Response security headers, rate limits, and client addresses behind trusted proxies."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # No inline or third-party script anywhere; styles may be inline (the one-round-trip page).
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https://i.ytimg.com https://i.vimeocdn.com",
    # Vendor videos play only in privacy-enhanced embeds, and only after a tap.
    "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # The till page may use the camera to read coupon barcodes; nothing needs location.
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
_HEADERS = tuple(STATIC_HEADERS.items())
_HEADERS_HTTPS = (*_HEADERS, ("Strict-Transport-Security", HSTS))


def security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The security headers of a response: HSTS only over HTTPS."""
    return _HEADERS_HTTPS if secure else _HEADERS


# First path segments of the staff surfaces (pages, CSV exports, API answers, login and
# password pages): what they show is for one logged-in person, so no cache may keep it.
# The public scan pages, media and QR images set their own Cache-Control.
PRIVATE_SURFACES = frozenset({"console", "vendor", "admin", "pos", "api", "login", "logout",
                              "password", "invitation"})


def is_private_surface(path: str) -> bool:
    """Whether a request path belongs to a staff surface (no-store)."""
    return path.split("/", 2)[1] in PRIVATE_SURFACES if path.startswith("/") else False


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response that does not set its own, and
    `Cache-Control: no-store` to every answer of a staff surface."""

    lowered = {secure: tuple((name.lower(), name, value) for name, value in
                             security_headers(secure)) for secure in (False, True)}

    @app.after_request
    def add_security_headers(response):
        # One pass over the response's headers, not one per header.
        present = {name.lower() for name, _ in response.headers.items()}
        for lower, name, value in lowered[request.is_secure]:
            if lower not in present:
                response.headers.add(name, value)
        if is_private_surface(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response


def client_address_key() -> str:
    """Rate-limit key of the client's address: an IPv4 address, or an IPv6 address's /64.

    request.remote_addr is the TCP peer, or the address TrustedProxies read from
    X-Forwarded-For when the peer is a trusted proxy; a client cannot choose it. One IPv6
    host usually owns a whole /64, so its addresses share one bucket.
    """
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address[:64] or 'unknown'}"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network((ip, 64), strict=False)}"
    return f"address:{ip}"


def parse_trusted_proxies(setting: str) -> list:
    """Parse QRSHOP_TRUSTED_PROXIES (comma-separated addresses or CIDR networks)."""
    networks = []
    for item in (setting or "").split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"QRSHOP_TRUSTED_PROXIES: {item!r} is not an IP address or network"
                ) from None
    return networks


class TrustedProxies:
    """WSGI middleware: believe X-Forwarded-For/-Proto only when sent by a trusted proxy.

    The client address is the right-most X-Forwarded-For entry that is not itself a trusted
    proxy, so a client cannot spoof its address by sending the header itself.
    """

    def __init__(self, wsgi_app, networks: list):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        """Rewrite REMOTE_ADDR and the URL scheme from trusted forwarding headers."""
        remote = environ.get("REMOTE_ADDR", "")
        if self.networks and self._trusted(remote):
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            hops = [h for h in hops if h]
            client = remote
            for hop in reversed(hops):
                client = hop
                if not self._trusted(hop):
                    break
            environ["REMOTE_ADDR"] = client
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.wsgi_app(environ, start_response)


def shopper_pseudonym(retailer_id: int, shopper_id: str) -> str:
    """A shopper's id as a retailer's systems see it (scan events API, webhooks): a keyed
    hash per retailer, stable for one shopper, unlinkable across retailers, not reversible."""
    key = hashlib.sha256(b"qrshop.shopper-pseudonym:"
                         + current_app.config["SECRET_KEY"].encode()).digest()
    message = f"{retailer_id}:{shopper_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
