"""The magic-link tests read their emails from the alerts tests' SMTP server."""

from tests.alerts.conftest import smtp_server  # noqa: F401
