"""Who may open which content page: every route against every role."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from qrshop.accounts.services import create_api_token
from qrshop.content.models import Review
from qrshop.content.services import create_draft, submit_revision
from qrshop.extensions import db
from tests.content.helpers import Scene, make_scene
from tests.content.images import image_bytes
from tests.factories import csrf_token, login, make_user

# Route -> the only role that may open it.
PORTAL_PAGES = {
    "/vendor/media": "vendor",
    "/vendor/products/{product}/revisions": "vendor",
    "/vendor/products/{product}/revisions/new": "vendor",
    "/vendor/revisions/{revision}": "vendor",
    "/vendor/revisions/{revision}/preview/{retailer}": "vendor",
    "/vendor/products/new": "vendor",
    "/vendor/products/import": "vendor",
    "/vendor/products/{product}/edit": "vendor",
    "/console/reviews": "merchandiser",
    "/console/reviews/{review}": "merchandiser",
    "/console/reviews/{review}/preview": "merchandiser",
    "/console/templates": "merchandiser",
    "/console/theme": "merchandiser",
}


@dataclass(frozen=True)
class World:
    """The scene, the ids the routes are formatted with, and the review at the other retailer."""

    scene: Scene
    ids: dict[str, int]
    other_review: Review


@pytest.fixture
def world(app):
    """The scene plus one submitted revision (so reviews exist) and an admin."""
    scene = make_scene()
    from qrshop.accounts.services import user_by_email

    vendor_user = user_by_email(scene.vendor_email)
    revision = create_draft(scene.product, vendor_user,
                            {"title": "Hello", "hero_image": str(scene.hero.id)})
    [review, other_review] = submit_revision(revision, vendor_user)
    db.session.commit()
    make_user("admin", "admin@qrshop.test")
    ids = {"product": scene.product.id, "revision": revision.id, "retailer": scene.retailer.id,
           "review": review.id}
    return World(scene, ids, other_review)


def _emails(scene):
    return {"vendor": scene.vendor_email, "merchandiser": scene.merch_email,
            "associate": scene.associate_email, "admin": "admin@qrshop.test"}


@pytest.mark.parametrize("route", PORTAL_PAGES)
def test_anonymous_users_are_sent_to_log_in(world, client, route):
    response = client.get(route.format(**world.ids))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["vendor", "merchandiser", "associate", "admin"])
@pytest.mark.parametrize("route", PORTAL_PAGES)
def test_each_role_opens_only_its_own_pages(world, client, route, role):
    login(client, _emails(world.scene)[role])
    response = client.get(route.format(**world.ids))
    assert response.status_code == (200 if PORTAL_PAGES[route] == role else 403)


@pytest.mark.parametrize("route", [r for r, role in PORTAL_PAGES.items() if role == "vendor"
                                   and "{" in r])
def test_a_vendor_cannot_open_another_vendors_product_or_revision(world, client, route):
    login(client, world.scene.rival_email)
    assert client.get(route.format(**world.ids)).status_code == 404


def test_a_vendor_cannot_change_or_submit_another_vendors_revision(world, client):
    login(client, world.scene.rival_email)
    token = csrf_token(client, "/vendor/media")
    edit = f"/vendor/revisions/{world.ids['revision']}"
    assert client.post(edit, data={"csrf_token": token, "title": "x"}).status_code == 404
    assert client.post(edit + "/submit", data={"csrf_token": token}).status_code == 404
    new = f"/vendor/products/{world.ids['product']}/revisions/new"
    assert client.post(new, data={"csrf_token": token, "title": "x"}).status_code == 404


def test_a_vendor_sees_only_its_own_media(world, client):
    login(client, world.scene.vendor_email)
    html = client.get("/vendor/media").get_data(as_text=True)
    assert "hero-shot.jpg" in html and "rival.jpg" not in html


def test_a_vendor_cannot_use_another_vendors_media(world, client):
    login(client, world.scene.vendor_email)
    path = f"/vendor/products/{world.ids['product']}/revisions/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "hero_image": str(world.scene.rival_image.id)})
    assert response.status_code == 400  # not one of the form's choices
    assert "rival.jpg" not in response.get_data(as_text=True)


def test_a_retailer_sees_only_reviews_of_products_it_carries(world, client):
    login(client, world.scene.other_merch_email)
    html = client.get("/console/reviews").get_data(as_text=True)
    assert f'data-review="{world.other_review.id}"' in html
    assert f'data-review="{world.ids["review"]}"' not in html
    assert client.get(f"/console/reviews/{world.ids['review']}").status_code == 404
    assert client.get(f"/console/reviews/{world.ids['review']}/preview").status_code == 404
    token = csrf_token(client, f"/console/reviews/{world.other_review.id}")
    response = client.post(f"/console/reviews/{world.ids['review']}",
                           data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 404


def test_vendor_preview_of_a_retailer_not_carrying_the_product_is_404(world, client):
    from tests.factories import make_retailer

    stranger = make_retailer("stranger")
    db.session.commit()
    login(client, world.scene.vendor_email)
    assert client.get(f"/vendor/revisions/{world.ids['revision']}/preview/{stranger.id}"
                      ).status_code == 404


def test_api_media_upload_is_for_vendor_tokens_only(world, client):
    from qrshop.accounts.services import user_by_email

    merch_token = create_api_token(user_by_email(world.scene.merch_email), "t")[1]
    db.session.commit()
    def files():
        return {"file": (io.BytesIO(image_bytes("PNG", size=(20, 20))), "a.png")}

    assert client.post("/api/v1/media", data=files()).status_code == 401
    response = client.post("/api/v1/media", data=files(),
                           headers={"Authorization": f"Bearer {merch_token}"})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_a_merchandiser_cannot_change_another_retailers_listing(world, client):
    login(client, world.scene.other_merch_email)
    token = csrf_token(client, "/console/templates")
    response = client.post(f"/console/listings/{world.scene.tag.listing_id}/template",
                           data={"csrf_token": token, "template": "look"})
    assert response.status_code == 404
    db.session.expire_all()
    assert world.scene.tag.listing.template is None
