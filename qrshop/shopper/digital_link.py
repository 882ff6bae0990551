"""GS1 Digital Link URIs of tags: parsing them (biip) and describing a tag's links.

A `gs1`-style tag encodes HTTPS://HOST/T/<CODE>/01/<GTIN-14>: a GS1 Digital Link URI whose
path prefix (/T/<CODE>) names the tag and whose primary key (01) is the product's GTIN. The
resolver views (views_resolver.py) check such a URI with biip, then answer as the
GS1-Conformant Resolver Standard 1.2.0 asks: the links of the item as an RFC 9264 linkset
whose relation types are GS1 Web Vocabulary link types (https://gs1.org/voc/<name>), exactly
one of them gs1:defaultLink; and a redirect to one link type on ?linkType=. See docs/gs1.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from qrshop.errors import InvalidInput

GS1_VOCABULARY = "https://gs1.org/voc/"
# Other spellings of the vocabulary's namespace that ?linkType= may use.
LINK_TYPE_PREFIXES = ("gs1:", GS1_VOCABULARY, "https://ref.gs1.org/voc/",
                      "https://www.gs1.org/voc/", "http://gs1.org/voc/")
LINKSET_MEDIA_TYPE = "application/linkset+json"
# RFC 9264 §4.2.2 link relation of a linkset; the GS1 JSON-LD context of linksets.
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
JSON_LD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
# The GTIN lengths a Digital Link may carry (padded to 14 digits by the parser).
GTIN_LENGTHS = (8, 12, 13, 14)
# Every resolver answer may be read by any origin's script (the standard asks for CORS); none
# carries a credential (no Allow-Credentials).
CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Accept-Language"),
    ("Access-Control-Expose-Headers", "Link, Location, Content-Type"),
    ("Access-Control-Max-Age", "86400"),
)


def bad_digital_link(message: str) -> InvalidInput:
    """The 400 a syntactically wrong Digital Link gets (never a 200 error page)."""
    return InvalidInput(f"This is not a valid GS1 Digital Link: {message}", status_code=400,
                        code="bad_digital_link")


def parse_gtin(uri: str) -> str:
    """The GTIN-14 of a GS1 Digital Link URI whose primary key is a GTIN (AI 01), checked by
    biip (length, digits, check digit, qualifiers, query AIs); raise bad_digital_link.

    One trailing slash is tolerated, as the standard asks of resolvers.
    """
    path, question, query = uri.partition("?")
    if path.endswith("/"):
        path = path[:-1]
    segments = path.split("/")
    raw = segments[segments.index("01") + 1] if "01" in segments[:-1] else ""
    if len(raw) not in GTIN_LENGTHS or not raw.isascii() or not raw.isdigit():
        raise bad_digital_link(f"the GTIN after /01/ must be 8, 12, 13 or 14 digits, got "
                               f"{raw!r}.")
    try:
        link = GS1DigitalLinkURI.parse(path + question + query)
    except ParseError as error:
        raise bad_digital_link(str(error)) from None
    element = link.element_strings.get(ai="01")
    if element is None or element.gtin is None:
        reason = element.gtin_error if element is not None else "no GTIN (01) in the path."
        raise bad_digital_link(str(reason))
    return element.gtin.value


def link_type(requested: str) -> str:
    """The GS1 link type named by ?linkType= (gs1:promotion, a vocabulary URI, or 'all'),
    without its prefix: 'promotion', 'all'; '' when none was asked for."""
    requested = requested.strip()
    if requested in ("all", "linkset"):  # 1.2.0: linkType=linkset is the same request
        return "all"
    for prefix in LINK_TYPE_PREFIXES:
        if requested.startswith(prefix):
            return requested[len(prefix):]
    return requested


@dataclass(frozen=True)
class Link:
    """One link of an item: its GS1 link type (without prefix), target and title."""

    rel: str
    href: str
    title: str
    type: str = "text/html"


def tag_links(base_url: str, code: str, *, product_name: str, offer_title: Optional[str],
              counted: bool) -> list[Link]:
    """A tag's links, the default first: its landing page (gs1:pip), the live offer
    (gs1:promotion, only when there is one) and ratings and feedback (gs1:review).

    counted: the targets are the tag's scan URL (/T/<CODE>, counted on arrival, as a scan of
    the printed tag); else uncounted visits (/t/<code>?via=gs1), for a plain /01/<GTIN>.
    """
    page = f"{base_url}/T/{code}" if counted else f"{base_url}/t/{code}?via=gs1"
    links = [Link("pip", page, f"{product_name}: product page")]
    if offer_title:
        links.append(Link("promotion", f"{page}#engage", f"Offer: {offer_title}"))
    links.append(Link("review", f"{page}#feedback", f"Rate and review {product_name}"))
    return links


def find_link(links: list[Link], rel: str) -> Link:
    """The link of a link type, else the default link (the standard's fallback)."""
    return next((link for link in links if link.rel == rel), links[0])


def linkset(anchor: str, links: list[Link], item_description: str) -> dict:
    """The RFC 9264 linkset (application/linkset+json) of an item: GS1 link types as URIs,
    each with an array of target objects, and exactly one gs1:defaultLink (links[0])."""
    context: dict = {"anchor": anchor, "itemDescription": item_description}
    for link in [Link("defaultLink", links[0].href, links[0].title), *links]:
        context.setdefault(GS1_VOCABULARY + link.rel, []).append(
            {"href": link.href, "title": link.title, "type": link.type})
    return {"linkset": [context]}


def _title(title: str) -> str:
    """A Link header title parameter: quoted if ASCII, else RFC 8187 UTF-8 (title*)."""
    title = " ".join(title.split())  # no line breaks in a header
    if title.isascii():
        return 'title="{}"'.format(title.replace("\\", "\\\\").replace('"', '\\"'))
    return f"title*=UTF-8''{quote(title, safe='')}"


def link_header(linkset_url: str, links: list[Link]) -> str:
    """The Link header of a resolver answer: the linkset, then every link (RFC 8288)."""
    parts = [f'<{linkset_url}>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"; '
             f'title="All links of this item"']
    parts += [f'<{link.href}>; rel="{GS1_VOCABULARY}{link.rel}"; '
              f'type="{link.type}"; {_title(link.title)}' for link in links]
    return ", ".join(parts)


def scan_link_header(base_url: str, page, offer_title: Optional[str]) -> str:
    """The Link header of a scan of a tag's Digital Link (page: the scan's LandingPage):
    one function for the Flask view and the fast path."""
    links = tag_links(base_url, page.code, product_name=page.product_name,
                      offer_title=offer_title, counted=True)
    return link_header(f"{base_url}/T/{page.code}/01/{page.gtin}?linkType=all", links)


def resolver_description(base_url: str, name: str = "qrshop") -> dict:
    """/.well-known/gs1resolver: the resolver description file of the standard (§ its JSON
    schema, description-file-schema 1.2.0)."""
    return {
        "name": f"{name} GS1-Conformant resolver (tags and products of this site)",
        "resolverRoot": base_url,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": GS1_VOCABULARY, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
    }
