"""The GS1-Conformant resolver: gs1-style tag URLs, linksets, link types, plain /01/<GTIN>."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from sqlalchemy import func, select

from qrshop.accounts.services import update_retailer
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from qrshop.tags.services import tag_print_url
from tests.conftest import BASE_URL
from tests.factories import make_shop
from tests.helpers import make_offer

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"}
GS1 = "https://gs1.org/voc/"


def _gs1_shop():
    shop = make_shop()
    update_retailer(shop.retailer, tag_url_style="gs1")
    db.session.commit()
    return shop


def _path(url: str) -> str:
    return urlsplit(url).path


def _scans() -> int:
    return db.session.scalar(select(func.count(Scan.id)))


def test_scanning_the_gs1_url_opens_the_page_and_counts_like_the_short_url(client):
    shop = _gs1_shop()
    url = tag_print_url(shop.tag, BASE_URL)
    assert url == f"{BASE_URL.upper()}/T/{shop.tag.code}/01/{shop.product.gtin}"
    response = client.get(_path(url), headers=PHONE)
    assert response.status_code == 200
    assert b"data-product-name" in response.data and b"Trail Widget" in response.data
    assert _scans() == 1
    scan = db.session.scalars(select(Scan)).one()
    assert scan.tag_id == shop.tag.id and not scan.is_bot
    assert "rel=\"linkset\"" in response.headers["Link"]
    assert f"/T/{shop.tag.code}/01/{shop.product.gtin}?linkType=all" in response.headers["Link"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # the short URL of the same tag still resolves and counts
    assert client.get(f"/T/{shop.tag.code}", headers=PHONE).status_code == 200
    assert _scans() == 2


def _linkset(response) -> dict:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/linkset+json"
    return json.loads(response.data)["linkset"][0]


@pytest.mark.parametrize("ask", [{"query_string": {"linkType": "all"}},
                                 {"query_string": {"linkType": "linkset"}},
                                 {"headers": {"Accept": "application/linkset+json"}}])
def test_linkset_lists_gs1_links_with_one_default_and_is_not_a_scan(client, ask):
    shop = _gs1_shop()
    make_offer(shop.retailer, title="20% off boots", percent_off=20)
    path = _path(tag_print_url(shop.tag, BASE_URL))
    response = client.get(path, headers={**PHONE, **ask.get("headers", {})},
                          query_string=ask.get("query_string"))
    links = _linkset(response)
    assert links["anchor"] == f"{BASE_URL}/T/{shop.tag.code}/01/{shop.product.gtin}"
    assert GS1DigitalLinkURI.parse(links["anchor"]).element_strings.get(ai="01").value == \
        shop.product.gtin
    assert len(links[GS1 + "defaultLink"]) == 1
    landing = f"{BASE_URL}/T/{shop.tag.code}"
    assert links[GS1 + "defaultLink"][0]["href"] == landing
    assert [link["href"] for link in links[GS1 + "pip"]] == [landing]
    assert links[GS1 + "promotion"][0]["href"] == f"{landing}#engage"
    assert "20% off boots" in links[GS1 + "promotion"][0]["title"]
    assert links[GS1 + "review"][0]["href"] == f"{landing}#feedback"
    for key, targets in links.items():
        if key.startswith(GS1):
            assert all(target["title"] and target["type"] == "text/html" for target in targets)
    assert "json-ld#context" in response.headers["Link"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]
    assert _scans() == 0  # a machine read, not a scan


def test_without_a_live_offer_there_is_no_promotion_and_it_falls_back_to_default(client):
    shop = _gs1_shop()
    path = _path(tag_print_url(shop.tag, BASE_URL))
    links = _linkset(client.get(path, query_string={"linkType": "all"}))
    assert GS1 + "promotion" not in links
    response = client.get(path, query_string={"linkType": "gs1:promotion"}, headers=PHONE)
    assert response.status_code == 307
    assert response.headers["Location"] == f"{BASE_URL}/T/{shop.tag.code}"


def test_link_type_redirects_and_the_target_counts_the_scan_once(client):
    shop = _gs1_shop()
    make_offer(shop.retailer)
    path = _path(tag_print_url(shop.tag, BASE_URL))
    for asked in ("gs1:promotion", "https://gs1.org/voc/promotion"):
        response = client.get(path, query_string={"linkType": asked}, headers=PHONE)
        assert response.status_code == 307
        assert response.headers["Location"] == f"{BASE_URL}/T/{shop.tag.code}#engage"
        assert "rel=\"linkset\"" in response.headers["Link"]
        assert f'rel="{GS1}promotion"' in response.headers["Link"]
    review = client.get(path, query_string={"linkType": "gs1:review"}, headers=PHONE)
    assert review.headers["Location"].endswith("#feedback")
    assert _scans() == 0  # the redirect is not the scan: arriving at /T/<CODE> is
    client.get(_path(response.headers["Location"]), headers=PHONE)
    assert _scans() == 1


@pytest.mark.parametrize("suffix, reason", [
    ("/01/{gtin_bad_check}", "check digit"),
    ("/01/{gtin}1", "digits"),
    ("/01/123456789", "digits"),
    ("/01/{gtin}/foo", "even number"),
    ("/01/0000000000000A", "digits"),
    ("/01/{other_gtin}", "is for GTIN"),
    ("/01/{gtin}?17=991399", ""),  # a data attribute that is not a date
])
def test_malformed_digital_links_answer_400_not_a_page(client, suffix, reason):
    shop = _gs1_shop()
    gtin = shop.product.gtin
    bad_check = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    path = f"/T/{shop.tag.code}" + suffix.format(gtin=gtin, gtin_bad_check=bad_check,
                                                  other_gtin="09506000134352")
    for extra in ("", "linkType=all"):
        joined = path + ("&" if "?" in path else "?") + extra if extra else path
        response = client.get(joined, headers=PHONE)
        assert response.status_code == 400, path
        assert reason.encode() in response.data
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert _scans() == 0


def test_trailing_slash_and_lower_case_are_tolerated(client):
    shop = _gs1_shop()
    path = f"/t/{shop.tag.code.lower()}/01/{shop.product.gtin}/"
    assert client.get(path, headers=PHONE).status_code == 200
    assert _scans() == 1


def test_head_and_options_work_with_cors(client):
    shop = _gs1_shop()
    path = _path(tag_print_url(shop.tag, BASE_URL))
    head = client.head(path, headers=PHONE)
    assert head.status_code == 200 and head.data == b""
    assert "rel=\"linkset\"" in head.headers["Link"]
    assert head.headers["Access-Control-Allow-Origin"] == "*"
    options = client.options(path, headers={"Origin": "https://app.example",
                                            "Access-Control-Request-Method": "GET"})
    assert options.status_code == 204
    for method in ("GET", "HEAD", "OPTIONS"):
        assert method in options.headers["Access-Control-Allow-Methods"]
        assert method in options.headers["Allow"]
    assert "Link" in options.headers["Access-Control-Expose-Headers"]
    # HEAD is a bot's request, as on /T/<CODE>: stored, flagged
    assert db.session.scalars(select(Scan.is_bot)).all() == [True]


def test_well_known_describes_the_resolver(client):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200 and response.is_json
    description = response.get_json()
    assert description["resolverRoot"] == BASE_URL
    assert description["supportedPrimaryKeys"] == ["01"]
    assert {"namespace": GS1, "prefix": "gs1:"} in description["supportedLinkType"]
    assert description["linkTypeDefaultCanBeLinkset"] is False
    assert description["name"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_tag_in_a_digital_link_is_the_branded_404(client):
    shop = _gs1_shop()
    response = client.get(f"/T/ZZZZZZZZ/01/{shop.product.gtin}", headers=PHONE)
    assert response.status_code == 404
    assert client.get(f"/T/ZZZZZZZZ/01/{shop.product.gtin}",
                      query_string={"linkType": "all"}).status_code == 404


def test_plain_gtin_link_resolves_to_the_store_page_without_counting(client):
    shop = _gs1_shop()
    gtin = shop.product.gtin
    response = client.get(f"/01/{gtin}", query_string={"store": "nyc01"}, headers=PHONE)
    assert response.status_code == 307
    target = response.headers["Location"]
    assert target == f"{BASE_URL}/t/{shop.tag.code}?via=gs1"
    assert "rel=\"linkset\"" in response.headers["Link"]
    page = client.get(_path(target) + "?via=gs1", headers=PHONE)
    assert page.status_code == 200 and b"Trail Widget" in page.data
    assert _scans() == 0  # neither the resolution nor the visit is a tag scan
    # a GTIN-13 form of the same GTIN resolves too; the only store selling it is chosen
    assert client.get(f"/01/{gtin[1:]}", headers=PHONE).headers["Location"] == target
    links = _linkset(client.get(f"/01/{gtin}", query_string={"linkType": "all"}))
    assert links["anchor"] == f"{BASE_URL}/01/{gtin}"
    assert links[GS1 + "defaultLink"][0]["href"] == target
    assert _scans() == 0


def test_plain_gtin_link_uses_the_shoppers_last_store(client):
    from tests.factories import make_tag

    shop = _gs1_shop()
    # the same product tagged in BOS01 too: ambiguous without a store
    boston = make_tag(shop.retailer, shop.other_store, shop.vendor, name="Boston Widget")
    db.session.commit()
    gtin = boston.listing.product.gtin
    from qrshop.tags.services import create_tag
    nyc = create_tag(boston.listing, shop.store, "Endcap")
    db.session.commit()
    response = client.get(f"/01/{gtin}", headers=PHONE)
    assert response.status_code == 400
    assert b"?store=" in response.data
    client.get(f"/T/{shop.tag.code}", headers=PHONE)  # the shopper was last in NYC01
    response = client.get(f"/01/{gtin}", headers=PHONE)
    assert response.headers["Location"] == f"{BASE_URL}/t/{nyc.code}?via=gs1"
    response = client.get(f"/01/{gtin}", query_string={"store": "BOS01"}, headers=PHONE)
    assert response.headers["Location"] == f"{BASE_URL}/t/{boston.code}?via=gs1"
    assert _scans() == 1


def test_plain_gtin_link_unknown_or_malformed(client):
    shop = _gs1_shop()
    response = client.get("/01/09506000134352", headers=PHONE)
    assert response.status_code == 404
    assert b"09506000134352" in response.data
    assert client.get(f"/01/{shop.product.gtin}", query_string={"store": "LAX99"},
                      headers=PHONE).status_code == 404
    assert client.get("/01/09506000134353", headers=PHONE).status_code == 400
    assert client.get("/01/", headers=PHONE).status_code in (400, 404)


def test_the_printed_gs1_form_is_served_by_the_fast_path_with_the_resolver_headers(app,
                                                                                   client):
    shop = _gs1_shop()
    make_offer(shop.retailer)
    fast = app.extensions["qrshop.scan_fast_path"]
    path = _path(tag_print_url(shop.tag, BASE_URL))
    client.get(f"/T/{shop.tag.code}", headers=PHONE)  # renders the page once (Flask)
    served = fast.served
    response = client.get(path, headers=PHONE)
    assert response.status_code == 200 and b"Trail Widget" in response.data
    assert fast.served == served + 1
    assert _scans() == 2
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert f'rel="{GS1}promotion"' in response.headers["Link"]
    assert "?linkType=all" in response.headers["Link"]
    # the Flask view answers the same headers for the same scan
    flask = client.get(path + "/", headers=PHONE)
    assert flask.status_code == 200 and fast.served == served + 1
    assert flask.headers["Link"] == response.headers["Link"]
    # anything else than the printed form goes to the Flask view (biip; 400s)
    gtin = shop.product.gtin
    bad = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    assert client.get(f"/T/{shop.tag.code}/01/{bad}", headers=PHONE).status_code == 400
    assert client.get(f"/T/{shop.tag.code}/01/{gtin}",
                      headers={**PHONE, "Accept": "application/linkset+json"}).mimetype == \
        "application/linkset+json"
    assert fast.served == served + 1 and _scans() == 3
