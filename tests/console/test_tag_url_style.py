"""The console's tag URL style setting (theme page): CSRF, roles, what tags then encode."""

from __future__ import annotations

import re

from qrshop.extensions import db
from qrshop.tags.services import tag_print_url
from tests.conftest import BASE_URL
from tests.factories import csrf_token, login, make_retailer, make_shop, make_user

PATH = "/console/theme/tag-url-style"


def _checked(page: str) -> str:
    """The tag URL style the page's radio buttons show as chosen."""
    return re.search(r'<input checked[^>]*name="tag_url_style"[^>]*value="(\w+)"', page).group(1)


def test_merchandiser_switches_to_gs1_and_printed_urls_follow(client):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    page = client.get("/console/theme").get_data(as_text=True)
    assert _checked(page) == "short"
    token = csrf_token(client, "/console/theme")
    saved = client.post(PATH, data={"csrf_token": token, "tag_url_style": "gs1"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert shop.retailer.tag_url_style == "gs1"
    assert tag_print_url(shop.tag, BASE_URL).endswith(f"/01/{shop.product.gtin}")
    assert _checked(client.get("/console/theme").get_data(as_text=True)) == "gs1"
    tags_page = client.get("/console/tags").get_data(as_text=True)
    assert f"/tags/{shop.tag.code}.svg?style=gs1" in tags_page


def test_without_csrf_or_with_a_bad_value_nothing_changes(client):
    shop = make_shop()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    assert client.post(PATH, data={"tag_url_style": "gs1"}).status_code == 400
    token = csrf_token(client, "/console/theme")
    bad = client.post(PATH, data={"csrf_token": token, "tag_url_style": "long"})
    assert bad.status_code == 400 and "Choose short or GS1" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert shop.retailer.tag_url_style == "short"


def test_only_the_merchandiser_of_the_retailer_sets_it(app, client):
    shop = make_shop()
    other = make_retailer("other")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="other").email)
    token = csrf_token(client, "/console/theme")
    client.post(PATH, data={"csrf_token": token, "tag_url_style": "gs1"})
    db.session.expire_all()
    assert other.tag_url_style == "gs1" and shop.retailer.tag_url_style == "short"
    associate = make_user("associate", retailer_slug="acme", store_code="NYC01")
    till = app.test_client()
    login(till, associate.email)
    token = csrf_token(till, "/pos")
    response = till.post(PATH, data={"csrf_token": token, "tag_url_style": "gs1"})
    assert response.status_code in (302, 403) and "/console/theme" not in response.headers.get(
        "Location", "")
    db.session.expire_all()
    assert shop.retailer.tag_url_style == "short"
