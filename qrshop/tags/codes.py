"""Tag codes and the URLs printed into QR codes.

Codes use an upper-case alphabet without the look-alikes 0/O and 1/I, so a person can type one
from the label. The printed URL is written in upper case so that the whole string is in QR
alphanumeric mode; with a base URL of up to 22 characters it fits version 2 at level M.

A retailer chooses the style of its tags' URLs (Retailer.tag_url_style): `short`,
HTTPS://HOST/T/<CODE>, or `gs1`, HTTPS://HOST/T/<CODE>/01/<GTIN-14>: a GS1 Digital Link URI
whose path prefix (/T/<CODE>) names the tag and whose primary key is the product's GTIN, so
a till's 2D scanner reads the GTIN and a phone opens the tag's page (docs/gs1.md). It adds
18 characters, still all alphanumeric: one QR version more than the short URL.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 32**8 ≈ 1.1e12 codes: unguessable enough to not be enumerated by scanning.
# Anything a person might type or a camera might hand over: letters, digits, nothing else.
# fullmatch() only: `$` would also take a trailing newline.
CODE_SHAPE = re.compile(r"[0-9A-Za-z]{1,32}")
# A code qrshop could have printed: the alphabet at the length, upper case.
TAG_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
# The letters and digits no code has (the look-alikes 0, 1, I and O).
NOT_IN_CODES = "".join(sorted(set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set(CODE_ALPHABET)))
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def new_code() -> str:
    """Return a fresh random tag code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """Return the canonical (upper-case) form of a code, or None if it cannot be one."""
    if not CODE_SHAPE.fullmatch(raw):
        return None
    return raw.upper()


def is_tag_code(code: str) -> bool:
    """True for a canonical code qrshop could have printed (alphabet and length)."""
    return TAG_CODE.fullmatch(code) is not None


def tag_url(base_url: str, code: str, style: str = "short", gtin: str | None = None) -> str:
    """Return the URL printed in a tag's QR: upper-case scheme and host, then /T/<CODE>, and
    in the `gs1` style /01/<GTIN-14> after it (gtin: the product's GTIN, any valid length).

    Scheme and host are case-insensitive, so upper-casing them is safe; a path in the base URL
    keeps its case (it may matter to a proxy in front of qrshop).
    """
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}".upper()
    url = f"{origin}{parts.path.rstrip('/')}/T/{code.upper()}"
    if style == "gs1":
        if not gtin or not gtin.isdigit() or len(gtin) > 14:
            raise ValueError(f"A gs1 tag URL needs the product's GTIN, got {gtin!r}.")
        return f"{url}/01/{gtin.zfill(14)}"
    if style != "short":
        raise ValueError(f"Unknown tag URL style {style!r}.")
    return url


def is_alphanumeric_mode(text: str) -> bool:
    """True when every character is in the QR alphanumeric set."""
    return set(text) <= QR_ALPHANUMERIC


def short_url(base_url: str, code: str) -> str:
    """The tag's address for people to type: host (lower case) and /T/CODE, no scheme."""
    parts = urlsplit(base_url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}/T/{code.upper()}"
