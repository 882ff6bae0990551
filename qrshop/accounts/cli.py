"""`qrshop users|tokens|retailers|vendors ...`: accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from qrshop.accounts import invitations
from qrshop.accounts.locations import parse_location
from qrshop.accounts.models import TAG_URL_STYLES, ApiToken, Store
from qrshop.accounts.roles import Role
from qrshop.accounts.services import (
    create_api_token,
    create_retailer,
    create_store,
    create_user,
    create_vendor,
    link_vendor,
    retailer_by_slug,
    revoke_api_token,
    update_retailer,
    update_store,
    update_vendor,
    user_by_email,
    vendor_by_slug,
)
from qrshop.errors import InvalidInput
from qrshop.extensions import db

users_cli = AppGroup("users", help="Manage users who log in.")


@users_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--retailer", "retailer_slug", help="Retailer slug (merchandiser, associate).")
@click.option("--vendor", "vendor_slug", help="Vendor slug (vendor users).")
@click.option("--store", "store_code", help="Store code (associates).")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
def add_user(email, role, retailer_slug, vendor_slug, store_code, password_stdin):
    """Add a user with a role; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            email, role=role, password=password, retailer_slug=retailer_slug,
            vendor_slug=vendor_slug, store_code=store_code,
        )
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Added {user.role} {user.email}.")


@users_cli.command("invite")
@click.argument("email")
@click.option("--role", "role", required=True, metavar="|".join(r.value for r in Role),
              help="The invited user's role.")
@click.option("--retailer", "retailer_slug", help="Retailer slug (merchandiser, associate).")
@click.option("--vendor", "vendor_slug", help="Vendor slug (vendor users).")
@click.option("--store", "store_code", help="Store code (associates).")
def invite_user_command(email, role, retailer_slug, vendor_slug, store_code):
    """Invite a user: e-mails a single-use set-password link (valid 72 hours) via the outbox.

    Inviting an email whose invitation is still pending sends a new link (the old one dies).
    """
    invitation = _run(lambda: invitations.invite(
        None, email, role=role, retailer_slug=retailer_slug, vendor_slug=vendor_slug,
        store_code=store_code))
    click.echo(f"Invited {invitation.user.email} as {invitation.user.role}; the invitation "
               f"e-mail is queued (link valid 72 hours).")


tokens_cli = AppGroup("tokens", help="Manage API tokens.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'till integration'.")
@click.option("--scope", "scopes", multiple=True,
              help="A scope the token holds, e.g. tags:read (repeat it, or separate with "
                   "commas or spaces). None: every scope of the user's role.")
def create_token_command(email, name, scopes):
    """Create an API token for a user; the token is printed once, as the last line."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email!r}.")
    wanted = [part for scope in scopes for part in scope.replace(",", " ").split()]
    try:
        token, plain = create_api_token(user, name, wanted)
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    held = token.scopes or f"every scope of a {user.role}"
    click.echo(f"Token {token.prefix}… for {user.email} ({user.role}; {held}). "
               "It is shown only now:")
    click.echo(plain)


@tokens_cli.command("list")
@click.argument("email")
def list_tokens_command(email):
    """List a user's tokens (prefix, name, created, last used, revoked)."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email!r}.")
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    for token in tokens:
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        scopes = token.scopes or "all scopes of the role"
        click.echo(f"{token.prefix}…\t{token.name}\tcreated {token.created_at:%Y-%m-%d}"
                   f"\tlast used {used}\t{state}\t{scopes}")


