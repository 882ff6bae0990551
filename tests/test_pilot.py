"""The whole pilot over HTTP only, from an empty database (issue 13, "Done means").

The only setup is a platform admin made with the CLI. Everything after is what people do in
their browsers: the admin sets up a retailer, a store and a vendor and invites their people;
the vendor adds a product with content; the merchandiser imports listings, approves the
content, prints tags; a phone scans one and the scan is counted. The test reads only the
outbox (for the e-mails) and the scans table (for the final count) behind the pages' back.
"""

from __future__ import annotations

import html
import io
import re

from PIL import Image
from sqlalchemy import func, select

from qrshop.alerts.models import OutboxMessage
from qrshop.extensions import db
from qrshop.shopper.models import Scan
from tests.conftest import MOBILE_SAFARI

ADMIN = "admin@pilot.test"
MERCH = "merch@acme.test"
VENDOR = "ann@widgetco.test"
PASSWORD = "a long pilot password"
VENDOR_GTIN = "4006381333931"  # the vendor's product (valid check digit)
HOUSE_GTIN = "4000000000013"  # a product no vendor supplies: the retailer's own
CSV = (
    "sku,gtin,price,currency,name,brand,store,in_stock,location\n"
    f"AC-TRAIL,{VENDOR_GTIN},49.99,USD,,,NYC01,12,Aisle 4\n"
    f"AC-MUG,{HOUSE_GTIN},9.50,USD,Acme Mug,Acme,NYC01,30,Till\n"
)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _csrf(html: str) -> str:
    """The CSRF token of the first form on the page."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _browser(app):
    """A fresh browser (its own cookies)."""
    return app.test_client()


def _login(browser, email: str) -> None:
    page = browser.get("/login")
    response = browser.post("/login", data={"csrf_token": _csrf(_text(page)), "email": email,
                                            "password": PASSWORD})
    assert response.status_code == 302, _text(response)


def _post(browser, path: str, data: dict, *, form_page: str | None = None, **kwargs):
    """Open the page holding the form, then post it with its CSRF token."""
    token = _csrf(_text(browser.get(form_page or path)))
    return browser.post(path, data={"csrf_token": token, **data}, **kwargs)


def _followed(browser, response, expected_status: int = 200) -> str:
    """Follow a redirect as a browser does; return the page's text."""
    assert response.status_code in (302, 303), _text(response)
    page = browser.get(response.headers["Location"])
    assert page.status_code == expected_status
    return _text(page)


def _invitation_link(email: str) -> str:
    """The set-password link of the newest e-mail queued for email."""
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.channel == "email")
        .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, f"no e-mail to {email}"
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    return "/" + links[0].split("://", 1)[1].partition("/")[2]


def _accept_invitation(app, email: str):
    """Open the invitation link in a fresh browser and set a password; return the browser
    and the home page it lands on (logged in)."""
    browser = _browser(app)
    link = _invitation_link(email)
    page = browser.get(link)
    assert page.status_code == 200 and email in _text(page)
    response = browser.post(link, data={"csrf_token": _csrf(_text(page)),
                                        "password": PASSWORD, "confirm": PASSWORD})
    return browser, _followed(browser, response)


