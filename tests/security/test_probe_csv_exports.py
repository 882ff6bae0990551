"""CSV downloads a merchandiser opens in a spreadsheet: a cell typed by someone else (a
vendor's product name, a placement note) never runs as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

from qrshop.extensions import db
from tests.factories import login, make_retailer, make_store, make_tag, make_user, make_vendor

FORMULA = "=cmd|' /C calc'!A0"


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _shop_with_formulas(client):
    retailer = make_retailer()
    store = make_store(retailer, "NYC01")
    vendor = make_vendor()
    make_tag(retailer, store, vendor, name=FORMULA, placement="@SUM(A1:A9)")
    make_tag(retailer, store, vendor, name="+1-555-0100", placement="-2+3")
    make_tag(retailer, store, vendor, name="Trail Widget", placement="Aisle 4")
    db.session.commit()
    login(client, make_user("merchandiser", retailer_slug="acme").email)


def _cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows[1:] for cell in row]


def test_tag_list_csv_neutralises_formula_cells(client):
    _shop_with_formulas(client)
    cells = _cells(_rows(client.get("/console/tags.csv")))
    assert "'" + FORMULA in cells and "'@SUM(A1:A9)" in cells
    assert "'+1-555-0100" in cells and "'-2+3" in cells
    assert "Trail Widget" in cells and "Aisle 4" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_analytics_csvs_neutralise_formula_cells(client):
    _shop_with_formulas(client)
    for table in ("listings", "silent", "stores", "days", "hours", "orphans"):
        cells = _cells(_rows(client.get(f"/console/analytics/{table}.csv")))
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], table
    assert "'" + FORMULA in _cells(_rows(client.get("/console/analytics/listings.csv")))


def test_vendor_analytics_csv_neutralises_formula_cells(app, client):
    _shop_with_formulas(client)
    client = app.test_client()
    login(client, make_user("vendor", vendor_slug="widgetco").email)
    cells = _cells(_rows(client.get("/vendor/analytics.csv")))
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


def test_cli_tag_list_csv_neutralises_formula_cells(runner):
    # A vendor names the product; a merchandiser (or an import) types the placement.
    retailer = make_retailer()
    store = make_store(retailer, "NYC01")
    vendor = make_vendor()
    make_tag(retailer, store, vendor, name='=HYPERLINK("https://evil.example","Click")',
             placement="+cmd|' /C calc'!A0")
    make_tag(retailer, store, vendor, name="@SUM(A1:A9)", placement="-1+1")
    make_tag(retailer, store, vendor, name="Trail Widget", placement="\tAisle 4")
    db.session.commit()
    result = runner.invoke(args=["tags", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {row["product"] for row in rows} == {
        '\'=HYPERLINK("https://evil.example","Click")', "'@SUM(A1:A9)", "Trail Widget"}
    assert {row["placement"] for row in rows} == {
        "'+cmd|' /C calc'!A0", "'-1+1", "Aisle 4"}  # the tag keeps the note trimmed
    assert not [cell for row in rows for cell in row.values()
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # JSON is for scripts: values exactly as stored.
    stored = runner.invoke(args=["tags", "list", "--format", "json"]).output
    assert "=HYPERLINK" in stored and '"-1+1"' in stored


def test_numbers_written_by_qrshop_stay_numbers():
    from qrshop.spreadsheets import csv_text

    text = csv_text(["name", "count", "average"], [["-2+3", -1, -0.5], ["=1", 0, None]])
    assert text == "name,count,average\n'-2+3,-1,-0.5\n'=1,0,\n"


def test_a_semicolon_cannot_start_a_formula_cell_in_semicolon_locales(runner):
    # Excel in German or French splits a CSV on ";": what follows one in a product name is a
    # cell of its own there, so a formula start after a ";" is neutralised too.
    retailer = make_retailer()
    store = make_store(retailer, "BER01")
    make_tag(retailer, store, make_vendor(), name="Widget;=cmd|' /C calc'!A0",
             placement="Aisle 2")
    db.session.commit()
    result = runner.invoke(args=["tags", "list", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, line = result.output.splitlines()[:2]
    assert header == "code,url,retailer,store,sku,gtin,product,placement,status"
    semicolon_cells = list(csv.reader(io.StringIO(line), delimiter=";"))[0]
    assert len(semicolon_cells) == 2
    assert not [cell for cell in semicolon_cells if cell.lstrip('"')[:1] in ("=", "+", "-", "@")]
    assert [row["product"] for row in csv.DictReader(io.StringIO(result.output))] == [
        "Widget;'=cmd|' /C calc'!A0"]
