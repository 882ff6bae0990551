"""The vendor portal's range import: products and page content from a CSV and an images
ZIP (checked with a preview, then all or nothing), and "submit all" (content.range_import)."""

from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.catalog.imports import read_csv
from qrshop.content import range_import, vendor_status
from qrshop.content.blueprint import bp
from qrshop.errors import InvalidInput
from qrshop.extensions import limiter
from qrshop.web import refused


def _zip_bytes() -> bytes:
    upload = request.files.get("images")
    return upload.read() if upload is not None and upload.filename else b""


@bp.route("/vendor/products/import-content", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
@limiter.limit("30/minute", methods=["POST"])
def import_range():
    """Check a CSV (and images ZIP) and show every row; import only a clean, confirmed file."""
    rows, text, zip_sha, status = None, "", "", 200
    if request.method == "POST":
        confirming = request.form.get("action") == "import"
        try:
            if confirming:
                text = request.form.get("csv_text", "")
                data = _zip_bytes()
                if request.form.get("zip_sha256", "") != hashlib.sha256(data).hexdigest() \
                        and (data or request.form.get("zip_sha256")):
                    raise InvalidInput("Choose the same images ZIP you checked.",
                                       status_code=400)
                drafts = range_import.import_range(current_user.vendor, current_user, text,
                                                   range_import.read_zip(data))
                flash(f"Imported {len(drafts)} products with draft content. Check them, then "
                      "submit them all.", "info")
                return redirect(url_for("content.import_range"))
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                raise InvalidInput("Choose a CSV file.", status_code=400)
            text = read_csv(upload.read())
            data = _zip_bytes()
            zip_sha = hashlib.sha256(data).hexdigest() if data else ""
            rows = range_import.check_range(current_user.vendor, text,
                                            range_import.read_zip(data))
        except range_import.RowErrors as error:
            rows, status = error.bad, refused(error)
        except InvalidInput as error:
            status = refused(error)
    errors = sum(1 for row in rows or [] if row.error)
    return render_template("vendor/range_import.html", rows=rows, text=text, errors=errors,
                           zip_sha=zip_sha, hint=range_import.COLUMNS_HINT), status


@bp.post("/vendor/products/submit-all")
@roles_required(Role.VENDOR)
def submit_all_drafts():
    """Submit the newest draft of every product to its retailers; say which could not go."""
    submitted, not_sent = range_import.submit_drafts(current_user.vendor, current_user)
    flash(f"Submitted {len(submitted)} draft(s) for review.", "info")
    for reason in not_sent[:20]:
        flash(f"Not submitted: {reason}", "error")
    if len(not_sent) > 20:
        flash(f"… and {len(not_sent) - 20} more not submitted.", "error")
    return redirect(url_for("content.import_range"))


@bp.get("/vendor/content")
@roles_required(Role.VENDOR)
def vendor_content_status():
    """What needs the vendor: products without live content per retailer, changes
    requested, and what is pending review."""
    return render_template("vendor/content_status.html",
                           status=vendor_status.content_status(current_user.vendor_id))