def _picture() -> bytes:
    """A small real JPEG made with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def _admin_sets_up_the_pilot(app, runner):
    result = runner.invoke(args=["users", "add", ADMIN, "--role", "admin", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    admin = _browser(app)
    _login(admin, ADMIN)
    token = _csrf(_text(admin.get("/admin")))
    for path, data in [
        ("/admin/retailer", {"retailer-slug": "acme", "retailer-name": "Acme Outdoors"}),
        ("/admin/store", {"store-retailer": "acme", "store-code": "nyc01",
                          "store-name": "Acme Manhattan", "store-address": "1 Broadway",
                          "store-timezone": "America/New_York"}),
        ("/admin/vendor", {"vendor-slug": "widgetco", "vendor-name": "Widget Co"}),
        ("/admin/link", {"link-retailer": "acme", "link-vendor": "widgetco"}),
    ]:
        response = admin.post(path, data={"csrf_token": token, **data})
        assert "Saved." in _followed(admin, response), path
    home = _text(admin.get("/admin"))
    assert "Acme Outdoors" in home and "NYC01" in home and "Widget Co → Acme Outdoors" in home
    for email, fields in [(MERCH, {"role": "merchandiser", "retailer": "acme"}),
                          (VENDOR, {"role": "vendor", "vendor": "widgetco"})]:
        response = _post(admin, "/admin/users/invite", {"email": email, **fields},
                         form_page="/admin/users")
        assert f"Invited {email} as {fields['role']}" in _followed(admin, response)
    users = _text(admin.get("/admin/users"))
    assert users.count("invited") >= 2


def _vendor_adds_a_product_with_a_picture(app):
    vendor, home = _accept_invitation(app, VENDOR)
    assert "Widget Co" in home
    response = _post(vendor, "/vendor/products/new", {
        "gtin": VENDOR_GTIN, "name": "Trail Jacket", "brand": "Widget Co"})
    assert "Added Trail Jacket." in _followed(vendor, response)
    response = _post(vendor, "/vendor/media", {"file": (io.BytesIO(_picture()), "jacket.jpg")},
                     content_type="multipart/form-data")
    media = _followed(vendor, response)
    assert "Uploaded jacket.jpg." in media
    # Alt text, which submitting a revision that shows the photo will need.
    media_id = re.search(r'href="/vendor/media/(\d+)"', media).group(1)
    response = _post(vendor, f"/vendor/media/{media_id}",
                     {"alt_text": "The trail jacket, front", "caption": ""},
                     form_page="/vendor/media")
    assert "Saved the text of jacket.jpg." in _followed(vendor, response)
    product_id = int(re.search(r'/vendor/products/(\d+)/revisions', _text(vendor.get("/vendor"))
                               ).group(1))
    return vendor, product_id


def _vendor_drafts_content(vendor, product_id: int) -> int:
    path = f"/vendor/products/{product_id}/revisions/new"
    form = _text(vendor.get(path))
    hero = _first_option(form, "hero_image")
    response = vendor.post(path, data={
        "csrf_token": _csrf(form), "title": "The Trail Jacket, rain-proof",
        "tagline": "Seam-sealed for the city", "hero_image": hero,
        "description": "<p>Tested in <em>real</em> rain.</p>",
        "highlights": "Waterproof\nPackable"})
    assert "Draft revision 1 saved." in _followed(vendor, response)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _first_option(html: str, name: str) -> str:
    """The value of the first real choice of a select."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.search(r'<option[^>]*value="([^"]+)"', select_html.group(1)).group(1)


def _merchandiser_imports_listings(app):
    merch, home = _accept_invitation(app, MERCH)
    assert "Getting started" in home
    page = _text(merch.get("/console/listings/import"))
    preview = merch.post("/console/listings/import", data={
        "csrf_token": _csrf(page), "action": "preview",
        "file": (io.BytesIO(CSV.encode()), "listings.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200, _text(preview)
    preview_html = _text(preview)
    assert "Preview: 2 row(s), 0 with errors" in preview_html
    assert "Trail Jacket" in preview_html and "Acme Mug" in preview_html
    csv_text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview_html)
    response = merch.post("/console/listings/import", data={
        "csrf_token": _csrf(preview_html), "action": "import",
        "csv_text": html.unescape(csv_text.group(1))})
    listings = _followed(merch, response)
    assert "Imported 2 listings, updated 0." in listings
    assert "AC-TRAIL" in listings and "AC-MUG" in listings
    return merch, listings


def _listing_id(listings_html: str, sku: str) -> int:
    row = re.search(r'/console/listings/(\d+)/edit[^<]*</a>(?:(?!</tr>).)*?' + sku,
                    listings_html, re.S) or re.search(
        sku + r'(?:(?!</tr>).)*?/console/listings/(\d+)/edit', listings_html, re.S)
    assert row, f"no listing {sku}"
    return int(row.group(1))


def test_the_whole_pilot_over_http_from_an_empty_database(app, runner):
    _admin_sets_up_the_pilot(app, runner)
    vendor, product_id = _vendor_adds_a_product_with_a_picture(app)
    revision_id = _vendor_drafts_content(vendor, product_id)
    # Nobody carries the product yet: the page says so, and submitting is refused.
    revisions = _text(vendor.get(f"/vendor/products/{product_id}/revisions"))
    assert "Carried by:\nno retailer yet." in revisions
    assert "Submit a draft once a retailer carries this product" in revisions
    assert "Submit for review" not in revisions
    early = vendor.post(f"/vendor/revisions/{revision_id}/submit",
                        data={"csrf_token": _csrf(revisions)})
    assert early.status_code == 409 and "No retailer carries this product yet" in _text(early)

    merch, listings = _merchandiser_imports_listings(app)
    trail_id, mug_id = _listing_id(listings, "AC-TRAIL"), _listing_id(listings, "AC-MUG")

    # Now Acme carries it: the vendor submits, and Acme has a review waiting.
    revisions = _text(vendor.get(f"/vendor/products/{product_id}/revisions"))
    assert "Acme Outdoors" in revisions
    response = vendor.post(f"/vendor/revisions/{revision_id}/submit",
                           data={"csrf_token": _csrf(revisions)})
    assert "Revision 1 submitted to 1 retailer(s) for review." in _followed(vendor, response)

    queue = _text(merch.get("/console/reviews"))
    review_id = int(re.search(r'/console/reviews/(\d+)', queue).group(1))
    response = _post(merch, f"/console/reviews/{review_id}", {"decision": "approve",
                                                              "comment": "Looks great"})
    assert "Approved: it is live on your pages now." in _followed(merch, response)

    # The retailer's own product gets its page from the merchandiser.
    content = _text(merch.get(f"/console/listings/{mug_id}/content"))
    assert "The Spotlight template needs: title, hero image." in content
    response = merch.post(f"/console/listings/{mug_id}/media", data={
        "csrf_token": _csrf(content), "file": (io.BytesIO(_picture()), "mug.jpg")},
        content_type="multipart/form-data")
    content = _followed(merch, response)
    assert "Uploaded mug.jpg." in content
    response = merch.post(f"/console/listings/{mug_id}/content", data={
        "csrf_token": _csrf(content), "title": "The Acme Mug", "tagline": "For the road",
        "hero_image": _first_option(content, "hero_image"),
        "description": "<p>Keeps coffee hot.</p>"})
    assert "Published revision 1: it is live on your pages now." in _followed(merch, response)

    # Tags: print the two items at NYC01; the PDF comes back and the tags are listed.
    print_page = _text(merch.get("/console/tags/print"))
    pdf = merch.post("/console/tags/print", data={
        "csrf_token": _csrf(print_page), "store": "NYC01", "listings": [trail_id, mug_id],
        "placement": "Aisle 4", "layout": "avery-5160", "offset_x": "0", "offset_y": "0",
        "action": "download"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    tags = _text(merch.get("/console/tags"))
    codes = re.findall(r'<tr data-tag="([^"]+)"', tags)
    assert len(codes) == 2 and "Trail Jacket" in tags and "Acme Mug" in tags
    tags_csv = _text(merch.get("/console/tags.csv")).splitlines()
    trail_code = next(line.split(",")[0] for line in tags_csv[1:] if "AC-TRAIL" in line)

    # A phone scans the jacket's tag: the approved content and the product's name show.
    phone = _browser(app)
    phone.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    landing = phone.get(f"/T/{trail_code}")
    assert landing.status_code == 200
    page = _text(landing)
    assert "The Trail Jacket, rain-proof" in page
    assert re.search(r"<h1 data-product-name>Trail Jacket</h1>", page)
    assert db.session.scalar(select(func.count()).select_from(Scan).where(
        Scan.is_bot.is_(False))) == 1

    # The merchandiser sees the scan on the dashboard and through the API.
    dashboard = _text(merch.get("/console/analytics"))
    assert re.search(r"<td>Trail Jacket</td><td[^>]*>AC-TRAIL</td><td>1</td>", dashboard)
    result = runner.invoke(args=["tokens", "create", MERCH, "--name", "pilot report"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    body = _browser(app).get("/api/v1/analytics/listings?store=NYC01",
                             headers={"Authorization": f"Bearer {token}"}).get_json()
    by_sku = {row["sku"]: row for row in body["listings"]}
    assert by_sku["AC-TRAIL"]["scans"] == 1 and by_sku["AC-MUG"]["scans"] == 0


def test_the_same_csv_imports_through_the_cli_and_a_rerun_updates(app, runner, tmp_path):
    from qrshop.catalog.services import create_product
    from tests.factories import link_vendor, make_retailer, make_store, make_vendor

    retailer, vendor = make_retailer("acme"), make_vendor("widgetco")
    make_store(retailer, "NYC01")
    link_vendor(retailer, vendor)
    create_product(vendor, gtin=VENDOR_GTIN, name="Trail Jacket", brand="Widget Co")
    db.session.commit()
    listings = tmp_path / "listings.csv"
    listings.write_text(CSV)
    first = runner.invoke(args=["listings", "import", "--retailer", "acme", str(listings)])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1] == "Imported 2 listings, updated 0."
    again = runner.invoke(args=["listings", "import", "--retailer", "acme", str(listings)])
    assert again.exit_code == 0, again.output
    assert again.output.strip().splitlines()[-1] == "Imported 0 listings, updated 2."
