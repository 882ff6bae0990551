"""`qrshop demo --no-serve`: the seeded FashionTown store, idempotent."""

from __future__ import annotations

import json
import os
import smtplib
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qrshop.demo import demo_helpers
from qrshop.extensions import db
from tests.conftest import MOBILE_SAFARI


def _row_counts():
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_seeds_the_documented_store(runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    for email in ("admin@demo.qrshop.test", "merchandiser@demo.qrshop.test",
                  "associate.atl01@demo.qrshop.test", "vendor@trailforge.demo.qrshop.test",
                  "vendor@luma.demo.qrshop.test"):
        assert email in result.output
    tags = json.loads(runner.invoke(args=["tags", "list", "--store", "ATL01", "--format",
                                          "json"]).output)
    assert len(tags) == 15 and {tag["status"] for tag in tags} == {"active"}
    assert {tag["retailer"] for tag in tags} == {"fashiontown"}
    assert tags[0]["url"] in result.output
    clt = json.loads(runner.invoke(args=["tags", "list", "--store", "CLT01", "--format",
                                         "json"]).output)
    assert clt


def test_demo_twice_changes_nothing(runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    counts = _row_counts()
    tags = runner.invoke(args=["tags", "list", "--format", "json"]).output
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts
    assert runner.invoke(args=["tags", "list", "--format", "json"]).output == tags
    # Same logins printed both times (the passwords were kept, not re-made).
    assert first.output.split("Logins")[1].split("tags in")[0] == \
        second.output.split("Logins")[1].split("tags in")[0]


def test_every_demo_tag_gives_a_branded_page(runner, client):
    runner.invoke(args=["demo", "--no-serve"])
    tags = json.loads(runner.invoke(args=["tags", "list", "--format", "json"]).output)
    for tag in tags:
        path = tag["url"].split("/T/")[1]
        response = client.get(f"/T/{path}", headers={"User-Agent": MOBILE_SAFARI})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"<h1 data-product-name>{tag['product']}</h1>" in html
        assert 'alt="FashionTown"' in html and "--primary:#7a1f3d" in html
        assert "15% off your visit" in html and "Get coupon" in html
        logo = html.split('<img src="')[1].split('"')[0]
        with client.get(logo) as logo_response:
            assert logo_response.status_code == 200
            assert logo_response.mimetype == "image/png"
            assert "immutable" in logo_response.headers["Cache-Control"]


def _mail_to(folder: Path, recipient: str, timeout: float) -> Message:
    """The first .eml in folder addressed to recipient; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        for path in folder.glob("*.eml"):
            message = message_from_bytes(path.read_bytes())
            if message["To"] == recipient:
                return message
        assert time.monotonic() < deadline, f"no mail to {recipient} in {folder}"
        time.sleep(0.05)


def test_the_demo_worker_delivers_mail_to_the_demo_mail_folder(app, runner, monkeypatch):
    monkeypatch.delenv("QRSHOP_SMTP_URL", raising=False)
    printed = []
    with demo_helpers(app, printed.append) as helpers:
        folder = Path(app.instance_path) / "mail"
        assert printed[0] == f"Mail sent by the demo lands in {folder}{os.sep}"
        assert os.environ["QRSHOP_SMTP_URL"] == helpers.mail_catcher.url
        assert runner.invoke(args=["users", "invite", "demo.newbie@example.com", "--role",
                                   "admin"]).exit_code == 0
        # No `qrshop outbox send`: the demo's worker process delivers it (after it starts).
        invitation = _mail_to(folder, "demo.newbie@example.com", timeout=60)
        port = int(helpers.mail_catcher.url.rsplit(":", 1)[1])
    assert "invited" in invitation["Subject"]
    assert any(line.startswith("Mail to demo.newbie@example.com") for line in printed)
    # Everything stopped with the demo: the worker exited cleanly, the catcher listens no
    # more, and the environment is as it was.
    assert helpers.worker.returncode == 0
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", port, timeout=2)
    assert "QRSHOP_SMTP_URL" not in os.environ


def test_the_demo_leaves_a_configured_mail_server_alone(app, monkeypatch):
    monkeypatch.setenv("QRSHOP_SMTP_URL", "smtp://mail.example.com:25")
    printed = []
    with demo_helpers(app, printed.append) as helpers:
        assert helpers.mail_catcher is None
        assert os.environ["QRSHOP_SMTP_URL"] == "smtp://mail.example.com:25"
    assert printed == ["Mail sent by the demo goes to the server QRSHOP_SMTP_URL names."]
    assert helpers.worker.returncode is not None  # stopped (maybe before it had started)
