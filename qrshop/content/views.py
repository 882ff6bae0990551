"""Content pages: media files and the vendor's library (page and API), the vendor's
revisions, the console's reviews and landing templates."""

from __future__ import annotations

from typing import Optional

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from qrshop import storage
from qrshop.accounts.auth import api_roles_required, roles_required
from qrshop.accounts.models import Retailer, Role
from qrshop.api.spec import operation
from qrshop.api.views import bp as api_bp
from qrshop.catalog.models import Listing, Product
from qrshop.content import media as media_files
from qrshop.content import services
from qrshop.content.forms import DecisionForm, RevisionForm, SubmitForm, TemplatesForm
from qrshop.content.models import AuditEntry, ContentRevision, Media, Review
from qrshop.content.templates import TEMPLATES
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.offers.landing import landing_engagement
from qrshop.recommend.services import complete_the_look
from qrshop.shopper.services import landing_page_for_preview
from qrshop.shopper.views import render_landing

bp = Blueprint("content", __name__)

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


# --- vendor media library and its API ------------------------------------------------------


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
    variants: list[dict]


def media_json(item: Media) -> dict:
    """The API shape of a media item."""
    return {
        "id": item.id, "kind": item.kind, "content_type": item.content_type,
        "url": f"/media/{item.filename}", "width": item.width, "height": item.height,
        "variants": [{"width": v.width, "format": v.extension, "url": f"/media/{v.filename}"}
                     for v in media_files.variants_of(item)],
    }


