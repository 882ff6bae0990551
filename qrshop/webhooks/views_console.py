"""Webhook pages: /console/webhooks (merchandisers, the retailer's webhooks) and
/vendor/webhooks (vendor users, the vendor's). One module serves both staff surfaces: the
pages are the same, only the party, the layout and the events offered differ."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.errors import InvalidInput
from qrshop.pagination import page_number, paginate
from qrshop.web import form_refused, refused
from qrshop.webhooks import services
from qrshop.webhooks.forms import WebhookForm
from qrshop.webhooks.models import WebhookDelivery
from qrshop.webhooks.views import bp

# surface -> (who may open it, its layout)
SURFACES = {"console": (Role.MERCHANDISER, "console/base.html"),
            "vendor": (Role.VENDOR, "vendor/base.html")}
DELIVERIES_PER_PAGE = 25


def route(rule: str, name: str, methods=("GET",)):
    """Register a view at /console<rule> and /vendor<rule> (endpoints console_<name> and
    vendor_<name>), each for its own role; the view gets `surface`."""
    def decorate(view):
        for surface, (role, _) in SURFACES.items():
            bp.add_url_rule(f"/{surface}{rule}", f"{surface}_{name}",
                            roles_required(role)(view), methods=list(methods),
                            defaults={"surface": surface})
        return view
    return decorate


def _page(surface: str, template: str, status: int = 200, **context):
    response = make_response(render_template(
        template, base=SURFACES[surface][1], surface=surface,
        endpoint=lambda name: f"webhooks.{surface}_{name}", **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _owner() -> services.Owner:
    return services.Owner.of(current_user)


@route("/webhooks", "webhooks", methods=("GET", "POST"))
def webhooks(surface: str):
    """The party's webhooks, and a form to add one (its secret is shown once, after)."""
    owner = _owner()
    form = WebhookForm().for_party(vendor=owner.is_vendor)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = form_refused(form)
        else:
            try:
                webhook, secret = services.create_webhook(
                    owner, url=form.url.data.strip(), events=form.events.data,
                    created_by_id=current_user.id)
            except InvalidInput as error:
                status = refused(error)
            else:
                return _page(surface, "console/webhook_secret.html", 201, webhook=webhook,
                             secret=secret)
    return _page(surface, "console/webhooks.html", status, form=form,
                 webhooks=services.webhook_list(owner))


@route("/webhooks/<int:webhook_id>", "webhook", methods=("GET", "POST"))
def webhook(surface: str, webhook_id: int):
    """A webhook: change its URL and events, and its delivery log with Resend buttons."""
    owner = _owner()
    hook = services.webhook_of(owner, webhook_id)
    form = WebhookForm(obj=hook if request.method == "GET" else None).for_party(
        vendor=owner.is_vendor)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = form_refused(form)
        else:
            try:
                services.update_webhook(owner, hook, url=form.url.data.strip(),
                                        events=form.events.data)
            except InvalidInput as error:
                status = refused(error)
            else:
                flash("Webhook saved.", "info")
                return redirect(url_for(f".{surface}_webhook", webhook_id=hook.id), code=303)
    log = paginate(services.deliveries_of(hook).order_by(WebhookDelivery.id.desc()),
                   page_number(request.args.get("page")), per_page=DELIVERIES_PER_PAGE)
    return _page(surface, "console/webhook.html", status, webhook=hook, form=form, log=log)


@route("/webhooks/<int:webhook_id>/state", "state", methods=("POST",))
def state(surface: str, webhook_id: int):
    """Enable (resetting the failure count) or disable a webhook."""
    owner = _owner()
    enable = request.form.get("enabled") == "1"
    hook = services.update_webhook(owner, services.webhook_of(owner, webhook_id),
                                   enabled=enable)
    flash("Webhook enabled." if hook.is_enabled else "Webhook disabled.", "info")
    return redirect(url_for(f".{surface}_webhook", webhook_id=hook.id), code=303)


@route("/webhooks/<int:webhook_id>/delete", "delete", methods=("GET", "POST"))
def delete(surface: str, webhook_id: int):
    """Delete a webhook: GET, or a POST without confirm=yes, asks first."""
    hook = services.webhook_of(_owner(), webhook_id)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        services.delete_webhook(hook)
        flash(f"Webhook to {hook.url} deleted.", "info")
        return redirect(url_for(f".{surface}_webhooks"), code=303)
    return _page(surface, "console/webhook_delete.html", webhook=hook)


@route("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend", "resend",
       methods=("POST",))
def resend(surface: str, webhook_id: int, delivery_id: int):
    """Queue a delivery again."""
    hook = services.webhook_of(_owner(), webhook_id)
    try:
        services.resend(hook, services.delivery_of(hook, delivery_id))
    except InvalidInput as error:
        flash(error.message, "error")
    else:
        flash(f"Delivery {delivery_id} queued again; it is sent within seconds.", "info")
    return redirect(url_for(f".{surface}_webhook", webhook_id=hook.id), code=303)
