"""Content resources of the /api/v1 blueprint: media uploads for vendors' bulk tools."""

from __future__ import annotations

from typing import Optional

from flask import g, jsonify, request
from pydantic import BaseModel

from qrshop.accounts.auth import api_roles_required
from qrshop.accounts.models import Role
from qrshop.api.spec import operation
from qrshop.api.views import bp
from qrshop.content.media import save_upload
from qrshop.errors import InvalidInput


class MediaCreated(BaseModel):
    """A stored media item of the vendor's library."""

    id: int
    kind: str
    content_type: str
    width: Optional[int]
    height: Optional[int]
    url: str


@bp.post("/media")
@api_roles_required(Role.VENDOR)
@operation(
    summary="Upload an image (JPEG/PNG/WebP), MP4 video or PDF to the vendor's media library",
    tags=("content",),
    multipart={"file": "The file. Images are checked by decoding, EXIF is removed."},
    responses={201: (MediaCreated, "Stored; use the id in revisions."),
               413: (None, "Over the size or pixel limit."),
               415: (None, "Not an accepted type of file (or not what its name says).")},
)
def upload_media():
    """Store one uploaded file in the token's vendor library."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Send the file as multipart/form-data field 'file'.",
                           code="bad_request", status_code=400)
    media = save_upload(upload.read(), upload.filename or "", vendor=g.api_user.vendor)
    return jsonify(id=media.id, kind=media.kind, content_type=media.content_type,
                   width=media.width, height=media.height,
                   url=f"/media/{media.filename}"), 201
