"""Unknown codes on the console: anyone can type one, so only tag-shaped codes are listed;
everything else is counted, never shown."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qrshop.extensions import db
from qrshop.shopper.models import Scan
from qrshop.tags.codes import is_tag_code, normalise_code
from tests.factories import login, make_shop, make_user

# Typed by anyone on /t/<code>: a plausible mistyped tag code, and text meant for retailers.
TAG_SHAPED = "ZZZZ9999"
NOT_TAG_SHAPED = ["CallUs0800555012", "WINPRIZE", "ZZZZ999", "ZZZZ99999", "ABCD1234",
                  "abcdOOOO"]


@pytest.mark.parametrize("code", ["ZZZZ9999\n", "ZZZZ9999\r\n", "ZZ ZZ", "", "ZZZZ-999"])
def test_a_code_with_a_trailing_newline_or_other_characters_is_no_code(code):
    assert normalise_code(code) is None
    assert not is_tag_code(code)


def test_tag_codes_are_the_alphabet_at_the_length():
    assert normalise_code("zzzz9999") == "ZZZZ9999" and is_tag_code("ZZZZ9999")
    assert not any(is_tag_code(code) for code in NOT_TAG_SHAPED)
    assert not is_tag_code("zzzz9999")  # canonical codes are upper case


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "flask view"])
def test_a_path_with_a_trailing_newline_is_a_404_that_records_nothing(app, client, fast_path):
    shop = make_shop()
    app.config["SCAN_FAST_PATH"] = fast_path
    for path in (f"/t/{shop.tag.code}%0A", "/t/ZZZZ9999%0A", "/T/ZZZZ9999%0D%0A"):
        assert client.get(path).status_code == 404
    assert db.session.scalars(select(Scan)).all() == []


def test_the_console_lists_only_tag_shaped_unknown_codes(app, client):
    make_shop()
    for code in [TAG_SHAPED, TAG_SHAPED.lower(), *NOT_TAG_SHAPED]:
        assert client.get(f"/t/{code}").status_code == 404
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    page = client.get("/console/analytics").get_data(as_text=True)
    listed = page.split("Unknown codes", 1)[1].split("</section>", 1)[0]
    assert f"{TAG_SHAPED}: 2" in listed  # typed in upper and in lower case
    assert "8 scans of codes that match no tag" in listed
    assert listed.count("<li>") == 1
    for code in NOT_TAG_SHAPED:
        assert f"<li>{code.upper()}:" not in listed and f"<li>{code}:" not in listed
    csv = client.get("/console/analytics/orphans.csv").get_data(as_text=True)
    assert csv.splitlines()[1:] == [f"{TAG_SHAPED},2"]
