"""The client book, the shopper's side: the consent toggle on /wishlist (give or withdraw;
withdrawing deletes the associates' notes)."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext

from qrshop.accounts import queries as accounts
from qrshop.assist import clientbook
from qrshop.assist.views import bp
from qrshop.errors import InvalidInput
from qrshop.parsing import row_id
from qrshop.shopper import identity
from qrshop.shopper.actions import message_page, no_store


@bp.post("/wishlist/clientbook")
def client_book_consent():
    """Give (`consent=yes`) or withdraw (`action=withdraw`) the client book for one retailer
    (`retailer`, its id) of the caller's wish list."""
    retailer_id = row_id(request.form.get("retailer"))
    shopper_id = identity.current_shopper(retailer_id) if retailer_id else None
    names = accounts.retailer_names_of([retailer_id]) if shopper_id else {}
    if not names:
        return message_page(gettext("Not found"),
                            gettext("This wish list is not on this device."), 404)
    if request.form.get("action") == "withdraw":
        clientbook.withdraw_consent(retailer_id, shopper_id)
    elif request.form.get("consent") == "yes":
        try:
            clientbook.give_consent(retailer_id, shopper_id,
                                    clientbook.consent_text(names[retailer_id]))
        except InvalidInput as error:
            return message_page(gettext("Not found"), error.message, error.status_code)
    else:
        return message_page(gettext("Nothing changed"),
                            gettext("Tick the box to let the store's associates help you."),
                            400)
    return no_store(redirect(url_for("wishlist.wishlist") + f"#clientbook-{retailer_id}",
                             code=303))
