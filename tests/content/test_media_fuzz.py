"""Damaged uploads are refused with a 4xx, never a crash (found by fuzzing)."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from qrshop.content.media import ingest, prepare_image, prepare_pdf
from qrshop.errors import InvalidInput
from tests.content.images import image_bytes, pdf_bytes


def test_damaged_files_are_refused_never_crash():
    rng = random.Random(7)
    seeds = [(prepare_image, image_bytes("JPEG", size=(64, 48))),
             (prepare_image, image_bytes("PNG", size=(64, 48))),
             (prepare_image, image_bytes("WEBP", size=(64, 48))), (prepare_pdf, pdf_bytes())]
    for _ in range(400):
        prepare, data = rng.choice(seeds)
        data = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            if rng.random() < 0.6:
                data[at] = rng.randrange(256)
            else:
                del data[at:at + rng.randint(1, 40)]
        try:
            prepare(bytes(data))
        except InvalidInput as refused:
            assert 400 <= refused.status_code < 500


def test_very_tall_image_is_refused_not_a_crash(app):
    out = io.BytesIO()
    Image.new("RGB", (40, 13000), "white").save(out, format="PNG")
    with pytest.raises(InvalidInput, match="12000 pixels a side") as refused:
        ingest(out.getvalue(), "tall.png", None)
    assert refused.value.status_code == 413


def test_image_over_the_pixel_budget_says_so(app):
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 MP, under Pillow's own limit
    with pytest.raises(InvalidInput, match="megapixels") as refused:
        ingest(out.getvalue(), "big.png", None)
    assert refused.value.status_code == 413
