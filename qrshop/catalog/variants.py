"""Product variants: sizes and colours of one product, each its own GTIN, in one group.

A group is named by a GTIN-14: the `variant_of` that imports and the API carry, the GTIN of
the group's parent (any product of the group resolves to the group's key, so a file may name
any sibling). The parent joins its own group. A product without variants has no group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from qrshop.catalog.models import Product
from qrshop.catalog.services import normalise_gtin
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_ATTRIBUTE = 40
COLUMNS = ("variant_of", "size", "colour")


@dataclass(frozen=True)
class VariantFields:
    """A product's variant fields as given; None: not given (an old file, an old client)."""

    variant_of: Optional[str] = None
    size: Optional[str] = None
    colour: Optional[str] = None

    @property
    def given(self) -> bool:
        """Whether any variant field was given."""
        return any(value is not None for value in (self.variant_of, self.size, self.colour))


def from_record(record: dict[str, str]) -> VariantFields:
    """The variant fields of a CSV line (a column missing from the file is None)."""
    colour = record.get("colour", record.get("color"))
    return VariantFields(record.get("variant_of"), record.get("size"), colour)


def check_attribute(raw: Optional[str], what: str) -> Optional[str]:
    """A size or colour: at most 40 printable characters; blank is None."""
    if raw is None:
        return None
    value = " ".join(raw.split())
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise InvalidInput(f"{what} contains control characters.")
    if len(value) > MAX_ATTRIBUTE:
        raise InvalidInput(f"{what} is longer than {MAX_ATTRIBUTE} characters.")
    return value or None


def resolve_group(raw: Optional[str], own_gtin: str, *, in_file: Iterable[str],
                  find: Callable[[str], Optional[Product]], whose: str) -> Optional[str]:
    """The group key a `variant_of` names: its product's group, else its GTIN-14.

    The GTIN must be this product's own (it is the parent), one elsewhere in the same
    file or request, or a product `find` accepts; else InvalidInput saying which.
    """
    text = (raw or "").strip()
    if not text:
        return None
    try:
        gtin = normalise_gtin(text)
    except InvalidInput as problem:
        raise InvalidInput(f"variant_of: {problem.message}") from None
    if gtin == own_gtin or gtin in set(in_file):
        parent = find(gtin)
        return (parent.variant_group if parent is not None and parent.variant_group
                else gtin)
    parent = find(gtin)
    if parent is None:
        raise InvalidInput(f"variant_of {gtin} names no product {whose} (nor one in this "
                           "file).", code="unknown_variant_of")
    return parent.variant_group or gtin


def checked(fields: VariantFields, own_gtin: str, *, in_file: Iterable[str] = (),
            find: Callable[[str], Optional[Product]], whose: str) -> VariantFields:
    """The fields with the group resolved (variant_of is then the group's key) and the
    attributes checked; InvalidInput on the first problem."""
    return VariantFields(
        resolve_group(fields.variant_of, own_gtin, in_file=in_file, find=find, whose=whose)
        if fields.variant_of is not None else None,
        check_attribute(fields.size, "Size"), check_attribute(fields.colour, "Colour"))


def product_by_gtin(gtin: str) -> Optional[Product]:
    """The product with this GTIN-14, any owner."""
    return db.session.scalar(select(Product).where(Product.gtin == gtin))


def apply(product: Product, fields: VariantFields) -> None:
    """Store checked fields (those given); the group's parent joins the group."""
    if fields.variant_of is not None:
        product.variant_group = fields.variant_of or None
        if fields.variant_of and fields.variant_of != product.gtin:
            parent = product_by_gtin(fields.variant_of)
            if parent is not None and parent.variant_group is None:
                parent.variant_group = fields.variant_of
    if fields.size is not None:
        product.size = fields.size
    if fields.colour is not None:
        product.colour = fields.colour
    db.session.flush()


def variant_json(product: Product) -> dict:
    """The API shape of a product's variant fields."""
    return {"variant_of": product.variant_group, "size": product.size,
            "colour": product.colour}
