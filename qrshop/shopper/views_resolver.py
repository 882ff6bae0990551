"""The GS1-Conformant resolver (Resolver Standard 1.2.0) of tags and products; docs/gs1.md.

- /T/<CODE>/01/<GTIN> (a `gs1`-style tag, either case): a person's scan opens the landing page
  and counts the scan exactly as /T/<CODE> does (the same Scanner, views.scan_response);
- ?linkType=all (or linkset), or Accept: application/linkset+json: the item's links as an
  RFC 9264 linkset; a machine read, so not counted as a scan;
- ?linkType=gs1:<type>: 307 to that link (to the default link when the item has none), where
  a /T/<CODE> target counts the scan on arrival;
- /01/<GTIN> (no tag): 307 to the retailer's page for the product in the store of ?store=
  (or the shopper's last store), an uncounted visit (?via=gs1);
- a Digital Link that biip refuses, or whose GTIN is not the tag's: 400;
- GET, HEAD and OPTIONS, with CORS headers; every answer links its linkset (Link header);
- /.well-known/gs1resolver: the resolver description file.
"""

from __future__ import annotations

from typing import Optional

from flask import Blueprint, Response, current_app, json, redirect, request

from qrshop.errors import InvalidInput
from qrshop.extensions import limiter, session_driver
from qrshop.shopper import digital_link
from qrshop.shopper.identity import cookie_shoppers
from qrshop.shopper.queries import last_scanned_store_id
from qrshop.shopper.views import scan_response
from qrshop.tags.codes import normalise_code
from qrshop.tags.queries import active_tag_codes_for_gtin

bp = Blueprint("resolver", __name__)

METHODS = ["GET", "HEAD", "OPTIONS"]


@bp.after_request
def _cors(response: Response) -> Response:
    """CORS headers on every resolver answer, errors too (digital_link.CORS_HEADERS)."""
    for name, value in digital_link.CORS_HEADERS:
        response.headers[name] = value
    response.vary.add("Accept")  # a linkset or a page, by Accept
    return response


def _options() -> Response:
    """The answer to OPTIONS (a CORS preflight or a client probing the methods)."""
    return Response(status=204, headers={"Allow": ", ".join(METHODS)})


def _request_uri() -> str:
    """The Digital Link as requested: origin, path and query (what biip parses)."""
    query = request.query_string.decode("latin-1")
    return f"{request.host_url.rstrip('/')}{request.path}" + (f"?{query}" if query else "")


def _wanted_link_type() -> str:
    """'all' for a linkset, a link type ('promotion'), or '' for the default answer."""
    wanted = digital_link.link_type(request.args.get("linkType", ""))
    if not wanted and request.accept_mimetypes.best_match(
            ["text/html", digital_link.LINKSET_MEDIA_TYPE]) == digital_link.LINKSET_MEDIA_TYPE:
        return "all"
    return wanted


def _linkset_response(anchor: str, links: list, item_description: str) -> Response:
    """The linkset (application/linkset+json), with the JSON-LD context in its Link header."""
    body = json.dumps(digital_link.linkset(anchor, links, item_description), indent=None)
    response = Response(body, mimetype=digital_link.LINKSET_MEDIA_TYPE)
    response.headers["Link"] = (f'<{digital_link.LINKSET_CONTEXT}>; '
                                f'rel="{digital_link.JSON_LD_CONTEXT_REL}"; '
                                f'type="application/ld+json"')
    response.headers["Cache-Control"] = "no-store"  # the live offer may change any minute
    return response


def _answer(anchor: str, links: list, item_description: str, wanted: str) -> Response:
    """The linkset or a 307 to the wanted link type (else the default link)."""
    if wanted == "all":
        return _linkset_response(anchor, links, item_description)
    response = redirect(digital_link.find_link(links, wanted).href, code=307)
    response.headers["Cache-Control"] = "no-store"
    return response


def _linkset_url(path: str) -> str:
    """The URL of a Digital Link's linkset on this site."""
    return f"{current_app.config['BASE_URL']}{path}?linkType=all"


