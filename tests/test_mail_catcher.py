"""The demo's mail catcher: every message it receives becomes a private .eml file."""

from __future__ import annotations

import email
import email.policy
import smtplib
import stat

import pytest

from qrshop.mail_catcher import MailCatcher
from tests.conftest import BASE_URL


def test_an_invitation_lands_in_the_mail_folder_as_an_eml_file(app, runner, tmp_path):
    folder = tmp_path / "mail"
    announced = []
    with MailCatcher(folder, announce=announced.append) as catcher:
        app.config["SMTP_URL"] = catcher.url
        assert runner.invoke(args=["users", "invite", "newbie@example.com", "--role",
                                   "admin"]).exit_code == 0
        assert "Sent 1, failed 0." in runner.invoke(args=["outbox", "send"]).output
        port = catcher.url.rsplit(":", 1)[1]
    (saved,) = folder.iterdir()  # no half-written leftovers beside it
    assert saved.suffix == ".eml"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it holds a set-password link
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    message = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert message["To"] == "newbie@example.com" and "invited" in message["Subject"]
    assert BASE_URL + "/invitation/" in message.get_content()
    assert announced == [f"Mail to newbie@example.com ({message['Subject']}) saved as {saved}"]
    # Stopped with the block: nothing listens there any more.
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", int(port), timeout=2)


def test_every_message_gets_its_own_file(tmp_path):
    folder = tmp_path / "mail"
    with MailCatcher(folder) as catcher, \
            smtplib.SMTP("127.0.0.1", int(catcher.url.rsplit(":", 1)[1])) as client:
        for number in range(3):
            client.sendmail("shop@example.com", ["a@example.com"],
                            f"Subject: number {number}\r\n\r\nbody {number}\r\n")
    subjects = sorted(email.message_from_bytes(path.read_bytes())["Subject"]
                      for path in folder.glob("*.eml"))
    assert subjects == ["number 0", "number 1", "number 2"]