@bp.route("/vendor/media", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def vendor_media():
    """The vendor's media library: upload images, MP4s and PDFs; see what is stored."""
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                item = media_files.ingest(upload.read(), upload.filename or "",
                                    current_user.vendor_id)
            except InvalidInput as error:
                db.session.rollback()
                flash(error.message, "error")
                status = error.status_code
            else:
                flash(f"Uploaded {item.original_name or item.filename}.", "info")
                return redirect(url_for("content.vendor_media"))
        else:
            status = 400
    items = db.session.scalars(select(Media).where(Media.vendor_id == current_user.vendor_id)
                               .order_by(Media.id.desc())).all()
    return render_template("vendor/media.html", form=form, items=items), status


@api_bp.post("/media")
@api_roles_required(Role.VENDOR)
@operation(summary="Upload an image, MP4 or PDF to the vendor's library", tags=("content",),
           multipart={"file": "A JPEG, PNG or WebP image, an MP4 video or a PDF."},
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


def _refused(error: InvalidInput) -> int:
    """Undo the request's writes and show the message; return the status to answer with."""
    db.session.rollback()
    flash(error.message, "error")
    return error.status_code


def _library() -> list[Media]:
    return list(db.session.scalars(
        select(Media).where(Media.vendor_id == current_user.vendor_id).order_by(Media.id.desc())))


# --- Vendor: revisions ----------------------------------------------------------------------


def _own_product(product_id: int) -> Product:
    """The current vendor's product; another vendor's is 404, as if it did not exist."""
    product = db.session.get(Product, product_id)
    if product is None or product.vendor_id != current_user.vendor_id:
        abort(404, description="No such product.")
    return product


def _own_revision(revision_id: int) -> ContentRevision:
    """A revision of one of the current vendor's products."""
    revision = db.session.get(ContentRevision, revision_id)
    if revision is None or revision.product.vendor_id != current_user.vendor_id:
        abort(404, description="No such revision.")
    return revision


def _revision_form(data=None) -> RevisionForm:
    form = RevisionForm(data=data)
    library = _library()
    images = [(str(m.id), f"#{m.id} {m.original_name}") for m in library if m.kind == "image"]
    form.hero_image.choices = [("", "— none —")] + images
    form.gallery.choices = images
    form.video_media.choices = [("", "— none —")] + [
        (str(m.id), f"#{m.id} {m.original_name}") for m in library if m.kind == "video"]
    form.documents.choices = [(str(m.id), f"#{m.id} {m.original_name}") for m in library
                              if m.kind == "document"]
    return form


def _product_context(product: Product) -> dict:
    listings = services.carrying_listings(product.id)
    revisions = list(db.session.scalars(
        select(ContentRevision).where(ContentRevision.product_id == product.id)
        .order_by(ContentRevision.number.desc())))
    return {"product": product, "listings": listings, "revisions": revisions,
            "templates": TEMPLATES, "template_name_for": services.template_name_for}


@bp.get("/vendor/products/<int:product_id>/revisions")
@roles_required(Role.VENDOR)
def revisions(product_id: int):
    """A product's content revisions and each retailer's decision on them."""
    product = _own_product(product_id)
    return render_template("vendor/revisions.html", submit_form=SubmitForm(),
                           **_product_context(product))


@bp.route("/vendor/products/<int:product_id>/revisions/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_revision(product_id: int):
    """Start a draft, prefilled from the newest revision."""
    product = _own_product(product_id)
    context = _product_context(product)
    latest = context["revisions"][0] if context["revisions"] else None
    form = _revision_form(None if request.method == "POST" or latest is None
                          else services.revision_form_values(latest))
    status = 200
    if form.validate_on_submit():
        try:
            revision = services.create_draft(product, current_user, form.data)
        except InvalidInput as error:
            status = _refused(error)
        else:
            flash(f"Draft revision {revision.number} saved.", "info")
            return redirect(url_for("content.edit_revision", revision_id=revision.id))
    elif request.method == "POST":
        status = _form_errors(form)
    return render_template("vendor/revision_edit.html", form=form, revision=None,
                           **context), status


def _form_errors(form) -> int:
    flash("; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                    for name, errors in form.errors.items()), "error")
    return 400


@bp.route("/vendor/revisions/<int:revision_id>", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def edit_revision(revision_id: int):
    """Edit a draft; a submitted revision is shown read-only."""
    revision = _own_revision(revision_id)
    form = _revision_form(None if request.method == "POST"
                          else services.revision_form_values(revision))
    status = 200
    if request.method == "POST" and not revision.is_draft:
        flash(f"Revision {revision.number} was submitted and can no longer change; start a new "
              "draft instead.", "error")
        status = 409
    elif form.validate_on_submit():
        try:
            services.update_draft(revision, current_user, form.data)
        except InvalidInput as error:
            status = _refused(error)
        else:
            flash(f"Draft revision {revision.number} saved.", "info")
            return redirect(url_for("content.edit_revision", revision_id=revision.id))
    elif request.method == "POST":
        status = _form_errors(form)
    revision = _own_revision(revision_id)
    return render_template("vendor/revision_edit.html", form=form, revision=revision,
                           submit_form=SubmitForm(),
                           **_product_context(revision.product)), status


@bp.post("/vendor/revisions/<int:revision_id>/submit")
@roles_required(Role.VENDOR)
def submit_revision(revision_id: int):
    """Send a draft to every retailer carrying the product for review."""
    revision = _own_revision(revision_id)
    if not SubmitForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        reviews = services.submit_revision(revision, current_user)
    except InvalidInput as error:
        status = _refused(error)
        revision = _own_revision(revision_id)
        return render_template("vendor/revisions.html", submit_form=SubmitForm(),
                               **_product_context(revision.product)), status
    flash(f"Revision {revision.number} submitted to {len(reviews)} retailer(s) for review.",
          "info")
    return redirect(url_for("content.revisions", product_id=revision.product_id))


@bp.get("/vendor/revisions/<int:revision_id>/preview/<int:retailer_id>")
@roles_required(Role.VENDOR)
def vendor_preview(revision_id: int, retailer_id: int):
    """A revision exactly as shoppers at one carrying retailer would see it."""
    revision = _own_revision(revision_id)
    return _preview(revision, retailer_id)


def _preview(revision: ContentRevision, retailer_id: int):
    """Render the landing page with this revision live, offers and all, recording nothing."""
    listing = db.session.scalar(select(Listing).where(
        Listing.product_id == revision.product_id, Listing.retailer_id == retailer_id))
    if listing is None:
        abort(404, description="That retailer does not carry this product.")
    template = request.args.get("template") or None
    if template is not None and template not in listing.retailer.enabled_templates:
        abort(404, description="That template is not enabled for this retailer.")
    page = landing_page_for_preview(listing, revision, template=template)
    response = render_landing(page, landing_engagement(page, None),
                              recommendations=tuple(complete_the_look(listing.id, page.store_id)))
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


# --- Console: reviews -----------------------------------------------------------------------


def _merchandiser_review(review_id: int) -> Review:
    try:
        return services.review_for_merchandiser(review_id, current_user)
    except InvalidInput:
        abort(404, description="No such review.")


@bp.get("/console/reviews")
@roles_required(Role.MERCHANDISER)
def review_queue():
    """Submitted revisions waiting for this retailer's decision, and recent decisions."""
    reviews = services.review_queue(current_user, pending_only=False)
    return render_template("console/reviews.html",
                           pending=[r for r in reviews if r.status == "pending"],
                           decided=[r for r in reviews if r.status != "pending"][:50])


@bp.route("/console/reviews/<int:review_id>", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def review(review_id: int):
    """One review: the revision's content, a preview, and the decision form."""
    item = _merchandiser_review(review_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.decide_review(item, current_user, approve=form.decision.data == "approve",
                                   comment=form.comment.data or "")
        except InvalidInput as error:
            status = _refused(error)
            item = _merchandiser_review(review_id)
        else:
            flash("Approved: it is live on your pages now." if item.status == "approved"
                  else "Sent back to the vendor with your comment.", "info")
            return redirect(url_for("content.review_queue"))
    elif request.method == "POST":
        status = _form_errors(form)
    listing = db.session.scalar(select(Listing).where(
        Listing.product_id == item.revision.product_id, Listing.retailer_id == item.retailer_id))
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.revision_id == item.revision_id,
                                 or_(AuditEntry.retailer_id == item.retailer_id,
                                     AuditEntry.retailer_id.is_(None)))
        .order_by(AuditEntry.id)).all()
    return render_template("console/review.html", review=item, form=form, listing=listing,
                           templates=TEMPLATES, history=history), status


@bp.get("/console/reviews/<int:review_id>/preview")
@roles_required(Role.MERCHANDISER)
def console_preview(review_id: int):
    """The reviewed revision exactly as this retailer's shoppers would see it."""
    item = _merchandiser_review(review_id)
    return _preview(item.revision, item.retailer_id)


# --- Console: templates and theme -----------------------------------------------------------


def _retailer() -> Retailer:
    return db.session.get(Retailer, current_user.retailer_id)


@bp.route("/console/templates", methods=["GET", "POST"])
@roles_required(Role.MERCHANDISER)
def templates_page():
    """Enable landing templates, pick the default, and choose one per listing."""
    retailer = _retailer()
    form = TemplatesForm(data={"enabled": retailer.enabled_templates,
                               "default": retailer.default_template})
    form.enabled.choices = form.default.choices = [(t.name, t.label) for t in TEMPLATES.values()]
    status = 200
    if form.validate_on_submit():
        try:
            services.set_templates(retailer, current_user, form.enabled.data, form.default.data)
        except InvalidInput as error:
            status = _refused(error)
        else:
            flash("Templates saved.", "info")
            return redirect(url_for("content.templates_page"))
    elif request.method == "POST":
        status = _form_errors(form)
    retailer = _retailer()
    listings = db.session.scalars(select(Listing).join(Product).where(
        Listing.retailer_id == retailer.id).order_by(Product.name)).all()
    return render_template("console/templates.html", form=form, retailer=retailer,
                           listings=listings, templates=TEMPLATES), status


@bp.post("/console/listings/<int:listing_id>/template")
@roles_required(Role.MERCHANDISER)
def listing_template(listing_id: int):
    """Choose the template of one listing (empty: the retailer's default)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.retailer_id != current_user.retailer_id:
        abort(404, description="No such listing.")
    if not SubmitForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        services.set_listing_template(listing, current_user, request.form.get("template") or None)
    except InvalidInput as error:
        _refused(error)
    else:
        flash(f"{listing.product.name} now uses "
              f"{TEMPLATES[services.template_name_for(listing)].label}.", "info")
    return redirect(url_for("content.templates_page"))
