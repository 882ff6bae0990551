"""Configuration: defaults, then QRSHOP_* environment variables, then test overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# Environment variable -> config key. Documented in docs/configuration.md.
ENVIRONMENT_KEYS = {
    "QRSHOP_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "QRSHOP_SECRET_KEY": "SECRET_KEY",
    "QRSHOP_BASE_URL": "BASE_URL",
    "QRSHOP_VENDOR_CONTENT_DIR": "VENDOR_CONTENT_DIR",
    "QRSHOP_SMTP_URL": "SMTP_URL",
    "QRSHOP_MAIL_FROM": "MAIL_FROM",
    "QRSHOP_SMS_WEBHOOK_URL": "SMS_WEBHOOK_URL",
    "QRSHOP_SMS_WEBHOOK_TOKEN": "SMS_WEBHOOK_TOKEN",
    "QRSHOP_REDIS_URL": "REDIS_URL",
    "QRSHOP_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "QRSHOP_ACCESS_LOG": "ACCESS_LOG",
    "QRSHOP_WEBHOOK_ALLOW_PRIVATE": "WEBHOOK_ALLOW_PRIVATE",
    "QRSHOP_API_RATE_LIMIT": "API_RATE_LIMIT",
    "QRSHOP_METRICS_TOKEN": "METRICS_TOKEN",
    "QRSHOP_LOG_FORMAT": "LOG_FORMAT",
}
# Config keys read from the environment as on/off: 1, true, yes, on (any case) mean on.
FLAG_KEYS = frozenset({"WEBHOOK_ALLOW_PRIVATE"})

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# `qrshop demo` writes the address it serves here (in the instance folder), so that the CLI
# (`qrshop tags list`, `tags print`) encodes the same one when QRSHOP_BASE_URL is not set.
DEMO_BASE_URL_FILE = "demo_base_url"


def _default_vendor_content_dir(instance_path: str) -> str:
    """vendor_content/ beside the code in a source checkout, else inside the instance folder."""
    if (REPO_ROOT / "pyproject.toml").is_file():
        return str(REPO_ROOT / "vendor_content")
    return os.path.join(instance_path, "vendor_content")


def defaults(instance_path: str) -> dict:
    """Return the built-in defaults for an app whose instance folder is instance_path."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "qrshop.sqlite3"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": DEFAULT_BASE_URL,
        "VENDOR_CONTENT_DIR": _default_vendor_content_dir(instance_path),
        "SMTP_URL": None,
        # None: no-reply@<host of BASE_URL>.
        "MAIL_FROM": None,
        "SMS_WEBHOOK_URL": None,
        "SMS_WEBHOOK_TOKEN": None,
        "REDIS_URL": None,
        "TRUSTED_PROXIES": "",
        # `qrshop serve`'s access log: private (no client address, agent, query string or
        # token), full (gunicorn's combined format) or off (qrshop/access_log.py).
        "ACCESS_LOG": "private",
        # The access log's lines: text (gunicorn's style) or json (one object per request
        # with its route group, status, duration and request id: qrshop/access_log.py).
        "LOG_FORMAT": "text",
        # GET /metrics answers 404 until this is set, then only `Authorization: Bearer
        # <token>` (qrshop/metrics.py).
        "METRICS_TOKEN": None,
        # Repeat scans by the same shopper of the same tag inside this window are flagged.
        "REPEAT_SCAN_WINDOW_SECONDS": 30 * 60,
        "SHOPPER_COOKIE_MAX_AGE": 365 * 24 * 3600,
        # A person's GET of a live tag skips Flask's request machinery (shopper/fastpath.py);
        # False sends every scan through the Flask view (for comparison and tests).
        "SCAN_FAST_PATH": True,
        # How long a process keeps what a tag shows (its page data and the offer a shopper
        # without a cookie sees) before reading it again: a changed page or a retired tag
        # shows at most this long after the change (shopper/scan.py).
        "LANDING_DATA_MAX_AGE_SECONDS": 1.0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The largest upload (an MP4 of up to 50 MB: content.media.MAX_UPLOAD_BYTES, which a
        # test holds this to) plus 1 MB for the form around it.
        "MAX_CONTENT_LENGTH": 51 * 1024 * 1024,
        # None: Secure session cookies exactly when BASE_URL is https.
        "SESSION_COOKIE_SECURE": None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        # When the limits' storage fails (Redis down), count in this worker's memory until it
        # answers again rather than answer 500; Flask-Limiter logs the failure.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Requests per API token and window, across every worker and node
        # (qrshop/accounts/api_limits.py): "600/minute", "10/second", "20000/hour".
        "API_RATE_LIMIT": "600/minute",
        # werkzeug's scrypt default; tests use a cheap method to stay fast.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Webhooks may call private, loopback and link-local addresses, and plain http
        # (tests, a receiver on this machine); off in production (qrshop/webhooks/addresses.py).
        "WEBHOOK_ALLOW_PRIVATE": False,
    }


def from_environment(environ: os._Environ | dict) -> dict:
    """Read the QRSHOP_* variables that are set into config keys."""
    found = {key: environ[name] for name, key in ENVIRONMENT_KEYS.items() if environ.get(name)}
    for key in FLAG_KEYS & found.keys():
        found[key] = found[key].strip().lower() in ("1", "true", "yes", "on")
    return found


def instance_secret_key(instance_path: str) -> str:
    """Return a per-installation secret key kept in the instance folder, creating it once.

    Used only when QRSHOP_SECRET_KEY is not set, so that a demo or a single machine gets a
    stable, unshared key without any secret living in the repository.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return key


def demo_base_url(instance_path: str) -> str | None:
    """The address `qrshop demo` last served from this instance folder, if it did."""
    try:
        return (Path(instance_path) / DEMO_BASE_URL_FILE).read_text().strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def save_demo_base_url(instance_path: str, base_url: str) -> Path:
    """Record the address the demo serves (demo_base_url reads it); return the file."""
    path = Path(instance_path) / DEMO_BASE_URL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(base_url + "\n")
    partial.replace(path)
    return path


def normalise_base_url(base_url: str) -> str:
    """Validate QRSHOP_BASE_URL and return it without a trailing slash.

    Raises ValueError with a message a person can act on.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"QRSHOP_BASE_URL must be an http(s) origin such as https://qr.example.com, "
            f"got {base_url!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"QRSHOP_BASE_URL must not carry a query or fragment, got {base_url!r}")
    return base_url.strip().rstrip("/")


def default_mail_from(base_url: str) -> str:
    """The sender of qrshop's emails when QRSHOP_MAIL_FROM is not set."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"no-reply@{host}"
