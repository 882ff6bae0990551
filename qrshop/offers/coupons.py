"""Coupon codes: random, unguessable, typeable at a till, and the barcode that carries them.

A code is 8 characters from an alphabet without the look-alikes 0/O and 1/I, shown as
XXXX-XXXX. People (and barcode scanners) may type it in either case, with or without the dash.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from itertools import groupby

import barcode

COUPON_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
COUPON_LENGTH = 8  # 32**8 ≈ 1.1e12 codes
_TYPED = re.compile(r"[\s\-]+")


def new_coupon_code() -> str:
    """A fresh random coupon code in canonical form (8 characters, no dash)."""
    return "".join(secrets.choice(COUPON_ALPHABET) for _ in range(COUPON_LENGTH))


def normalise_coupon_code(raw: str | None) -> str | None:
    """The canonical form of a typed or scanned code, or None if it cannot be a coupon code."""
    text = _TYPED.sub("", raw or "").upper()
    if len(text) != COUPON_LENGTH or not set(text) <= set(COUPON_ALPHABET):
        return None
    return text


def display_code(code: str) -> str:
    """A canonical code as people read it: XXXX-XXXX."""
    return f"{code[:4]}-{code[4:]}"


QUIET_MODULES = 10  # Code 128 asks for at least 10 modules of white either side
BAR_HEIGHT = 40  # in modules; scaled with the width on the phone


@lru_cache(maxsize=1024)
def barcode_svg(code: str) -> str:
    """A Code 128 barcode of the code as an inline, width-scalable <svg> element.

    python-barcode does the encoding (character sets, check symbol); the bars are drawn here as
    one path so that the symbol scales to the phone's width without seams. Till scanners type
    what they read into the focused field, and /pos accepts it as it is.
    """
    [modules] = barcode.get("code128", code).build()
    width = len(modules) + 2 * QUIET_MODULES
    bars, x = [], 0
    for dark, run in groupby(modules):
        length = len(list(run))
        if dark == "1":
            bars.append(f"M{x + QUIET_MODULES} 0h{length}v{BAR_HEIGHT}h-{length}z")
        x += length
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {BAR_HEIGHT}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" '
        f'aria-label="Barcode of coupon {display_code(code)}">'
        f'<rect width="{width}" height="{BAR_HEIGHT}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(bars)}"/></svg>'
    )
