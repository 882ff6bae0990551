"""The SQLite files (database, WAL, shared memory) are private to qrshop's user, and staff
surfaces tell caches not to store them; public images keep their own caching."""

from __future__ import annotations

import os
import stat

import pytest

from qrshop import create_app
from qrshop.extensions import db
from tests.conftest import _test_config
from tests.factories import login, make_shop, make_user


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The usual umask 022, which would create files readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_database_its_wal_and_shm_are_created_0600(tmp_path, open_umask):
    database = tmp_path / "data" / "qrshop.sqlite3"
    app = create_app(_test_config(f"sqlite:///{database}", tmp_path / "content"))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert _mode(database) == 0o600
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "add", "ops@example.com", "--role", "admin",
                                 "--password-stdin"], input="violet kettle umbrella 42\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:  # the WAL and SHM exist while it is open
            connection.exec_driver_sql("SELECT count(*) FROM users").scalar()
            written = [path for path in (database, f"{database}-wal", f"{database}-shm")
                       if os.path.exists(path)]
            assert len(written) == 3
            assert {str(path): _mode(path) for path in written} == {
                str(path): 0o600 for path in written}
        db.engine.dispose()


def test_an_existing_world_readable_database_is_made_private(tmp_path, open_umask):
    database = tmp_path / "qrshop.sqlite3"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    create_app(_test_config(f"sqlite:///{database}", tmp_path / "content"))
    assert _mode(database) == 0o600


STAFF_PAGES = ["/console", "/console/tags", "/console/tags.csv", "/pos"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_and_csv_exports_are_not_stored_by_caches(client, path):
    shop = make_shop()
    user = make_user("merchandiser", retailer_slug=shop.retailer.slug)
    if path == "/pos":
        user = make_user("associate", retailer_slug="acme", store_code="NYC01")
    login(client, user.email)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/admin", "/vendor",
                                  "/api/v1/me", "/invitation/forged"])
def test_every_staff_answer_is_not_stored_even_a_refusal(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(client):
    from qrshop.accounts.services import create_api_token

    user = make_user("admin")
    _, token = create_api_token(user, "test")
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_qr_images_and_media_keep_their_own_caching(client):
    tag = make_shop().tag
    for path in (f"/tags/{tag.code}.png", f"/tags/{tag.code}.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
