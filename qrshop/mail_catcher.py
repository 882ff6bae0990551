"""The demo's mail catcher: an SMTP server on 127.0.0.1 that keeps each message as a .eml file.

`qrshop demo` points QRSHOP_SMTP_URL at it, so the confirmation e-mails, magic links and
invitations the demo sends land in instance/mail/, where any mail app (or a text editor)
opens them. It accepts mail for any address and relays nothing. The files hold sign-in
links, so they are readable by this user only.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class MailFolder:
    """aiosmtpd handler writing every message it receives to folder/<time>-<n>.eml."""

    def __init__(self, folder: Path, announce: Optional[Callable[[str], None]] = None):
        self.folder = Path(folder)
        self.announce = announce
        self._count = 0
        self._lock = threading.Lock()

    def save(self, content: bytes) -> Path:
        """Write one message, whole, under a new name; return its path."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._lock:
            self._count += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
            name = f"{stamp}-{os.getpid()}-{self._count}.eml"
        path, partial = self.folder / name, self.folder / f".{name}.part"
        # Written beside the target and renamed: a reader never sees half a message.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(partial, path)
        return path

    async def handle_DATA(self, server, session, envelope):
        """Keep the message (250), or answer 451 if it cannot be written (tried again)."""
        try:
            path = self.save(envelope.content)
        except OSError as error:
            return f"451 4.3.0 Could not keep the message: {error.strerror}"
        if self.announce:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.announce(f"Mail to {', '.join(envelope.rcpt_tos)} "
                          f"({message.get('Subject', '')!s}) saved as {path}")
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class MailCatcher:
    """A running catcher: .url is its smtp:// address; stop() ends it (also on `with`)."""

    def __init__(self, folder: Path, announce: Optional[Callable[[str], None]] = None):
        self.folder = Path(folder)
        self.handler = MailFolder(self.folder, announce)
        self._controller: Optional[Controller] = None

    @property
    def url(self) -> str:
        """The QRSHOP_SMTP_URL that reaches this catcher."""
        return f"smtp://{HOST}:{self._controller.port}"

    def start(self) -> MailCatcher:
        """Listen on a free port of 127.0.0.1 (its thread serves until stop())."""
        controller = Controller(self.handler, hostname=HOST, port=_free_port(HOST))
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening and end the thread."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
