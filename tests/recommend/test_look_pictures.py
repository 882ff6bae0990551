"""Complete the look with pictures, price and availability at this store; gallery captions
from alt text, never file names."""

from __future__ import annotations

import re

from qrshop.catalog.models import ListingStock
from qrshop.content.models import ContentRevision
from qrshop.db import utcnow
from qrshop.extensions import db
from tests.factories import make_shop, make_tag
from tests.helpers import new_phone


def _image(stem: str, alt: str = "") -> dict:
    return {"media_id": 1, "src": f"{stem}.jpg", "width": 1200, "height": 1500,
            "label": f"{stem}.jpg", "alt": alt,
            "webp": [[320, f"{stem}-320.webp"], [640, f"{stem}-640.webp"]],
            "jpg": [[320, f"{stem}-320.jpg"], [640, f"{stem}-640.jpg"]]}


def _go_live(tag, slots: dict) -> None:
    listing = tag.listing
    revision = ContentRevision(product_id=listing.product_id, number=1, status="approved",
                               slots=slots)
    db.session.add(revision)
    db.session.flush()
    listing.live_revision_id = revision.id


def _stock(tag, count) -> None:
    db.session.add(ListingStock(listing_id=tag.listing_id, store_id=tag.store_id,
                                in_stock=count, updated_at=utcnow()))


def test_the_look_shows_thumbnails_prices_and_availability_here(app):
    shop = make_shop()
    items = {name: make_tag(shop.retailer, shop.store, shop.vendor, name=name,
                            price_cents=2500)
             for name in ("Aardvark Cap", "Bison Belt", "Camel Coat", "Dingo Gloves")}
    _go_live(items["Aardvark Cap"], {"hero_image": _image("cap", "A red cap")})
    _stock(items["Aardvark Cap"], 12)
    _stock(items["Bison Belt"], 2)
    _stock(items["Camel Coat"], 0)
    db.session.commit()
    html = new_phone(app).get(f"/t/{shop.tag.code}").get_data(as_text=True)
    look = html[html.index('id="look"'):]
    look = look[:look.index("</section>")]
    cards = re.findall(r"<li>(.*?)</li>", look)
    assert [re.search(r'class="name">([^<]+)', card).group(1) for card in cards] == list(items)
    cap, belt, coat, gloves = cards
    assert 'srcset="/media/cap-320.webp"' in cap and 'src="/media/cap-320.jpg"' in cap
    assert 'width="320" height="400"' in cap and 'alt=""' in cap  # the name says it
    assert "$25.00" in cap
    assert 'data-availability="in"' in cap and "In stock here" in cap
    assert 'data-availability="low"' in belt and "Only a few left here" in belt
    assert 'data-availability="out"' in coat and "Out of stock here" in coat
    assert "data-availability" not in gloves and "<img" not in gloves  # nothing known


def test_gallery_captions_come_from_alt_text_never_file_names(app):
    shop = make_shop()
    _go_live(shop.tag, {"gallery": [_image("IMG_0042", "Blue scarf, folded"),
                                    _image("DSC_0007")]})
    shop.tag.listing.template = "spotlight"
    db.session.commit()
    html = new_phone(app).get(f"/t/{shop.tag.code}").get_data(as_text=True)
    assert "<figcaption>Blue scarf, folded</figcaption>" in html
    assert 'alt="Blue scarf, folded"' in html
    assert html.count("<figcaption>") == 1  # no alt text: no caption
    assert 'alt=""' in html  # ...and an empty alt (the media library requires alt text now)
    for name in ("IMG 0042", "IMG_0042<", "DSC 0007", "DSC_0007<", ">IMG", ">DSC"):
        assert name not in html
