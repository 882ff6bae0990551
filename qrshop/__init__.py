"""qrshop: QR-code in-store engagement. create_app() builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from qrshop import config as qrshop_config


def _templates_folder() -> str:
    """Top-level templates/ in a source checkout; qrshop/templates in an installed wheel."""
    installed = Path(__file__).parent / "templates"
    if installed.is_dir():
        return str(installed)
    return str(qrshop_config.REPO_ROOT / "templates")


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: config -> extensions -> blueprints -> errors -> CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("QRSHOP_INSTANCE_PATH") or None,
        template_folder=_templates_folder(),
    )
    app.config.from_mapping(qrshop_config.defaults(app.instance_path))
    app.config.update(qrshop_config.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if not os.environ.get("QRSHOP_BASE_URL") and app.config["BASE_URL"] == \
            qrshop_config.DEFAULT_BASE_URL:
        # No public address configured: the demo's, if `qrshop demo` has served one here.
        demo_url = qrshop_config.demo_base_url(app.instance_path)
        if demo_url:
            app.config["BASE_URL"], app.config["BASE_URL_FROM_DEMO"] = demo_url, True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = qrshop_config.instance_secret_key(app.instance_path)
    app.config["BASE_URL"] = qrshop_config.normalise_base_url(app.config["BASE_URL"])
    if not app.config["MAIL_FROM"]:
        app.config["MAIL_FROM"] = qrshop_config.default_mail_from(app.config["BASE_URL"])
    from qrshop.accounts.api_limits import parse_rate_limit

    parse_rate_limit(app.config["API_RATE_LIMIT"])  # a typo fails at start, not per request
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")
    # Rate limits count where every worker sees them: Redis if set, else the database.
    from qrshop.ratelimit import STORAGE_URI as DATABASE_RATE_LIMITS

    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config["REDIS_URL"] or DATABASE_RATE_LIMITS)
    from qrshop.db import make_sqlite_file_private

    make_sqlite_file_private(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)

    _init_extensions(app)
    from qrshop.web import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route uses <int:...>
    _register_blueprints(app)

    from qrshop.errors import register_error_handlers

    register_error_handlers(app)
    _register_request_lifecycle(app)
    from qrshop.api import idempotency

    idempotency.init_app(app)

    from qrshop.security import TrustedProxies, parse_trusted_proxies, register_security_headers

    register_security_headers(app)
    _init_metrics(app)

    from qrshop.shopper.fastpath import ScanFastPath

    app.wsgi_app = app.extensions["qrshop.scan_fast_path"] = ScanFastPath(app, app.wsgi_app)
    proxies = parse_trusted_proxies(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = TrustedProxies(app.wsgi_app, proxies)
    from qrshop.request_log import RequestContext

    # Outermost: every request, the fast path's scans too, gets its id and latency.
    app.wsgi_app = RequestContext(app, app.wsgi_app)

    from qrshop.cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from qrshop import models  # noqa: F401  (every table on the metadata, for Alembic)
    from qrshop.accounts.models import font_stack
    from qrshop.db import WriteLock
    from qrshop.extensions import csrf, db, limiter, login_manager, migrate
    from qrshop.shopper.services import ShopperCookie

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to open that page."
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions["qrshop.shopper_cookie"] = ShopperCookie(app.config["SECRET_KEY"])
    app.extensions["qrshop.write_lock"] = WriteLock(app.config["SQLALCHEMY_DATABASE_URI"],
                                                       app.instance_path)
    app.jinja_env.globals["font_stack"] = font_stack
    from qrshop import i18n

    i18n.init_app(app)  # the shopper's language (Flask-Babel), docs/i18n.md

    @login_manager.user_loader
    def load_user(user_id: str):
        from qrshop.accounts.auth import user_for_session

        return user_for_session(user_id)


def _init_metrics(app: Flask) -> None:
    """GET /metrics (off unless METRICS_TOKEN is set): the queues' depths come from alerts
    and webhooks, the scan count from the scanner (qrshop/metrics.py)."""
    from qrshop import metrics
    from qrshop.alerts.outbox import queue_depth as outbox_depth
    from qrshop.webhooks.delivery import queue_depth as webhook_depth

    app.register_blueprint(metrics.bp)
    metrics.init_app(app, {"outbox_messages": outbox_depth,
                           "webhook_deliveries": webhook_depth})
    if app.extensions["qrshop.metrics"] is not None:
        app.extensions["qrshop.scanner"].count_scan = app.extensions["qrshop.metrics"].count_scan


def _register_blueprints(app: Flask) -> None:
    # Import every feature's views before registering any blueprint: features add their API
    # routes to the shared /api/v1 blueprint at import time.
    from qrshop import health
    from qrshop.accounts import views as account_views
    from qrshop.alerts import views as alerts_views
    from qrshop.analytics import experiment_api, experiment_views, sales_api, sales_views
    from qrshop.analytics import views as analytics_views
    from qrshop.api import views as api_views
    from qrshop.assist import api as _assist_api  # noqa: F401 (routes on the API's bp)
    from qrshop.assist import views as assist_views
    from qrshop.assist import views_analytics as _assist_analytics  # noqa: F401 (routes on bp)
    from qrshop.assist import views_clientbook as _assist_book  # noqa: F401 (routes on bp)
    from qrshop.assist import views_consent as _assist_consent  # noqa: F401 (routes on bp)
    from qrshop.assist import views_console as _assist_console  # noqa: F401 (routes on bp)
    from qrshop.assist import views_holds as _assist_holds  # noqa: F401 (routes on bp)
    from qrshop.assist import views_holds_pos as _assist_holds_pos  # noqa: F401 (routes on bp)
    from qrshop.assist import views_pos as _assist_pos  # noqa: F401 (routes on bp)
    from qrshop.catalog import api as catalog_api
    from qrshop.catalog import views as catalog_views
    from qrshop.catalog import views_console as listing_views
    from qrshop.console import views as console_views
    from qrshop.content import views as content_views
    from qrshop.extensions import csrf
    from qrshop.feedback import views as feedback_views
    from qrshop.offers import api as offers_api
    from qrshop.offers import views as offers_views
    from qrshop.recommend import views as recommend_views
    from qrshop.shopper import views as shopper_views
    from qrshop.tags import api as tags_api
    from qrshop.tags import views as tag_views
    from qrshop.webhooks import api as webhooks_api
    from qrshop.webhooks import views as webhooks_views
    from qrshop.wishlist import views as wishlist_views

    app.register_blueprint(health.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(console_views.bp)
    app.register_blueprint(analytics_views.bp)
    app.register_blueprint(sales_views.bp)  # sales_api adds /api/v1/sales and .../lift
    assert sales_api.bp is api_views.bp
    # The API authenticates with bearer tokens, never cookies, so CSRF cannot apply to it.
    csrf.exempt(api_views.bp)
    app.register_blueprint(api_views.bp)
    csrf.exempt(offers_api.bp)
    app.register_blueprint(offers_api.bp)
    app.register_blueprint(offers_views.bp)
    app.register_blueprint(wishlist_views.bp)
    # the wish list page shows the shopper's coupons, which belong to offers.
    from qrshop.offers.services import coupons_of
    from qrshop.wishlist import coupons as wishlist_coupons

    wishlist_coupons.provide(coupons_of)
    # ... and the consent toggle and counter view of assist's client book.
    from flask import url_for

    from qrshop.assist.clientbook import has_consent
    from qrshop.wishlist import client_book

    client_book.provide(consent_of=has_consent,
                        book_url=lambda token: url_for("assist.client_book", token=token))
    app.register_blueprint(alerts_views.bp)
    # accounts (invitations, resets) and the wish list (magic links) email through
    # qrshop.mail, which queues in alerts' outbox.
    from qrshop import mail
    from qrshop.alerts.outbox import queue_message

    mail.provide(queue_message)
    app.register_blueprint(feedback_views.bp)
    csrf.exempt(catalog_api.bp)
    app.register_blueprint(catalog_api.bp)
    app.register_blueprint(recommend_views.bp)
    app.register_blueprint(shopper_views.bp)
    # The landing page shows offers' engagement block and recommend's "Complete the look";
    # shopper imports neither.
    from qrshop.feedback.reviews import landing_reviews
    from qrshop.offers.landing import landing_engagement
    from qrshop.recommend.services import cached_complete_the_look, complete_the_look
    from qrshop.shopper import landing_parts
    from qrshop.shopper.scan import Scanner

    landing_parts.provide(engagement=landing_engagement, recommendations=complete_the_look,
                          cached_recommendations=cached_complete_the_look,
                          reviews=landing_reviews)
    # analytics' experiments choose a variant of the page per shopper (kept like tags).
    from qrshop.analytics.experiment_plans import running_plans

    landing_parts.provide(experiments=running_plans)
    app.register_blueprint(experiment_views.bp)  # experiment_api adds /api/v1/experiments
    assert experiment_api.bp is api_views.bp

    app.extensions["qrshop.scanner"] = Scanner.for_app(app)
    app.register_blueprint(tag_views.bp)
    csrf.exempt(tags_api.bp)
    app.register_blueprint(tags_api.bp)
    # tags shows silent tags; analytics (which reads scans) answers which ones are silent.
    from qrshop.analytics import services as analytics_services
    from qrshop.tags import silent

    silent.provide(analytics_services.silent_tags, analytics_services.silent_tag_count)
    # printed tags and posters say "offers" only with a live offer, show curated looks and
    # (the counter card) open the wish list: offers, recommend and wishlist import tags.
    from qrshop.offers.services import listings_with_live_offer
    from qrshop.recommend.services import curated_ids
    from qrshop.tags import print_parts
    from qrshop.wishlist.devices import counter_card_url

    print_parts.provide(live_offers=listings_with_live_offer, curated=curated_ids,
                        wishlist_url=counter_card_url)
    app.register_blueprint(content_views.bp)
    # content's previews show the landing page, which belongs to shopper.
    from qrshop.content import preview as content_preview
    from qrshop.shopper.preview import preview_html

    content_preview.provide(preview_html)
    app.register_blueprint(catalog_views.bp)
    # catalog's listing workflows write content's audit log and retire or count tags.
    from qrshop.catalog import hooks as catalog_hooks
    from qrshop.content.services import audit
    from qrshop.tags.queries import active_tag_count
    from qrshop.tags.services import retire_listing_tags

    catalog_hooks.provide(audit=audit, retire_listing_tags=retire_listing_tags,
                          active_tag_count=active_tag_count)
    app.register_blueprint(listing_views.bp)
    csrf.exempt(webhooks_api.bp)
    app.register_blueprint(webhooks_api.bp)
    app.register_blueprint(webhooks_views.bp)
    app.register_blueprint(assist_views.bp)


def _register_request_lifecycle(app: Flask) -> None:
    """The request commits once at the end; a 4xx, a 5xx or an exception rolls back.

    A refused form or call never leaves something half-stored. The few 4xx answers that
    must store something opt in with keep_writes_on_error() (the scan handler, which
    commits every scan as soon as it is written, commits an unknown code's orphan scan too).
    """
    from qrshop.extensions import db
    from qrshop.web import refuse_hostile_json, refuse_nul_characters, writes_kept_on_error

    app.before_request(refuse_nul_characters)
    app.before_request(refuse_hostile_json)

    @app.after_request
    def commit_session(response):
        if not db.session().in_transaction():
            return response  # nothing read or written since the last commit
        if response.status_code >= 500 or (response.status_code >= 400
                                           and not writes_kept_on_error()):
            db.session.rollback()
        else:
            db.session.commit()
        return response
