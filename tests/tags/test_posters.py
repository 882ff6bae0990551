"""Posters that sell: the virtual shelf, the look poster, the counter card, and the call to
action that promises videos and offers only where the page has them."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import func, select

from qrshop.content.media import ingest
from qrshop.content.models import ContentRevision
from qrshop.content.services import image_snapshot
from qrshop.db import utcnow
from qrshop.extensions import db
from qrshop.offers.services import create_offer
from qrshop.recommend.services import set_curated
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.models import Tag
from qrshop.tags.posters import grid_for, pages_for
from tests.conftest import BASE_URL
from tests.factories import csrf_token, login, make_shop, make_tag, make_user
from tests.tags.printed import photo


def _pages(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=200 / 72).to_pil()
        images = [obj for obj in page.get_objects()
                  if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
        text = " ".join(page.get_textpage().get_text_range().split())  # lines joined
        pages.append({"text": text, "images": len(images),
                      "codes": sorted(r.text for r in zxingcpp.read_barcodes(image))})
    document.close()
    return pages


def _live_content(listing, vendor, *, hero: bool = True, video: bool = False):
    """Approve a revision for the listing: a hero photo and/or a video."""
    slots = {"title": listing.product.name}
    if hero:
        media = ingest(photo(listing.id), "hero.jpg", vendor.id)
        slots["hero_image"] = image_snapshot(media)
    if video:
        slots["video"] = {"provider": "youtube", "id": "dQw4w9WgXcQ",
                          "embed": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"}
    revision = ContentRevision(product_id=listing.product_id, number=1, slots=slots,
                               status="submitted", submitted_at=utcnow())
    db.session.add(revision)
    db.session.flush()
    listing.live_revision_id = revision.id


def _url(tag) -> str:
    return f"{BASE_URL.upper()}/T/{tag.code}"


@pytest.mark.parametrize(("name", "count", "grid"), [
    ("shelf-poster-a4", 1, (2, 3)), ("shelf-poster-a4", 6, (2, 3)),
    ("shelf-poster-a4", 7, (3, 3)), ("shelf-poster-letter", 12, (3, 4)),
    ("shelf-poster-a3", 13, (4, 5)), ("shelf-poster-tabloid", 24, (4, 6)),
])
def test_the_grid_is_the_smallest_that_holds_the_items(name, count, grid):
    assert grid_for(LAYOUTS[name], count) == grid


def test_more_items_than_a_page_holds_share_pages_evenly():
    assert pages_for(LAYOUTS["shelf-poster-a4"], 13) == [7, 6]
    assert pages_for(LAYOUTS["shelf-poster-a3"], 30) == [15, 15]
    assert pages_for(LAYOUTS["shelf-poster-a3"], 24) == [24]


def test_cli_prints_a_virtual_shelf_of_photographed_items_each_with_its_own_code(
        runner, tmp_path):
    shop = make_shop()
    others = [make_tag(shop.retailer, shop.store, shop.vendor, name=name, price_cents=cents)
              for name, cents in (("Merino Base Layer Crew", 8900), ("Alpine Beanie", 2500))]
    _live_content(shop.listing, shop.vendor)
    _live_content(others[0].listing, shop.vendor)  # the beanie has no approved photo
    db.session.commit()
    out = tmp_path / "shelf.pdf"
    result = runner.invoke(args=[
        "tags", "print", "--store", "NYC01", "--layout", "shelf-poster-a3",
        "--sku", shop.listing.sku, "--sku", others[0].listing.sku, "--sku",
        others[1].listing.sku, "--title", "Trail season picks", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [page] = _pages(out.read_bytes())
    assert "Trail season picks" in page["text"]
    for name, price in (("Trail Widget", "$49.99"), ("Merino Base Layer Crew", "$89.00"),
                        ("Alpine Beanie", "$25.00")):
        assert name in page["text"] and price in page["text"]
    assert page["images"] == 2  # two photos; the beanie gets the placeholder
    assert page["codes"] == sorted(_url(tag) for tag in (shop.tag, *others))


def test_a_shelf_poster_shows_an_item_once_however_many_tags_it_has(runner, tmp_path):
    shop = make_shop()
    from qrshop.tags.services import create_tag

    create_tag(shop.listing, shop.store, "Window")
    db.session.commit()
    out = tmp_path / "shelf.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                 "shelf-poster-letter", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [page] = _pages(out.read_bytes())
    assert page["codes"] == [_url(shop.tag)] and "Shop the shelf" in page["text"]


def test_a_look_poster_of_one_item_adds_its_curated_look(runner, tmp_path):
    shop = make_shop()
    looks = [make_tag(shop.retailer, shop.other_store, shop.vendor, name=f"Look item {n}")
             for n in range(3)]  # tagged in another store only: tags are made at NYC01
    _live_content(shop.listing, shop.vendor)
    set_curated(shop.listing, [tag.listing_id for tag in looks])
    db.session.commit()
    out = tmp_path / "look.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                 "look-poster-a4", "--sku", shop.listing.sku, "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    [page] = _pages(out.read_bytes())
    assert "Shop the look" in page["text"]
    assert all(f"Look item {n}" in page["text"] for n in range(3))
    assert page["images"] == 1  # the hero
    made = db.session.scalars(select(Tag).where(Tag.store_id == shop.store.id,
                                                Tag.listing_id.in_(
                                                    [t.listing_id for t in looks]))).all()
    assert len(made) == 3
    assert page["codes"] == sorted([_url(shop.tag), *(_url(tag) for tag in made)])


def test_a_look_poster_of_more_than_six_items_is_refused_and_creates_nothing(runner, tmp_path):
    shop = make_shop()
    items = [make_tag(shop.retailer, shop.other_store, shop.vendor, name=f"Item {n}")
             for n in range(6)]
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Tag))
    args = ["tags", "print", "--store", "NYC01", "--layout", "look-poster-a3",
            "--out", str(tmp_path / "x.pdf"), "--sku", shop.listing.sku]
    for tag in items:
        args += ["--sku", tag.listing.sku]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "at most 6 items" in result.output
    assert db.session.scalar(select(func.count()).select_from(Tag)) == before
    assert not (tmp_path / "x.pdf").exists()


def test_the_counter_card_opens_the_shoppers_wish_list_at_the_retailer(runner, client,
                                                                       tmp_path):
    make_shop()
    out = tmp_path / "card.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                 "counter-card", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [page] = _pages(out.read_bytes())
    assert page["text"].count("Scan to see your wish list and coupons") == 2  # both faces
    url = f"{BASE_URL}/wishlist?at=acme"
    assert page["codes"] == [url, url]
    html = client.get("/wishlist?at=acme").get_data(as_text=True)
    assert "Acme" in html and "My wish list" in html  # in the retailer's colours
    plain = client.get("/wishlist?at=no-such-shop")
    assert plain.status_code == 200 and "Acme" not in plain.get_data(as_text=True)
    refused = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                  "counter-card", "--sku", "X", "--out", str(out)])
    assert refused.exit_code != 0 and "carries no items" in refused.output


def test_the_call_to_action_promises_videos_and_offers_only_where_there_are_some(
        runner, tmp_path):
    shop = make_shop()
    video = make_tag(shop.retailer, shop.store, shop.vendor, name="Video Item")
    offer = make_tag(shop.retailer, shop.store, shop.vendor, name="Offer Item")
    elsewhere = make_tag(shop.retailer, shop.store, shop.vendor, name="Boston Offer Item")
    _live_content(video.listing, shop.vendor, hero=False, video=True)
    now = utcnow()
    create_offer(shop.retailer, title="10% off", kind="percent", percent_off=10,
                 starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
                 listing=offer.listing)
    create_offer(shop.retailer, title="5% off", kind="percent", percent_off=5,
                 starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
                 listing=elsewhere.listing, store=shop.other_store)
    db.session.commit()
    calls = {}
    for tag in (shop.tag, video, offer, elsewhere):
        out = tmp_path / f"{tag.code}.pdf"
        result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                     "square-1.5in", "--sku", tag.listing.sku, "--out",
                                     str(out)])
        assert result.exit_code == 0, result.output
        text = _pages(out.read_bytes())[0]["text"]
        calls[tag.product_name if hasattr(tag, "product_name") else tag.code] = (
            "Scan for videos & offers" in text, "Scan for details" in text)
    assert calls[shop.tag.code] == (False, True)
    assert calls[video.code] == (True, False)
    assert calls[offer.code] == (True, False)
    assert calls[elsewhere.code] == (False, True)  # its offer is for another store


def test_console_prints_a_shelf_poster_and_the_counter_card(client):
    shop = make_shop()
    second = make_tag(shop.retailer, shop.store, shop.vendor, name="Second Widget")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)
    token = csrf_token(client, "/console/tags/print")
    data = {"csrf_token": token, "store": "NYC01", "offset_x": "0", "offset_y": "0",
            "listings": [shop.tag.listing_id, second.listing_id],
            "layout": "shelf-poster-a4", "heading": "New this week", "action": "download"}
    response = client.post("/console/tags/print", data=data)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = _pages(response.data)
    assert "New this week" in page["text"]
    assert page["codes"] == sorted(_url(tag) for tag in (shop.tag, second))
    card = client.post("/console/tags/print", data={**data, "listings": [],
                                                    "layout": "counter-card"})
    assert card.status_code == 200
    assert _pages(card.data)[0]["codes"] == [f"{BASE_URL}/wishlist?at=acme"] * 2
    refused = client.post("/console/tags/print", data={**data, "layout": "counter-card"})
    assert refused.status_code == 422 and b"carries no items" in refused.data
    too_long = client.post("/console/tags/print", data={**data, "heading": "x" * 61})
    assert too_long.status_code == 400


def test_a_gs1_style_retailer_prints_digital_links_on_posters_and_labels(runner, tmp_path):
    from biip.gs1_digital_link_uris import GS1DigitalLinkURI

    from qrshop.tags.services import tag_print_url

    shop = make_shop()
    shop.retailer.tag_url_style = "gs1"
    second = make_tag(shop.retailer, shop.store, shop.vendor, name="Second Widget")
    db.session.commit()
    for layout in ("shelf-poster-letter", "avery-5160"):
        out = tmp_path / f"{layout}.pdf"
        result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout", layout,
                                     "--sku", shop.listing.sku, "--sku", second.listing.sku,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        codes = _pages(out.read_bytes())[0]["codes"]
        assert codes == sorted(tag_print_url(tag, BASE_URL) for tag in (shop.tag, second))
        gtins = sorted(tag.listing.product.gtin.zfill(14) for tag in (shop.tag, second))
        assert sorted(GS1DigitalLinkURI.parse(code).element_strings.get(ai="01").value
                      for code in codes) == gtins
