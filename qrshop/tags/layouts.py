"""Label stock for printed tags, at exact physical sizes (PDF points, 72 per inch).

Each layout is a grid of labels on a page; positions are computed from the stock's published
geometry (margins, label size, pitch), so a test can hold them to it. Printers drift, so every
print accepts calibration offsets in millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A3, A4, LETTER, TABLOID

INCH = 72.0
MM = 72.0 / 25.4


@dataclass(frozen=True)
class Layout:
    """A sheet of identical labels (or one tag per page)."""

    name: str
    description: str
    page: tuple[float, float]
    label: tuple[float, float]
    columns: int
    rows: int
    left: float  # page's left edge to the first column's left edge
    top: float  # page's top edge to the first row's top edge
    pitch: tuple[float, float]  # left edge to next left edge; top edge to next top edge
    style: str  # how a label is drawn: "compact", "square", "strip", or a POSTER_STYLES one
    source: str
    # Posters: the item grids (columns, rows) the page may use, smallest first.
    grids: tuple[tuple[int, int], ...] = ()

    @property
    def is_poster(self) -> bool:
        """True for a page with its own design (posters.py), False for label stock."""
        return self.style in POSTER_STYLES

    @property
    def per_page(self) -> int:
        """Labels on one sheet."""
        return self.columns * self.rows

    def positions(self, offset_mm: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float]]:
        """Bottom-left corner of every label, row by row from the top left, in PDF points.

        offset_mm moves everything right (x) and down (y) to correct a printer's drift.
        """
        dx, dy = offset_mm[0] * MM, offset_mm[1] * MM
        width, height = self.label
        result = []
        for row in range(self.rows):
            for column in range(self.columns):
                x = self.left + column * self.pitch[0] + dx
                top = self.page[1] - self.top - row * self.pitch[1] - dy
                result.append((x, top - height))
        return result


# Page designs rather than label stock: one item per page, a grid of items, a look, the till.
POSTER_STYLES = ("poster", "shelf-poster", "look-poster", "counter-card")
SMALL_PAGE_GRIDS = ((2, 3), (3, 3), (3, 4))
LARGE_PAGE_GRIDS = ((2, 3), (3, 3), (3, 4), (4, 5), (4, 6))
PAGES = {"a4": (A4, "A4 210 x 297 mm", SMALL_PAGE_GRIDS),
         "a3": (A3, "A3 297 x 420 mm", LARGE_PAGE_GRIDS),
         "letter": (LETTER, "US Letter 8.5 x 11 in", SMALL_PAGE_GRIDS),
         "tabloid": (TABLOID, "Tabloid 11 x 17 in", LARGE_PAGE_GRIDS)}


def _page_design(name: str, style: str, page: tuple[float, float], description: str,
                 grids: tuple[tuple[int, int], ...] = ()) -> Layout:
    """A poster-like layout: the whole page is one design."""
    return Layout(name, description, page, page, 1, 1, 0.0, 0.0, page, style,
                  "full page", grids)


def _posters() -> list[Layout]:
    result = []
    for key, (page, paper, grids) in PAGES.items():
        most = grids[-1]
        result.append(_page_design(
            f"shelf-poster-{key}", "shelf-poster", page,
            f"{paper} virtual shelf: a titled grid of item photos with price and QR "
            f"(2 x 3 up to {most[0]} x {most[1]} per page)", grids))
    for key, (page, paper, _grids) in PAGES.items():
        result.append(_page_design(
            f"look-poster-{key}", "look-poster", page,
            f"{paper} look poster: one hero photo and up to 6 items of the look, each with "
            "its QR (the first SKU's photo is the hero)"))
    result.append(_page_design(
        "counter-card", "counter-card", LETTER,
        "US Letter table tent for the till, folded in half: 'Scan to see your wish list and "
        "coupons'"))
    result.append(_page_design(
        "counter-card-a4", "counter-card", A4,
        "A4 table tent for the till, folded in half: 'Scan to see your wish list and "
        "coupons'"))
    return result


# Where the numbers come from (checked when the layouts were written):
# - avery-5160: Avery's 5160 template, 2 5/8 x 1 in, 3 x 10, top margin 1/2 in, side margin
#   3/16 in, pitch 2.75 x 1 in (so both side margins are 3/16 in). gLabels' template
#   (GNOME/glabels templates/avery-us-templates.xml, part 5160) has x0=0.1875in y0=0.5in
#   dx=2.75in dy=1in; the glabels-qt copy of that file says x0=0.15625in dx=2.78125in, a
#   variant that moves the outer columns by 1/32 in - within what --offset-x corrects.
# - avery-l7160: Avery UK's L7160 spec, 63.5 x 38.1 mm, 3 x 7, top margin 15.15 mm, side
#   margin 7.25 mm, pitch 66.04 x 38.1 mm (7 rows leave 15.15 mm at the bottom too).
# - square-1.5in: 1.5 in squares, 4 x 6 = 24 per Letter sheet, the format of Avery 22805.
#   Avery's own margins for 22805 could not be confirmed from a published template, so the grid
#   is centred on the sheet (11/16 in side margins, 3/8 in gaps across; 3/8 in top and bottom
#   margins, 1/4 in gaps down). Print one page on plain paper, hold it against the stock, and
#   correct any shift with --offset-x/--offset-y.
# - shelf-strip: 8 x 1.25 in strips, 8 per Letter sheet, cut along the printed rule; 1.25 in
#   is the common height of a shelf-edge (C-channel) ticket holder.
# - poster-a4: one tag per A4 page (210 x 297 mm).
LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            "avery-5160", "US Letter, 30 address labels 2 5/8 x 1 in (3 x 10)", LETTER,
            (2.625 * INCH, 1.0 * INCH), 3, 10, 0.1875 * INCH, 0.5 * INCH,
            (2.75 * INCH, 1.0 * INCH), "compact",
            "Avery 5160 template: 0.5 in top margin, 0.1875 in side margins, 2.75 in "
            "horizontal pitch, 1 in vertical pitch",
        ),
        Layout(
            "avery-l7160", "A4, 21 labels 63.5 x 38.1 mm (3 x 7)", A4,
            (63.5 * MM, 38.1 * MM), 3, 7, 7.25 * MM, 15.15 * MM, (66.04 * MM, 38.1 * MM),
            "compact",
            "Avery L7160 template: 15.15 mm top margin, 7.25 mm side margin, 66.04 mm "
            "horizontal pitch, 38.1 mm vertical pitch",
        ),
        Layout(
            "square-1.5in", "US Letter, 24 square labels 1.5 x 1.5 in (4 x 6, Avery 22805 size)",
            LETTER,
            (1.5 * INCH, 1.5 * INCH), 4, 6, 0.6875 * INCH, 0.375 * INCH,
            (1.875 * INCH, 1.75 * INCH), "square",
            "1.5 in square stock, 4 x 6 centred on Letter: 0.6875 in side margins, 0.375 in "
            "top margin, 1.875 x 1.75 in pitch (check your stock; calibrate with offsets)",
        ),
        Layout(
            "shelf-strip", "US Letter, 8 shelf-edge strips 8 x 1.25 in", LETTER,
            (8.0 * INCH, 1.25 * INCH), 1, 8, 0.25 * INCH, 0.5 * INCH,
            (8.0 * INCH, 1.25 * INCH), "strip",
            "1.25 in is the common shelf-edge (C-channel) height; strips are cut along the "
            "printed rule",
        ),
        _page_design("poster-a4", "poster", A4,
                     "A4 poster, one item per page: its photo, name, price and a large QR"),
        *_posters(),
    )
}
