"""Benchmark of tag printing: a 1,000-tag PDF against the bare QR encoding of 1,000 URLs.

Both in the same run, on fresh codes (the QR cache is cleared before each), so the ratio says
what the PDF costs on top of the QR maths it cannot avoid. Target: PDF <= 1.5 x bare encoding.
Then the time of each poster layout (shelf posters full of photographed items, the look
poster, the one-item poster, the counter card).

    .venv/bin/python scripts/bench_print.py [--tags N] [--layout NAME] [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import secrets
import time

from PIL import Image, ImageDraw

from qrshop.tags import qr
from qrshop.tags.codes import CODE_ALPHABET
from qrshop.tags.layouts import LAYOUTS
from qrshop.tags.printing import LabelContent, _path_ops, build_pdf


def fresh_urls(count: int) -> list[str]:
    """count distinct tag URLs never encoded before in this process."""
    codes = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(8)) for _ in range(count)}
    while len(codes) < count:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _ in range(8)))
    return [f"HTTPS://QR.EXAMPLE.COM/T/{code}" for code in codes]


def clear_caches() -> None:
    """Forget every encoded matrix and path, so each timing does the full work."""
    qr.encode.cache_clear()
    _path_ops.cache_clear()


def time_encoding(urls: list[str]) -> float:
    """Seconds to compute the QR matrices the PDF uses (same URLs)."""
    clear_caches()
    started = time.perf_counter()
    for url in urls:
        qr.encode(url)
    return time.perf_counter() - started


def time_pdf(urls: list[str], layout_name: str,
             photo: bytes | None = None) -> tuple[float, int, int]:
    """Seconds to build the whole PDF (encoding included), its size and its pages."""
    labels = [LabelContent(url, url.split("//", 1)[1].lower(), "Ridgeline Waterproof Jacket",
                           "$189.00", image=photo) for url in urls]
    clear_caches()
    started = time.perf_counter()
    pdf, placed = build_pdf(LAYOUTS[layout_name], labels)
    return time.perf_counter() - started, len(pdf), max(p.page for p in placed) + 1


def product_photo() -> bytes:
    """A 1080 x 1350 JPEG, the size of the largest variant a poster prints."""
    image = Image.new("RGB", (1080, 1350), (120, 90, 70))
    ImageDraw.Draw(image).ellipse((200, 200, 880, 1150), fill=(230, 225, 215))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def poster_times(repeat: int) -> None:
    """Print the time of every poster layout, full pages of photographed items."""
    photo = product_photo()
    print(f"poster layouts (best of {repeat})")
    for layout in LAYOUTS.values():
        if not layout.is_poster:
            continue
        count = {"shelf-poster": layout.grids[-1][0] * layout.grids[-1][1] if layout.grids
                 else 1, "look-poster": 6, "counter-card": 1}.get(layout.style, 1)
        best = None
        for _ in range(repeat):
            seconds, size, pages = time_pdf(fresh_urls(count), layout.name, photo)
            best = seconds if best is None else min(best, seconds)
        print(f"  {layout.name:22} {count:3} items {pages} page(s) {best:7.3f} s  "
              f"({size / 1024:.0f} KiB)")


def main() -> None:
    """Run both timings (best of --repeat) and print them with their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--layout", default="avery-5160", choices=list(LAYOUTS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    encode_times, pdf_times, size = [], [], 0
    for _ in range(args.repeat):
        urls = fresh_urls(args.tags)
        seconds, size, _ = time_pdf(urls, args.layout)
        pdf_times.append(seconds)
        encode_times.append(time_encoding(urls))
    encode, pdf = min(encode_times), min(pdf_times)
    print(f"{args.tags} tags, layout {args.layout}, best of {args.repeat}")
    print(f"  QR matrices alone   {encode:7.3f} s")
    print(f"  whole PDF           {pdf:7.3f} s  ({size / 1024:.0f} KiB)")
    ratio = pdf / encode
    print(f"ratio PDF / QR = {ratio:.2f} (target <= 1.5) {'ok' if ratio <= 1.5 else 'MISSED'}")
    poster_times(args.repeat)


if __name__ == "__main__":
    main()