@tokens_cli.command("revoke")
@click.argument("prefix")
def revoke_token_command(prefix):
    """Revoke the token whose shown prefix is PREFIX."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.prefix == prefix.rstrip("…"))
    ).all()
    if len(tokens) != 1:
        raise click.ClickException(f"No single token with prefix {prefix!r}.")
    revoke_api_token(tokens[0])
    db.session.commit()
    click.echo(f"Revoked {tokens[0].prefix}… ({tokens[0].name}).")


retailers_cli = AppGroup("retailers", help="Platform admin: retailers and their stores.")


def _run(action):
    """Run a service call; on bad input roll back and exit with its message."""
    try:
        result = action()
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    return result


@retailers_cli.command("add")
@click.argument("slug")
@click.option("--name", required=True)
def add_retailer_command(slug, name):
    """Create a retailer."""
    retailer = _run(lambda: create_retailer(slug, name))
    click.echo(f"Added retailer {retailer.slug} ({retailer.name}).")


@retailers_cli.command("add-store")
@click.argument("slug")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--address", default="")
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--location", help='Latitude, longitude in degrees, like "33.749, -84.388".')
def add_store_command(slug, code, name, address, timezone, location):
    """Create a store CODE for retailer SLUG."""
    store = _run(lambda: create_store(retailer_by_slug(slug), code, name, address=address,
                                      timezone=timezone, location=parse_location(location)))
    click.echo(f"Added store {store.code} ({store.name}) to {slug}.")


@retailers_cli.command("update")
@click.argument("slug")
@click.option("--name", help="The retailer's new name.")
@click.option("--tag-url-style", type=click.Choice(TAG_URL_STYLES),
              help="What tags printed from now on encode: short (/T/<CODE>) or gs1 (a GS1 "
                   "Digital Link a till can scan too). Printed tags keep working.")
@click.option("--share-sales-with-vendors", "share", type=click.Choice(["on", "off"]),
              help="Whether vendors see units sold and lift of their products (off by "
                   "default).")
def update_retailer_command(slug, name, tag_url_style, share):
    """Change a retailer's name, tag URL style or sharing of sales with vendors; options
    left out stay as they are."""
    if name is None and tag_url_style is None and share is None:
        raise click.ClickException("Nothing to change; pass --name, --tag-url-style or "
                                   "--share-sales-with-vendors.")

    def update():
        retailer = update_retailer(retailer_by_slug(slug), name=name,
                                   tag_url_style=tag_url_style)
        if share is not None:
            retailer.share_sales_with_vendors = share == "on"
        return retailer

    retailer = _run(update)
    click.echo(f"Updated retailer {retailer.slug} ({retailer.name}).")
    if share is not None:
        click.echo(f"Sharing sales with vendors: {share}.")
    if tag_url_style is not None:
        click.echo(f"Tag URL style: {retailer.tag_url_style} (tags printed from now on; "
                   "printed tags keep working).")


@retailers_cli.command("update-store")
@click.argument("slug")
@click.argument("code")
@click.option("--code", "new_code", help="A new store code (unique within the retailer).")
@click.option("--name")
@click.option("--address")
@click.option("--timezone", help="An IANA time zone name, like America/New_York.")
@click.option("--location", help='Latitude, longitude in degrees, like "33.749, -84.388" '
                                 '("" removes it).')
def update_store_command(slug, code, new_code, name, address, timezone, location):
    """Edit store CODE of retailer SLUG; options left out stay as they are."""
    if new_code is None and name is None and address is None and timezone is None \
            and location is None:
        raise click.ClickException("Nothing to change; pass --code, --name, --address, "
                                   "--timezone or --location.")

    def update():
        retailer = retailer_by_slug(slug)
        store = db.session.scalar(select(Store).where(Store.retailer_id == retailer.id,
                                                      Store.code == code.strip().upper()))
        if store is None:
            raise InvalidInput(f"Retailer {slug} has no store {code[:16]!r}.")
        return update_store(store, code=new_code, name=name, address=address,
                            timezone=timezone,
                            location=None if location is None else parse_location(location))

    store = _run(update)
    click.echo(f"Updated store {store.code} ({store.name}, {store.timezone}) of {slug}.")


vendors_cli = AppGroup("vendors", help="Platform admin: vendors and whom they supply.")


@vendors_cli.command("add")
@click.argument("slug")
@click.option("--name", required=True)
def add_vendor_command(slug, name):
    """Create a vendor."""
    vendor = _run(lambda: create_vendor(slug, name))
    click.echo(f"Added vendor {vendor.slug} ({vendor.name}).")


@vendors_cli.command("update")
@click.argument("slug")
@click.option("--name", help="The vendor's new name.")
def update_vendor_command(slug, name):
    """Change a vendor's name."""
    if name is None:
        raise click.ClickException("Nothing to change; pass --name.")
    vendor = _run(lambda: update_vendor(vendor_by_slug(slug), name=name))
    click.echo(f"Updated vendor {vendor.slug} ({vendor.name}).")


@vendors_cli.command("link")
@click.argument("vendor_slug")
@click.option("--retailer", "retailer_slug", required=True)
def link_vendor_command(vendor_slug, retailer_slug):
    """Record that a vendor supplies a retailer."""
    added = _run(lambda: link_vendor(retailer_by_slug(retailer_slug), vendor_by_slug(vendor_slug)))
    click.echo(f"{vendor_slug} {'now supplies' if added else 'already supplied'} {retailer_slug}.")
