"""The moderation queue of shoppers' comments in the merchandiser's console."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qrshop.accounts.auth import roles_required
from qrshop.accounts.roles import Role
from qrshop.feedback import reviews
from qrshop.feedback.views import bp
from qrshop.pagination import page_number


@bp.get("/console/comments")
@roles_required(Role.MERCHANDISER)
def comment_queue():
    """Shoppers' comments waiting for approval (oldest first, 50 a page) and recent
    decisions."""
    pending = reviews.pending_comments(current_user.retailer_id,
                                       page=page_number(request.args.get("page")))
    decided = reviews.decided_comments(current_user.retailer_id)
    return render_template("console/comments.html", page=pending, decided=decided,
                           min_ratings=reviews.MIN_RATINGS_SHOWN)


@bp.post("/console/comments/<int:feedback_id>")
@roles_required(Role.MERCHANDISER)
def moderate_comment(feedback_id: int):
    """Approve or reject one comment (form field decision=approve|reject)."""
    decision = request.form.get("decision", "")
    try:
        feedback = reviews.moderate(current_user.retailer_id, feedback_id, decision,
                                    user=current_user)
    except LookupError:
        abort(404, description="No such comment on your items.")
    flash("Approved: shoppers see it on the item's page within seconds."
          if feedback.comment_status == "approved"
          else "Rejected: shoppers will not see it.", "info")
    return redirect(url_for("feedback.comment_queue", page=request.args.get("page") or None),
                    code=303)
