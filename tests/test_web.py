"""The shared view helpers (qrshop/web.py), through routes that use them."""

from __future__ import annotations

from tests.factories import login, make_retailer, make_store, make_user


def test_ids_outside_the_32_bit_range_are_simply_not_found(app, client):
    store = make_store(make_retailer("acme"), "NYC01")
    admin = make_user("admin")
    login(client, admin.email)
    assert client.get(f"/admin/stores/{store.id}/edit").status_code == 200
    for store_id in (0, 2**31, 2**31 + store.id, 2**63, 10**30):
        response = client.get(f"/admin/stores/{store_id}/edit")
        assert response.status_code == 404, store_id
        assert "No such store." in response.get_data(as_text=True)
    merch = make_user("merchandiser", retailer_slug="acme")
    console = app.test_client()
    login(console, merch.email)
    for path in ("/console/offers/{}", "/console/listings/{}"):
        assert console.get(path.format(2**31)).status_code == 404, path
