"""A whole range at once: a CSV with content columns and an images ZIP, checked with a
preview, all or nothing, then every draft submitted in one go."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import func, select

from qrshop.catalog.models import Product
from qrshop.content.models import ContentRevision, Media, Review
from qrshop.extensions import db
from tests.content.helpers import make_scene
from tests.content.images import image_bytes
from tests.factories import csrf_token, login, valid_gtin13

HEADER = "gtin,name,brand,description,highlights,specs,video_url,image_files,image_alt\n"
PAGE = "/vendor/products/import-content"


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _range(count: int, start: int = 7000):
    lines, files = [], {}
    for n in range(count):
        front, back = f"photos/p{n}-front.jpg", f"p{n}-back.png"
        files[front] = image_bytes("JPEG", size=(640, 480), colour=(n * 5 % 255, 40, 90))
        files[back] = image_bytes("PNG", size=(400, 400), colour=(20, n * 5 % 255, 60))
        lines.append(f"{valid_gtin13(start + n)},Trail Boot {n},Widgetco,"
                     f"\"<p>Boot number <strong>{n}</strong></p>\",Waterproof|Light,"
                     f"Weight: {300 + n} g|Sole: Vibram,https://vimeo.com/76979871,"
                     f"p{n}-front.jpg;{back},Boot {n} from the front;Boot {n} from behind\n")
    return HEADER + "".join(lines) + ",,,,,,,,\n\n", _zip(files)  # trailing blank rows


def _post(client, token, csv_text, zip_data=None, **extra):
    data = {"csrf_token": token, "action": "preview",
            "file": (io.BytesIO(csv_text.encode()), "range.csv"), **extra}
    if zip_data is not None:
        data["images"] = (io.BytesIO(zip_data), "images.zip")
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def _confirm(client, preview_html, zip_data):
    fields = dict(re.findall(r'name="(csrf_token|csv_text|zip_sha256)" value="([^"]*)"',
                             preview_html))
    import html

    fields = {k: html.unescape(v) for k, v in fields.items()}
    data = {**fields, "action": "import"}
    if zip_data is not None:
        data["images"] = (io.BytesIO(zip_data), "images.zip")
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def test_fifty_products_with_an_images_zip_become_fifty_drafts_then_submitted(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    token = csrf_token(client, PAGE)
    csv_text, zip_data = _range(50)
    preview = _post(client, token, csv_text, zip_data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview: 50 row(s), 0 with errors" in html
    assert db.session.scalar(select(func.count()).select_from(Product).where(
        Product.name.like("Trail Boot %"))) == 0  # nothing yet
    done = _confirm(client, html, zip_data)
    assert done.status_code == 302, done.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    products = list(db.session.scalars(select(Product).where(Product.name.like("Trail Boot %"))))
    assert len(products) == 50
    drafts = list(db.session.scalars(select(ContentRevision).where(
        ContentRevision.product_id.in_([p.id for p in products]))))
    assert len(drafts) == 50 and all(d.is_draft for d in drafts)
    boot7 = next(d for d in drafts if d.product.name == "Trail Boot 7")
    slots = boot7.slots
    assert slots["highlights"] == ["Waterproof", "Light"]
    assert slots["spec_table"] == [["Weight", "307 g"], ["Sole", "Vibram"]]
    assert "<strong>7</strong>" in slots["description"]
    assert slots["video"]["provider"] == "vimeo"
    assert len(slots["gallery"]) == 2 and slots["hero_image"] == slots["gallery"][0]
    assert {w for w, _ in slots["gallery"][0]["webp"]} == {320}  # variants (640 wide)
    hero = db.session.get(Media, slots["hero_image"]["media_id"])
    assert hero.alt_text == "Boot 7 from the front" and hero.original_name == "p7-front.jpg"
    assert db.session.scalar(select(func.count()).select_from(Media).where(
        Media.original_name.like("p%-%"))) == 100
    # Importing again updates the drafts (no second draft per product).
    again = _confirm(client, _post(client, token, csv_text, zip_data).get_data(as_text=True),
                     zip_data)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ContentRevision).where(
        ContentRevision.product_id.in_([p.id for p in products]))) == 50
    # Submit all: the scene's product (carried) goes; the 50 new ones have no retailer yet.
    response = client.post("/vendor/products/submit-all", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Not submitted: Trail Boot" in page and "No retailer carries this product" in page


def test_submit_all_sends_carried_drafts_to_their_retailers(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    token = csrf_token(client, PAGE)
    gtin = scene.product.gtin
    csv_text = ("gtin,name,title,description,highlights,image_files,image_alt\n"
                f"{gtin},Trail Widget,Built for wet trails,Light and tough,Grip|Dry,hero.jpg,"
                "The widget\n")
    zip_data = _zip({"hero.jpg": image_bytes("JPEG", size=(800, 600))})
    assert _confirm(client, _post(client, token, csv_text, zip_data).get_data(as_text=True),
                    zip_data).status_code == 302
    response = client.post("/vendor/products/submit-all", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Submitted 1 draft(s) for review." in client.get(PAGE).get_data(as_text=True)
    reviews = list(db.session.scalars(select(Review)))
    assert {r.retailer_id for r in reviews} == {scene.retailer.id, scene.other_retailer.id}
    assert client.post("/vendor/products/submit-all").status_code == 400  # no CSRF


def test_bad_rows_bad_zips_and_other_vendors_refused_nothing_stored(app, client):
    scene = make_scene()
    login(client, scene.vendor_email)
    token = csrf_token(client, PAGE)
    before = db.session.scalar(select(func.count()).select_from(Product))
    rival_gtin = scene.rival_product.gtin
    csv_text = (HEADER + f"{valid_gtin13(8001)},Boot,,,,Weight,,missing.jpg,\n"
                f"{rival_gtin},Theirs,,,,,,,\n{valid_gtin13(8002)},Fine,,,,,,,\n")
    preview = _post(client, token, csv_text, _zip({"a.jpg": image_bytes("JPEG")}))
    html = preview.get_data(as_text=True)
    assert "2 with errors" in html and "Spec 1 needs a name and a value" in html
    assert "already exists" in html and 'value="import"' not in html
    # Posting the import anyway is refused as a whole.
    forced = client.post(PAGE, data={"csrf_token": token, "action": "import",
                                     "csv_text": csv_text}, content_type="multipart/form-data")
    assert forced.status_code == 422
    for name, data, message in (
            ("../../etc/evil.jpg", image_bytes("JPEG"), "points outside the archive"),
            ("notes.txt", b"hello", "is not an image"),
            ("huge.png", b"\x00" * (16 * 1024 * 1024), "larger than 15 MB")):
        response = _post(client, token, HEADER + f"{valid_gtin13(8003)},X,,,,,,,\n",
                         _zip({name: data}))
        assert response.status_code in (400, 413, 415, 422)
        assert message in response.get_data(as_text=True)
    not_zip = _post(client, token, HEADER + f"{valid_gtin13(8003)},X,,,,,,,\n", b"PK nope")
    assert not_zip.status_code == 422 and "not a readable ZIP" in not_zip.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Product)) == before
    assert _post(client, "", HEADER).status_code == 400  # CSRF
    merch = app.test_client()
    login(merch, scene.merch_email)
    assert merch.get(PAGE).status_code in (403, 404)


def test_content_status_dashboard(app, client):
    from qrshop.accounts.services import user_by_email
    from qrshop.content.services import decide_review
    from tests.content.helpers import go_live

    scene = make_scene()
    revision = go_live(scene, "spotlight")  # Acme approved; Bestmart's review waits
    login(client, scene.vendor_email)
    page = client.get("/vendor/content").get_data(as_text=True)
    pending = page.split('id="pending"')[1].split('id="missing"')[0]
    missing = page.split('id="missing"')[1]
    assert "Bestmart" in pending and "Acme" not in pending
    assert "Trail Widget" in missing and "Bestmart" in missing and "Acme" not in missing
    assert "Rival Gizmo" not in page  # another vendor's product
    bestmart = [r for r in revision.reviews if r.retailer_id == scene.other_retailer.id][0]
    decide_review(bestmart, user_by_email(scene.other_merch_email), approve=False,
                  comment="Show the sole, please")
    db.session.commit()
    page = client.get("/vendor/content").get_data(as_text=True)
    changes = page.split('id="changes"')[1].split('id="pending"')[0]
    assert "Show the sole, please" in changes and "Bestmart" in changes
    assert "None." in page.split('id="pending"')[1].split('id="missing"')[0]
    merch = app.test_client()
    login(merch, scene.merch_email)
    assert merch.get("/vendor/content").status_code in (403, 404)