@bp.route("/T/<code>/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@bp.route("/t/<code>/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@limiter.exempt
def tag_digital_link(code: str, rest: str):
    """A `gs1`-style tag: its page and counted scan, its linkset, or a link type; 400 if the
    Digital Link is malformed or names another GTIN than the tag's product's."""
    if request.method == "OPTIONS":
        return _options()
    gtin = digital_link.parse_gtin(_request_uri())
    canonical = normalise_code(code)
    live = (current_app.extensions["qrshop.scanner"].tags.get(canonical, session_driver())
            if canonical else None)
    if live is not None and live.page.gtin != gtin:
        raise digital_link.bad_digital_link(
            f"tag {canonical} is for GTIN {live.page.gtin}, not {gtin}.")
    wanted = _wanted_link_type()
    if live is None or live.page.is_retired:
        if wanted == "all":
            raise InvalidInput("No live tag has this code: it has no links.", status_code=404,
                               code="unknown_tag")
        return scan_response(code)  # the branded unknown (404) or retired (410) page
    page = live.page
    offer = live.anonymous.offer if live.anonymous is not None else None
    links = digital_link.tag_links(current_app.config["BASE_URL"], page.code,
                                   product_name=page.product_name,
                                   offer_title=offer.title if offer else None, counted=True)
    if wanted:
        response = _answer(f"{current_app.config['BASE_URL']}/T/{page.code}/01/{gtin}", links,
                           page.product_name, wanted)
    else:
        response = scan_response(code)
    if wanted != "all":
        response.headers["Link"] = digital_link.scan_link_header(
            current_app.config["BASE_URL"], page, offer.title if offer else None)
    return response


def _product_tag(gtin: str) -> str:
    """The code of the tag for a product in the store of ?store= (&retailer= when two
    retailers use the code), else the shopper's last store, else the only store selling it."""
    store_code = request.args.get("store", "").strip()
    retailer_slug = request.args.get("retailer", "").strip() or None
    store_id: Optional[int] = None
    if not store_code:
        store_id = last_scanned_store_id(list(cookie_shoppers().values()))
    codes = active_tag_codes_for_gtin(gtin, store_code=store_code or None,
                                      retailer_slug=retailer_slug, store_id=store_id)
    if store_id is not None and not codes:  # the last store does not sell it: anywhere
        codes = active_tag_codes_for_gtin(gtin)
    if not codes:
        where = f" in store {store_code}" if store_code else ""
        raise InvalidInput(f"No store{where} has a tag for the product with GTIN {gtin}.",
                           status_code=404, code="unknown_product")
    stores = {store for _, store in codes}
    if len(stores) > 1:
        choose = ("&retailer=<retailer>" if store_code else "?store=<store code>")
        raise InvalidInput(f"The product with GTIN {gtin} is in several stores: add "
                           f"{choose} to the address to choose one.",
                           status_code=400, code="ambiguous_store")
    return codes[0][0]


@bp.route("/01/<path:rest>", methods=METHODS, provide_automatic_options=False)
@limiter.exempt
def product_digital_link(rest: str):
    """A plain Digital Link (no tag): 307 to the retailer's page for the product, its
    linkset, or a link type; never counted as a tag scan."""
    if request.method == "OPTIONS":
        return _options()
    gtin = digital_link.parse_gtin(_request_uri())
    code = _product_tag(gtin)
    live = current_app.extensions["qrshop.scanner"].tags.get(code, session_driver())
    if live is None:  # retired between the two reads
        raise InvalidInput("This product's tag was just retired.", status_code=404,
                           code="unknown_product")
    offer = live.anonymous.offer if live.anonymous is not None else None
    links = digital_link.tag_links(current_app.config["BASE_URL"], code,
                                   product_name=live.page.product_name,
                                   offer_title=offer.title if offer else None, counted=False)
    anchor = f"{current_app.config['BASE_URL']}/01/{gtin}"
    response = _answer(anchor, links, live.page.product_name, _wanted_link_type())
    if response.status_code != 200:
        response.headers["Link"] = digital_link.link_header(_linkset_url(f"/01/{gtin}"),
                                                            links)
    return response


@bp.route("/.well-known/gs1resolver", methods=METHODS, provide_automatic_options=False)
@limiter.exempt
def resolver_description():
    """The resolver description file (GS1-Conformant Resolver Standard, JSON)."""
    if request.method == "OPTIONS":
        return _options()
    body = json.dumps(digital_link.resolver_description(current_app.config["BASE_URL"]))
    return Response(body, mimetype="application/json",
                    headers={"Cache-Control": "public, max-age=3600"})
