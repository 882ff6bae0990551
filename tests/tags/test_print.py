"""Printed tags scan first time: every layout, at 300 and 150 dpi, with zxing-cpp and zbar."""

from __future__ import annotations

import shutil
import subprocess

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.tags.layouts import INCH, LAYOUTS, MM
from qrshop.tags.models import Tag
from qrshop.tags.printing import MIN_SYMBOL, LabelContent, build_pdf
from qrshop.tags.services import retire_tag
from tests.conftest import BASE_URL
from tests.factories import make_shop, make_tag

ALL_LAYOUTS = list(LAYOUTS)


def _labels(count: int) -> list[LabelContent]:
    codes = [f"ABCD{n:04d}".replace("0", "Z").replace("1", "Y") for n in range(count)]
    return [LabelContent(f"HTTPS://QR.EXAMPLE.COM/T/{code}", f"qr.example.com/T/{code}",
                         f"Product number {n} with a fairly long name", "$49.99")
            for n, code in enumerate(codes)]


def _decode_each(pdf: bytes, placed, layout, dpi: int) -> list[str]:
    """Render every page at dpi and decode each label's QR from its own crop."""
    document = pypdfium2.PdfDocument(pdf)
    scale = dpi / 72
    texts = []
    per_page = layout.per_page
    for index, qr in enumerate(placed):
        page = document[index // per_page]
        image = page.render(scale=scale).to_pil()
        page_height = layout.page[1]
        quiet = 4 * qr.module
        left = (qr.x - quiet) * scale
        right = (qr.x + qr.symbol_size + quiet) * scale
        top = (page_height - (qr.y + qr.symbol_size + quiet)) * scale
        bottom = (page_height - (qr.y - quiet)) * scale
        crop = image.crop((int(left), int(top), int(right) + 1, int(bottom) + 1))
        results = zxingcpp.read_barcodes(crop)
        texts.append(results[0].text if len(results) == 1 else None)
    document.close()
    return texts


@pytest.mark.parametrize("dpi", [300, 150])
@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_every_tag_of_every_layout_decodes_to_its_url(name, dpi):
    layout = LAYOUTS[name]
    labels = _labels(min(layout.per_page + 2, 32))  # a full sheet and a second page
    pdf, placed = build_pdf(layout, labels)
    assert _decode_each(pdf, placed, layout, dpi) == [label.url for label in labels]


@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_zbarimg_reads_every_tag_at_300_dpi(name, tmp_path):
    """Pages rendered by poppler's pdftoppm; each label (as a phone sees it) read by zbar."""
    from PIL import Image

    assert shutil.which("zbarimg") and shutil.which("pdftoppm"), \
        "install zbar-tools and poppler-utils (CI does)"
    layout = LAYOUTS[name]
    labels = _labels(layout.per_page if layout.per_page > 1 else 2)
    pdf, _ = build_pdf(layout, labels)
    (tmp_path / "tags.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "tags.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    scale, (width, height) = 300 / 72, layout.label
    found = []
    for index in range(len(labels)):
        image = Image.open(pages[index // layout.per_page])
        x, y = layout.positions()[index % layout.per_page]
        top = layout.page[1] - y - height
        crop = image.crop((int(x * scale), int(top * scale), int((x + width) * scale) + 1,
                           int((top + height) * scale) + 1))
        crop_path = tmp_path / f"label-{index}.png"
        crop.save(crop_path)
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(crop_path)],
                                capture_output=True, text=True)
        found.append(result.stdout.strip())
    assert found == [label.url for label in labels]


@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_no_qr_is_smaller_than_2_cm_and_each_has_its_quiet_zone(name):
    layout = LAYOUTS[name]
    labels = _labels(layout.per_page)
    _, placed = build_pdf(layout, labels)
    positions = layout.positions()
    width, height = layout.label
    for qr, (x, y) in zip(placed, positions, strict=True):
        assert qr.symbol_size >= MIN_SYMBOL - 0.01
        quiet = 4 * qr.module
        # The symbol and its quiet zone stay on the label.
        assert qr.x - quiet >= x - 0.01 and qr.y - quiet >= y - 0.01
        assert qr.x + qr.symbol_size + quiet <= x + width + 0.01
        assert qr.y + qr.symbol_size + quiet <= y + height + 0.01


@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_short_url_and_price_are_never_cut_even_with_a_long_host_and_name(name):
    """A person without a camera app types the URL; an ellipsis in it would be useless."""
    host = "fashiontown-outlet.shop"
    label = LabelContent(f"HTTPS://{host.upper()}/T/ABCD2345", f"{host}/T/ABCD2345",
                         "Ridgeline Waterproof Insulated Hooded Jacket for Women", "$1,189.00")
    pdf, placed = build_pdf(LAYOUTS[name], [label])
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert label.short_url in text
    assert label.price in text
    assert "Scan for videos & offers" in text
    assert _decode_each(pdf, placed, LAYOUTS[name], 300) == [label.url]


def test_label_geometry_matches_the_published_stock():
    avery_5160 = LAYOUTS["avery-5160"].positions()
    assert len(avery_5160) == 30
    # First label: 3/16 in from the left, 1/2 in from the top of an 11 in page.
    assert avery_5160[0] == pytest.approx((0.1875 * INCH, (11 - 0.5 - 1) * INCH))
    # Third column: 2 x 2.75 in pitch; last row: 9 x 1 in down.
    assert avery_5160[2][0] == pytest.approx((0.1875 + 5.5) * INCH)
    assert avery_5160[-1] == pytest.approx(((0.1875 + 5.5) * INCH, 0.5 * INCH))
    assert LAYOUTS["avery-5160"].label == pytest.approx((2.625 * INCH, 1 * INCH))

    l7160 = LAYOUTS["avery-l7160"]
    positions = l7160.positions()
    assert len(positions) == 21
    assert l7160.label == pytest.approx((63.5 * MM, 38.1 * MM))
    assert positions[0] == pytest.approx((7.25 * MM, (297 - 15.15 - 38.1) * MM), abs=0.05)
    assert positions[-1][0] == pytest.approx((7.25 + 2 * 66.04) * MM)
    # 7 rows of 38.1 mm leave the same 15.15 mm at the bottom.
    assert positions[-1][1] == pytest.approx(15.15 * MM, abs=0.05)

    square = LAYOUTS["square-1.5in"]
    assert square.per_page == 24 and square.label == pytest.approx((1.5 * INCH, 1.5 * INCH))
    xs = sorted({round(x, 3) for x, _ in square.positions()})
    # Centred on the sheet: equal left and right margins.
    assert xs[0] == pytest.approx(8.5 * INCH - (xs[-1] + 1.5 * INCH))
    strip = LAYOUTS["shelf-strip"]
    assert strip.label[1] == pytest.approx(1.25 * INCH) and strip.per_page == 8
    assert LAYOUTS["poster-a4"].per_page == 1


def test_calibration_offsets_move_every_label():
    layout = LAYOUTS["avery-5160"]
    plain = layout.positions()
    moved = layout.positions((1.5, -2.0))  # 1.5 mm right, 2 mm up
    for (x0, y0), (x1, y1) in zip(plain, moved, strict=True):
        assert x1 - x0 == pytest.approx(1.5 * MM)
        assert y1 - y0 == pytest.approx(2.0 * MM)


def test_qr_is_one_path_filled_once():
    pdf, placed = build_pdf(LAYOUTS["avery-5160"], _labels(1))
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    paths = [obj for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_PATH]
    # One path object for the one QR: runs of modules merged, no per-module shapes.
    assert len(paths) == 1
    document.close()


# --- the command line -------------------------------------------------------------------


def _count_tags():
    return db.session.scalar(select(func.count()).select_from(Tag))


def test_cli_prints_every_layout_and_creates_missing_tags(runner, tmp_path):
    shop = make_shop()
    other = make_tag(shop.retailer, shop.store, shop.vendor, name="Second Widget")
    db.session.commit()
    before = _count_tags()
    out = tmp_path / "shelf.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "nyc01", "--sku",
                                 shop.listing.sku, "--sku", other.listing.sku,
                                 "--layout", "avery-l7160", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 tags" in result.output
    assert _count_tags() == before  # both existed: codes reused
    document = pypdfium2.PdfDocument(str(out))
    scale = 300 / 72
    image = document[0].render(scale=scale).to_pil()
    layout = LAYOUTS["avery-l7160"]
    found = []
    for x, y in layout.positions()[:2]:  # read each label on its own, as a phone would
        top = layout.page[1] - y - layout.label[1]
        crop = image.crop((int(x * scale), int(top * scale),
                           int((x + layout.label[0]) * scale),
                           int((top + layout.label[1]) * scale)))
        found += [barcode.text for barcode in zxingcpp.read_barcodes(crop)]
    assert found == [f"{BASE_URL.upper()}/T/{t.code}" for t in (shop.tag, other)]
    text = document[0].get_textpage().get_text_range()
    assert "Trail Widget" in text and "$49.99" in text and "Scan for videos & offers" in text
    assert f"qr.example.com/T/{shop.tag.code}" in text
    document.close()
    db.session.expire_all()
    assert db.session.get(Tag, shop.tag.id).printed_at is not None


def test_cli_creates_a_tag_for_a_new_placement_and_reuses_it_next_time(runner, tmp_path):
    shop = make_shop()
    args = ["tags", "print", "--store", "NYC01", "--sku", shop.listing.sku, "--placement",
            "Window display", "--layout", "square-1.5in", "--out", str(tmp_path / "a.pdf")]
    assert runner.invoke(args=args).exit_code == 0
    assert _count_tags() == 2
    assert runner.invoke(args=args).exit_code == 0
    assert _count_tags() == 2
    new = db.session.scalar(select(Tag).where(Tag.placement == "Window display"))
    assert new.listing_id == shop.tag.listing_id and new.store_id == shop.store.id


def test_cli_without_sku_reprints_the_stores_active_tags(runner, tmp_path):
    shop = make_shop()
    retired = make_tag(shop.retailer, shop.store, shop.vendor, name="Gone")
    retire_tag(retired)
    db.session.commit()
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout", "poster-a4",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 tags" in result.output
    assert len(pypdfium2.PdfDocument(str(out))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "NOPE1", "--layout", "avery-5160"], "No store with code 'NOPE1'"),
        (["--store", "NYC01", "--sku", "NOT-A-SKU", "--layout", "avery-5160"],
         "Not carried at NYC01: NOT-A-SKU"),
        (["--store", "NYC01", "--layout", "avery-9999"], "Invalid value for '--layout'"),
        (["--store", "BOS01", "--layout", "avery-5160"], "has no active tags"),
        (["--store", "NYC01", "--layout", "avery-5160", "--offset-x", "50"],
         "between -10 and 10 mm"),
    ],
)
def test_cli_bad_input_prints_nothing_and_creates_nothing(runner, tmp_path, args, message):
    make_shop()
    before = _count_tags()
    out = tmp_path / "never.pdf"
    result = runner.invoke(args=["tags", "print", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    assert _count_tags() == before


def test_a_bad_sku_among_good_ones_creates_no_tag(runner, tmp_path):
    tag = make_shop().tag
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--sku", tag.listing.sku,
                                 "--placement", "Brand new spot", "--sku", "MISSING",
                                 "--layout", "avery-5160", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "MISSING" in result.output
    assert _count_tags() == 1


def test_print_help_lists_the_layouts(runner):
    result = runner.invoke(args=["tags", "print", "--help"])
    for name in LAYOUTS:
        assert name in result.output
