"""Request-wide protection: sessions, idle timeout, headers, language and error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import get_session
from .extensions import login_manager
from .models import utcnow

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(self)",
}

#: What each error page says, by status code; the title is also the page heading.
ERROR_PAGES = {
    400: (
        _l("The request could not be handled"),
        _l("Something in what was sent was not right. Go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("The page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This page cannot be used like that.")),
    413: (_l("Too large"), _l("What you sent is larger than the service accepts.")),
    429: (_l("Too many attempts"), _l("Wait a moment before you try again.")),
    500: (
        _l("Something went wrong"),
        _l("An error occurred on our side. Nothing you sent was saved. Try again in a while."),
    ),
}


def select_locale() -> str:
    """Choose the interface language: the visitor's choice, else Swedish."""
    from flask import current_app

    chosen = session.get("lang")
    return (
        chosen
        if chosen in current_app.config["LANGUAGES"]
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@login_manager.user_loader
def _load_user(identity: str):
    """Return the account a session belongs to, if it is still valid."""
    from .accounts.services import load_session_user

    return load_session_user(get_session(), identity)


def clear_session() -> None:
    """Forget everything in the session except the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def enforce_idle_timeout():
    """End a logged-in session that has been idle too long or has lasted too long."""
    from flask import current_app

    if not current_user.is_authenticated:
        return None
    now = utcnow()
    seen = session.get("seen_at")
    started = session.get("started_at")
    session["seen_at"] = now.isoformat()
    idle = bool(seen) and now - datetime.fromisoformat(seen) > current_app.config["IDLE_TIMEOUT"]
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    expired = not started or now - datetime.fromisoformat(started) > lifetime
    if idle or expired:
        logout_user()
        clear_session()
        if idle:
            flash(_("You were logged out after a period of inactivity."), "info")
        else:
            flash(_("Your session has ended. Please log in again."), "info")
        return redirect(
            url_for("accounts.login", next=request.full_path if request.method == "GET" else None)
        )
    return None


def add_security_headers(response):
    """Add the strict content policy and its companions to every response."""
    from flask import current_app

    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not (current_app.debug or current_app.testing):
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if current_user and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def render_error(error: HTTPException):
    """Render an error page in the app's style and the visitor's language."""
    code = error.code or 500
    title, message = ERROR_PAGES.get(code, ERROR_PAGES[400 if code < 500 else 500])
    if isinstance(error, CSRFError):
        message = _l(
            "The form had expired or was sent from elsewhere. Reload the page and try again."
        )
    return render_template("errors/error.html", code=code, title=title, message=message), code


def render_internal_error(error: Exception):
    """Roll back whatever was half done and show the 500 page."""
    from flask import g

    session_ = g.get("db_session")
    if session_ is not None:
        session_.rollback()
    title, message = ERROR_PAGES[500]
    return render_template("errors/error.html", code=500, title=title, message=message), 500


def template_context() -> dict:
    """Give every template the language choices and whether mail really leaves."""
    from flask import current_app

    from .mail import outbox_enabled

    return {
        "current_lang": select_locale(),
        "languages": current_app.config["LANGUAGES"],
        "outbox_enabled": outbox_enabled(),
    }


def init_app(app: Flask) -> None:
    """Install the session, header and error handling."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(enforce_idle_timeout)
    app.after_request(add_security_headers)
    app.context_processor(template_context)
    for code in ERROR_PAGES:
        if code != 500:
            app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)
    app.register_error_handler(500, render_internal_error)
