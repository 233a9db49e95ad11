"""Front page, language switch and the health check."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..urls import safe_next
from . import bp


@bp.get("/")
def index():
    """Show the welcome page, or a logged-in user's studies."""
    if current_user.is_authenticated:
        if current_user.role == "admin":
            return redirect(url_for("admin.users"))
        return redirect(url_for("studies.index"))
    return render_template("main/index.html")


@bp.get("/language/<code>")
def set_language(code: str):
    """Switch the interface language and go back to where the visitor was."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("main.index"))


@bp.get("/health")
def health():
    """Answer "ok" without touching the database: the process serves requests."""
    return Response("ok\n", mimetype="text/plain")
