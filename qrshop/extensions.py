"""Flask extensions, created unbound and initialised in create_app()."""

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.dialects import postgresql, sqlite

from qrshop.db import Base, DriverConnection
from qrshop.security import client_address_key

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage: Redis when QRSHOP_REDIS_URL is set (shared by every node), else the app's database
# (shared by every worker and node on it): qrshop/ratelimit.py. Keys: docs/security.md.
limiter = Limiter(key_func=client_address_key, default_limits=[])


@limiter.request_filter
def _scan_is_never_limited() -> bool:
    """The scan path skips the limiter's bookkeeping at once (it is also @limiter.exempt):
    a tag must always open, and this is the busiest route."""
    return request.endpoint == "shopper.landing"


def session_driver() -> DriverConnection:
    """The session's connection as a DriverConnection: DriverStatements run in the request's
    transaction and are committed with it."""
    connection = db.session.connection()
    return DriverConnection(connection.connection, connection.dialect)


def insert_ignoring_duplicates(model, values: dict, index_elements: list[str]) -> int:
    """INSERT a row unless one with the same unique key exists (one statement, no race);
    return 1 if it was inserted, 0 if it existed (counted from RETURNING: not every driver
    reports the row count of an INSERT the ORM runs)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return len(db.session.execute(
        dialect.insert(model).values(**values).on_conflict_do_nothing(
            index_elements=index_elements)
        .returning(*model.__table__.primary_key.columns)
    ).all())
