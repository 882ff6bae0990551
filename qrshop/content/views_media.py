"""Media files (public, content-addressed), the vendor's media library and its API."""

from __future__ import annotations

from typing import Optional

from flask import abort, flash, g, jsonify, request, send_file
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from qrshop import storage
from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.roles import Role
from qrshop.api.spec import ErrorBody, operation
from qrshop.api.views import bp as api_bp
from qrshop.content import library as media_library
from qrshop.content import media as media_files
from qrshop.content.blueprint import bp
from qrshop.content.models import Media
from qrshop.errors import InvalidInput
from qrshop.extensions import db

MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4",
             "pdf": "application/pdf"}


@bp.get("/media/<name>")
def media(name: str):
    """A stored file by its content-addressed name; never changes, so cached for a year."""
    path = storage.path_for(name)
    if path is None:
        abort(404, description="No such media file.")
    response = send_file(path, mimetype=MIMETYPES[name.rsplit(".", 1)[1]], conditional=True,
                         max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class UploadForm(FlaskForm):
    """One file to upload."""

    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])


class MediaOut(BaseModel):
    """A stored upload and its responsive variants."""

    model_config = ConfigDict(title="Media")

    id: int
    kind: str
    content_type: str
    url: str
    width: Optional[int]
    height: Optional[int]
    alt_text: str
    caption: str
    variants: list[dict]


class MediaText(BaseModel):
    """What shoppers' pages say about a file (plain text, up to 300 characters each)."""

    model_config = ConfigDict(title="MediaText", extra="forbid")

    alt_text: Optional[str] = Field(None, description="An image's alt text; required before "
                                    "a revision showing the image can be submitted.")
    caption: Optional[str] = Field(None, description="Shown under the image in galleries.")


def media_json(item: Media) -> dict:
    """The API shape of a media item."""
    return {
        "id": item.id, "kind": item.kind, "content_type": item.content_type,
        "url": f"/media/{item.filename}", "width": item.width, "height": item.height,
        "alt_text": item.alt_text, "caption": item.caption,
        "variants": [{"width": v.width, "format": v.extension, "url": f"/media/{v.filename}"}
                     for v in media_files.variants_of(item)],
    }


def library(vendor_id: int) -> list[Media]:
    """A media library (a vendor's, or a retailer's house vendor's), newest first."""
    return list(db.session.scalars(
        select(Media).where(Media.vendor_id == vendor_id).order_by(Media.id.desc())))


def upload_to_library(form: UploadForm, vendor_id: int) -> tuple[Optional[Media], int]:
    """Store the form's upload in a library: (the media, 200), or (None, the 4xx status)."""
    if not form.validate_on_submit():
        flash("; ".join(" ".join(errors) for errors in form.errors.values())
              or "The form expired; reload the page and try again.", "error")
        return None, 400
    upload = form.file.data
    try:
        item = media_files.ingest(upload.read(), upload.filename or "", vendor_id)
    except InvalidInput as error:
        flash(error.message, "error")
        return None, error.status_code
    flash(f"Uploaded {item.original_name or item.filename}.", "info")
    return item, 200


@api_bp.post("/media")
@api_roles_required(Role.VENDOR, scope="media:write")
@operation(summary="Upload an image, MP4 or PDF to the vendor's library", tags=("content",),
           multipart={"file": f"{media_files.UPLOAD_HINT}."},
           responses={201: (MediaOut, "Stored (images also resized)."),
                      413: (None, "Too large (bytes or pixels)."),
                      415: (None, "Not a supported kind of file.")})
def api_upload_media():
    """Store one upload for the token's vendor."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Send the file as multipart form field 'file'.", status_code=400,
                           code="bad_request")
    item = media_files.ingest(upload.read(), upload.filename or "", g.api_user.vendor_id)
    return jsonify(media_json(item)), 201


@api_bp.patch("/content/media/<int:media_id>")
@api_roles_required(Role.VENDOR, scope="media:write")
@operation(summary="Set a file's alt text and caption", tags=("content",), body=MediaText,
           responses={200: (MediaOut, "Changed; the fields not given keep their values."),
                      404: (ErrorBody, "not_found: no file of your library has this id."),
                      422: (ErrorBody, "too_long (over 300 characters) or not_an_image "
                                       "(alt text on a video or PDF).")})
def api_media_text(media_id: int, body: MediaText):
    """Set alt text and caption, as the media library page does."""
    item = media_library.owned_media(media_id, g.api_user.vendor_id)
    media_library.set_text(
        item, item.alt_text if body.alt_text is None else body.alt_text,
        item.caption if body.caption is None else body.caption)
    return jsonify(media_json(item))
