"""Printed tags scan first time: every layout (labels and posters), both URL styles, at 300
and 150 dpi, per label and per whole page, with zxing-cpp and zbar."""

from __future__ import annotations

import os
from collections import Counter

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import func, select

from qrshop.extensions import db
from qrshop.tags.layouts import INCH, LAYOUTS, MM
from qrshop.tags.models import Tag
from qrshop.tags.printing import MIN_MODULE, LabelContent, build_pdf
from qrshop.tags.services import retire_tag
from tests.conftest import BASE_URL
from tests.factories import make_shop, make_tag
from tests.tags.printed import (
    ALL_LAYOUTS,
    STYLES,
    crop_around,
    labels,
    rendered_pages,
    sample_count,
    zbar_each,
)

# Database-free: run once, on the SQLite pass of CI.
once = pytest.mark.skipif(bool(os.environ.get("QRSHOP_TEST_DATABASE_URL")),
                          reason="no database involved: the SQLite run covers it")


def _zxing_texts(image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


@once
@pytest.mark.parametrize("dpi", [300, 150])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_every_tag_decodes_per_label_and_per_page_with_zbar_and_zxing(name, style, dpi,
                                                                      tmp_path):
    """Every QR is read from its own crop (as a phone framing one label sees it) and from
    the whole page, by zbar and by zxing-cpp; pages rendered by poppler's pdftoppm."""
    layout = LAYOUTS[name]
    items = labels(style, sample_count(layout))
    pdf, placed = build_pdf(layout, items)
    expected = items[:1] * 2 if layout.style == "counter-card" else items
    assert sorted(p.url for p in placed) == sorted(item.url for item in expected)
    pages = rendered_pages(pdf, dpi, tmp_path)
    crops = [crop_around(pages[qr.page], qr, layout, dpi, extra=2) for qr in placed]
    assert zbar_each(crops, tmp_path) == [[qr.url] for qr in placed]
    assert [_zxing_texts(crop) for crop in crops] == [[qr.url] for qr in placed]
    for number, page in enumerate(pages):
        on_page = Counter(qr.url for qr in placed if qr.page == number)
        # One zbarimg per page, as a user would run it on a scan of that page.
        assert Counter(zbar_each([page], tmp_path)[0]) == on_page, f"page {number}"
        assert Counter(_zxing_texts(page)) == on_page, f"page {number}"


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", ALL_LAYOUTS)
def test_each_qr_has_its_quiet_zone_and_modules_of_at_least_half_a_millimetre(name, style):
    layout = LAYOUTS[name]
    items = labels(style, sample_count(layout), photos=False)
    _, placed = build_pdf(layout, items)
    for qr in placed:
        assert qr.module >= MIN_MODULE - 1e-6
    if layout.is_poster:
        for qr in placed:  # on the page, quiet zone included
            quiet = 4 * qr.module
            assert qr.x - quiet >= -0.01 and qr.y - quiet >= -0.01
            assert qr.x + qr.symbol_size + quiet <= layout.page[0] + 0.01
            assert qr.y + qr.symbol_size + quiet <= layout.page[1] + 0.01
        return
    width, height = layout.label
    for index, qr in enumerate(placed):
        x, y = layout.positions()[index % layout.per_page]
        quiet = 4 * qr.module
        # The symbol and its quiet zone stay on the label.
        assert qr.x - quiet >= x - 0.01 and qr.y - quiet >= y - 0.01
        assert qr.x + qr.symbol_size + quiet <= x + width + 0.01
        assert qr.y + qr.symbol_size + quiet <= y + height + 0.01


@pytest.mark.parametrize("name", [n for n in ALL_LAYOUTS if not LAYOUTS[n].is_poster])
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
    assert "Scan for details" in text and "videos" not in text
    assert [p.url for p in placed] == [label.url]


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
    pdf, placed = build_pdf(LAYOUTS["avery-5160"], labels("short", 1))
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
    # No video, no offer: the neutral call to action.
    assert "Trail Widget" in text and "$49.99" in text and "Scan for details" in text
    assert "videos" not in text
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


def test_modules_are_the_largest_whole_dots_the_box_allows_and_never_below_the_minimum():
    from qrshop.tags.drawing import DOT, fit_symbol

    url = "HTTPS://QR.EXAMPLE.COM/T/ABCD2345"  # version 2: 33 modules with the quiet zone
    matrix, module = fit_symbol(url, 25.4 * MM)
    assert matrix.version == 2
    assert module <= 25.4 * MM / 33 < module + DOT
    assert module >= MIN_MODULE
    with pytest.raises(ValueError, match="at least 0.50 mm"):
        fit_symbol(url, 15 * MM)


def test_a_url_too_long_for_the_label_is_refused_clearly(runner, tmp_path, app):
    make_shop()
    app.config["BASE_URL"] = "https://" + "a" * 150 + ".example.com"
    result = runner.invoke(args=["tags", "print", "--store", "NYC01", "--layout",
                                 "avery-5160", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "Cannot print on avery-5160" in result.output and "shorter host" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_square_labels_cut_names_at_a_word_and_print_the_price_at_8_pt_or_more():
    name = "Ridgeline Waterproof Insulated Hooded Jacket"
    label = LabelContent("HTTPS://QR.EXAMPLE.COM/T/ABCD2345", "qr.example.com/T/ABCD2345",
                         name, "$189.00")
    pdf, _ = build_pdf(LAYOUTS["square-1.5in"], [label])
    document = pypdfium2.PdfDocument(pdf)
    textpage = document[0].get_textpage()
    text = textpage.get_text_range()
    line = next(line for line in text.splitlines() if line.startswith("Ridgeline"))
    shown = line.split("…")[0] + "…"  # the name, then the price on the same line
    assert line.endswith("$189.00")
    assert name.startswith(shown[:-1].rstrip()) and name[len(shown[:-1].rstrip())] == " "
    start = text.index("$189.00")
    sizes = {round(pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, start + i), 1)
             for i in range(len("$189.00"))}
    textpage.close()
    document.close()
    assert min(sizes) >= 8
