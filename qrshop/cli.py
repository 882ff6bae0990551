"""The `qrshop` command: the app's Flask CLI plus qrshop's own groups."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from qrshop.config import DEFAULT_BASE_URL, save_demo_base_url


def _create_app():
    from qrshop import create_app

    return create_app()


def register_commands(app: Flask) -> None:
    """Attach every feature's CLI group to the app."""
    from qrshop.accounts.cli import retailers_cli, tokens_cli, users_cli, vendors_cli
    from qrshop.analytics.cli import analytics_cli
    from qrshop.analytics.sales_cli import sales_cli
    from qrshop.assist.cli import holds_cli
    from qrshop.catalog.cli import listings_cli
    from qrshop.partitions import partitions_command
    from qrshop.recommend.cli import recommend_cli
    from qrshop.shopper.cli import scans_cli
    from qrshop.tags.cli import tags_cli
    from qrshop.worker import outbox_cli, worker_command

    for group in (users_cli, tokens_cli, retailers_cli, vendors_cli, recommend_cli):
        app.cli.add_command(group)
    app.cli.add_command(tags_cli)
    app.cli.add_command(listings_cli)
    app.cli.add_command(analytics_cli)
    app.cli.add_command(sales_cli)
    app.cli.add_command(holds_cli)
    app.cli.add_command(scans_cli)
    # `qrshop db partitions`, next to Flask-Migrate's `db upgrade`.
    migrate_group = app.cli.commands.get("db")
    if migrate_group is not None:
        migrate_group.add_command(partitions_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Only create/upgrade and seed the database.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def demo_command(no_serve: bool, port: int):
    """Create or upgrade the database, seed the FashionTown demo, print logins, then serve
    (with a worker delivering e-mail to a mail catcher writing to instance/mail/)."""
    from flask_migrate import upgrade

    from qrshop.demo import seed_demo
    from qrshop.extensions import db
    from qrshop.tags.queries import list_tags

    if (current_app.config["BASE_URL"] == DEFAULT_BASE_URL
            or current_app.config.get("BASE_URL_FROM_DEMO")):
        # Unless told otherwise, tags printed by the demo point at the demo server itself;
        # the file makes the CLI's later `tags list` / `tags print` encode the same address.
        current_app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
        save_demo_base_url(current_app.instance_path, current_app.config["BASE_URL"])
    upgrade()
    logins = seed_demo()
    db.session.commit()

    click.echo(f"Demo database ready: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    click.echo("\nLogins (role, email, password):")
    for email, (role, password) in logins.items():
        click.echo(f"  {role:<13} {email:<36} {password}")
    tags = list_tags(current_app.config["BASE_URL"], retailer_slug="fashiontown",
                     store_code="ATL01")
    click.echo(f"\n{len(tags)} tags in FashionTown ATL01; scan or open a few:")
    for row in tags[:5]:
        click.echo(f"  {row['url']:<40} {row['product']} ({row['placement']})")
    click.echo("All tags: qrshop tags list --store ATL01")
    if no_serve:
        return
    from qrshop.demo import demo_helpers
    from qrshop.server import serve

    # The server's workers build their own app: hand them the same public address.
    os.environ["QRSHOP_BASE_URL"] = current_app.config["BASE_URL"]
    click.echo()
    with demo_helpers(current_app._get_current_object(), click.echo):
        click.echo(f"\nServing on http://127.0.0.1:{port}  (Ctrl+C to stop)\n")
        serve(_create_app, f"127.0.0.1:{port}", 2)


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="HOST:PORT to listen on.")
@click.option("--workers", type=click.IntRange(1, 128), default=None,
              help="Worker processes [default: 2 x cores + 1].")
@with_appcontext
def serve_command(bind: str, workers: int | None):
    """Run the production server (gunicorn, sync workers)."""
    from qrshop.server import default_workers, gunicorn_options, serve

    try:
        gunicorn_options(bind, 1, access_log=current_app.config["ACCESS_LOG"],
                         log_format=current_app.config["LOG_FORMAT"])
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    serve(_create_app, bind, workers or default_workers(),
          trusted_proxies=current_app.config["TRUSTED_PROXIES"],
          access_log=current_app.config["ACCESS_LOG"],
          log_format=current_app.config["LOG_FORMAT"],
          metrics=bool(current_app.config["METRICS_TOKEN"]))


main = FlaskGroup(
    create_app=_create_app,
    name="qrshop",
    help="qrshop: QR tags, branded landing pages, coupons and analytics.",
    set_debug_flag=False,
)
