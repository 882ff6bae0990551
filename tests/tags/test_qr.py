"""Tag codes and QR images: what a phone camera reads off a printed tag."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image

from qrshop.tags import qr
from qrshop.tags.codes import CODE_ALPHABET, is_alphanumeric_mode, new_code, tag_url
from tests.conftest import BASE_URL
from tests.factories import make_shop


def _decode(png: bytes):
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, "exactly one QR code expected in the image"
    return results[0]


def test_codes_are_unambiguous_upper_case():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("01OI") & set(CODE_ALPHABET)


def test_tag_url_is_upper_case_alphanumeric():
    url = tag_url("https://qr.example.com", "ab7kq2zx")
    assert url == "HTTPS://QR.EXAMPLE.COM/T/AB7KQ2ZX"
    assert is_alphanumeric_mode(url)


def test_longest_allowed_base_url_still_fits_version_2():
    base = "https://qrshop-demo.com"  # 22 characters of origin after the scheme's "//"
    assert len("qrshop-demo.com") + len("https://") == 23
    for _ in range(50):
        assert qr.encode(tag_url("https://fashiontown.shop", new_code())).version <= 2
    assert qr.encode(tag_url(base, new_code())).version <= 2


def test_tag_png_decodes_to_exactly_the_tag_url(client):
    tag = make_shop().tag
    response = client.get(f"/tags/{tag.code}.png?size=300")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    barcode = _decode(response.data)
    assert barcode.text == f"{BASE_URL.upper()}/T/{tag.code}"
    assert int(barcode.extra["Version"]) <= 2
    assert barcode.ec_level == "M"


def test_tag_png_has_a_four_module_quiet_zone(client):
    tag = make_shop().tag
    image = Image.open(io.BytesIO(client.get(f"/tags/{tag.code}.png?size=300").data))
    matrix = qr.encode(f"{BASE_URL.upper()}/T/{tag.code}")
    module = image.width // (matrix.size + 8)
    border = 4 * module
    pixels = image.convert("L").load()
    for i in range(image.width):
        for j in range(border):
            assert pixels[i, j] == 255 and pixels[j, i] == 255
            assert pixels[i, image.height - 1 - j] == 255 and pixels[image.width - 1 - j, i] == 255


def test_png_size_is_honoured_and_checked(client):
    tag = make_shop().tag
    small = Image.open(io.BytesIO(client.get(f"/tags/{tag.code}.png?size=100").data))
    assert 60 <= small.width <= 100
    for bad in ("0", "99999", "abc", "-5"):
        response = client.get(f"/tags/{tag.code}.png?size={bad}")
        assert response.status_code == 400
        assert b"size must be" in response.data


def test_tag_svg_is_one_seamless_path_with_quiet_zone(client):
    tag = make_shop().tag
    response = client.get(f"/tags/{tag.code.lower()}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    root = ET.fromstring(response.data)
    ns = "{http://www.w3.org/2000/svg}"
    paths = root.findall(f"{ns}path")
    assert len(paths) == 1
    matrix = qr.encode(f"{BASE_URL.upper()}/T/{tag.code}")
    assert root.get("viewBox") == f"0 0 {matrix.size + 8} {matrix.size + 8}"
    # Redraw the path's runs and compare with the matrix, module by module.
    drawn = set()
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", paths[0].get("d")):
        for dx in range(int(n)):
            drawn.add((int(x) + dx - 4, int(y) - 4))
    expected = {(x, y) for y, row in enumerate(matrix.rows) for x, dark in enumerate(row) if dark}
    assert drawn == expected


def test_unknown_tag_image_is_404(client):
    assert client.get("/tags/ZZZZZZZZ.png").status_code == 404
    assert client.get("/tags/ZZZZZZZZ.svg").status_code == 404


def test_a_url_gets_its_natural_version_and_spare_room_goes_to_error_correction():
    # 26 characters: version 2 holds them at M (38) and at Q (29) but not at H (20).
    assert qr.fit("HTTPS://QR.SHOP/T/ABCD2345") == (2, "Q")
    # 33 characters: version 2 at M only; never version 3 to get more correction.
    assert qr.fit("HTTPS://QR.EXAMPLE.COM/T/ABCD2345") == (2, "M")
    # 17 characters: version 1 at M (20); Q holds 16, so M it stays.
    assert qr.fit("HTTPS://Q.IO/T/AB") == (1, "M")
    # 10 characters: version 1 at H.
    assert qr.fit("HTTPS://Q.") == (1, "H")
    matrix = qr.encode("HTTPS://QR.SHOP/T/ABCD2345")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(
        qr.render_png("HTTPS://QR.SHOP/T/ABCD2345", 300))))[0]
    assert (matrix.version, matrix.ec_level) == (2, "Q")
    assert decoded.ec_level == "Q" and decoded.extra["Version"] == "2"


def test_the_host_length_sets_the_version_as_docs_printing_md_says():
    def version(host: str, gs1: bool) -> int:
        url = f"HTTPS://{host}/T/ABCD2345" + ("/01/00012345678905" if gs1 else "")
        return qr.fit(url)[0]

    assert version("A" * 19, gs1=False) == 2 and version("A" * 20, gs1=False) == 3
    assert version("A" * 42, gs1=False) == 3 and version("A" * 43, gs1=False) == 4
    assert version("A" * 24, gs1=True) == 3 and version("A" * 25, gs1=True) == 4
