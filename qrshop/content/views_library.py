"""The vendor portal's media library: grid, search, multi-file upload, alt text, captions,
replace and delete (the rules are in content.library)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.content import library as media_library
from qrshop.content import media as media_files
from qrshop.content.blueprint import bp
from qrshop.content.views_media import UploadForm
from qrshop.errors import InvalidInput
from qrshop.extensions import limiter
from qrshop.web import refused

MAX_FILES_AT_ONCE = 20


def _page(status: int = 200):
    q = request.args.get("q", "")[:100]
    kind = request.args.get("kind", "")
    if kind not in media_library.KIND_FILTERS:
        kind = ""
    vendor_id = current_user.vendor_id
    return render_template(
        "vendor/media.html", form=UploadForm(), upload_hint=media_files.UPLOAD_HINT,
        items=media_library.search(vendor_id, q, kind), q=q, kind=kind,
        uses=media_library.uses_by_media(vendor_id), max_files=MAX_FILES_AT_ONCE,
        alt_max=media_library.ALT_MAX), status


def _ingest_one(upload) -> tuple[dict, int]:
    """Check and store one uploaded file: (its JSON answer, status)."""
    try:
        item = media_files.ingest(upload.read(), upload.filename or "", current_user.vendor_id)
    except InvalidInput as error:
        return {"name": upload.filename or "", "error": error.code,
                "message": error.message}, error.status_code
    return {"name": upload.filename or "", "id": item.id, "kind": item.kind,
            "url": f"/media/{item.filename}", "edit": url_for("content.vendor_media_edit",
                                                               media_id=item.id)}, 201


@bp.route("/vendor/media", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
@limiter.limit("60/minute", methods=["POST"])
def vendor_media():
    """The vendor's media library; POST takes one or more files (the no-JavaScript path):
    each is checked on its own, the good ones are stored and every refusal is named."""
    if request.method == "GET":
        return _page()
    # CSRFProtect has already checked the token of every POST here.
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not uploads:
        flash("Choose one or more files to upload.", "error")
        return _page(400)
    if len(uploads) > MAX_FILES_AT_ONCE:
        flash(f"Upload at most {MAX_FILES_AT_ONCE} files at once.", "error")
        return _page(413)
    results = [_ingest_one(upload) for upload in uploads]
    stored = [answer["name"] for answer, status in results if status == 201]
    if stored:
        flash(f"Uploaded {', '.join(stored)}.", "info")
    for answer, status in results:
        if status != 201:
            flash(f"{answer['name']}: {answer['message']}", "error")
    if len(stored) < len(results):
        # Each file is its own upload, as with the JavaScript path: the good ones are kept
        # (200 commits them); with none stored the answer is the refusal.
        return _page(200 if stored else results[0][1])
    return redirect(url_for("content.vendor_media"))


@bp.post("/vendor/media/upload")
@roles_required(Role.VENDOR)
@limiter.limit("120/minute")
def vendor_media_upload():
    """One file of a multi-file upload (the page's script sends each on its own, with
    progress): 201 with the stored file, or the refusal as JSON."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error="bad_request", message="Send the file as form field 'file'."), 400
    answer, status = _ingest_one(upload)
    return jsonify(answer), status


@bp.route("/vendor/media/<int:media_id>", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def vendor_media_edit(media_id: int):
    """One file: its alt text and caption, where it is used, replace and delete."""
    item = media_library.owned_media(media_id, current_user.vendor_id)
    status = 200
    if request.method == "POST":
        try:
            media_library.set_text(item, request.form.get("alt_text", ""),
                                   request.form.get("caption", ""))
            flash(f"Saved the text of {item.original_name or item.filename}.", "info")
            back = request.form.get("next") == "library"
            return redirect(url_for("content.vendor_media") if back
                            else url_for("content.vendor_media_edit", media_id=item.id))
        except InvalidInput as error:
            status = refused(error)
    return _item_page(item, status)


def _item_page(item, status: int = 200):
    return render_template(
        "vendor/media_item.html", item=item, form=UploadForm(),
        uses=media_library.uses_by_media(current_user.vendor_id).get(item.id, []),
        variants=media_files.variants_of(item), alt_max=media_library.ALT_MAX), status


@bp.post("/vendor/media/<int:media_id>/delete")
@roles_required(Role.VENDOR)
def vendor_media_delete(media_id: int):
    """Remove a file no draft, pending or live revision uses (409 with the list otherwise)."""
    item = media_library.owned_media(media_id, current_user.vendor_id)
    name = item.original_name or item.filename
    try:
        media_library.delete_media(item)
    except InvalidInput as error:
        return _item_page(item, refused(error))
    flash(f"Deleted {name}.", "info")
    return redirect(url_for("content.vendor_media"))


@bp.post("/vendor/media/<int:media_id>/replace")
@roles_required(Role.VENDOR)
@limiter.limit("60/minute")
def vendor_media_replace(media_id: int):
    """Store a new file in place of this one: drafts switch to it, and a new draft is
    proposed where a live or pending revision uses the old one (live pages do not change)."""
    item = media_library.owned_media(media_id, current_user.vendor_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("Choose the new file.", code="bad_request", status_code=400)
        new, drafts = media_library.replace_media(item, upload.read(), upload.filename,
                                                  current_user)
    except InvalidInput as error:
        return _item_page(item, refused(error))
    summary = ", ".join(f"{d.product.name} revision {d.number}" for d in drafts)
    flash(f"Replaced with {new.original_name or new.filename}."
          + (f" Drafts using it now: {summary}; submit them for review." if drafts else ""),
          "info")
    return redirect(url_for("content.vendor_media_edit", media_id=new.id))
