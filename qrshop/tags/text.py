"""Fitting text into printed boxes: cut only at word boundaries, never the price or a URL."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

ELLIPSIS = "…"


def fits(text: str, font: str, size: float, width: float) -> bool:
    """Whether text set in font at size is at most width points wide."""
    return stringWidth(text, font, size) <= width


def fit_words(text: str, font: str, size: float, width: float) -> str:
    """text, or as many of its first words as fit with an ellipsis: never cut mid-word.

    A first word too long on its own is kept whole (the caller shrinks the size with
    size_for_words() first, so this is a last resort that cannot happen on our layouts).
    """
    if fits(text, font, size, width):
        return text
    words = text.split()
    kept = words[:1]
    for word in words[1:]:
        if not fits(" ".join([*kept, word]) + ELLIPSIS, font, size, width):
            break
        kept.append(word)
    return " ".join(kept).rstrip(",;:-–—·") + ELLIPSIS


def size_for_words(text: str, font: str, size: float, width: float,
                   smallest: float) -> float:
    """The largest size up to `size` (not below smallest) at which the first word of text
    and an ellipsis fit width, so fit_words() never has to cut inside a word."""
    first = (text.split() or [""])[0] + ELLIPSIS
    natural = stringWidth(first, font, size)
    return size if natural <= width else max(smallest, size * width / natural)


def size_to_fit(text: str, font: str, size: float, width: float,
                smallest: float = 4.0) -> float:
    """The largest font size up to `size` at which text fits width, but not below smallest.

    For text that must stay whole, like the short URL a person types: shrink it, never cut it.
    """
    natural = stringWidth(text, font, size)
    return size if natural <= width else max(smallest, size * width / natural)


def wrap(text: str, font: str, size: float, width: float, lines: int) -> list[str]:
    """Greedy word wrap into at most `lines` lines; what does not fit ends the last line
    with an ellipsis at a word boundary."""
    words, result, current = text.split(), [], ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if fits(candidate, font, size, width) or not current:
            current = candidate
            continue
        result.append(current)
        current = word
        if len(result) == lines - 1:
            current = " ".join(words[index:])
            break
    result.append(current)
    return [fit_words(line, font, size, width) for line in result[:lines]]
