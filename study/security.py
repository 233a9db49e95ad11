"""Request-wide protection: sessions, idle timeout, headers, language and error pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, SecurityError

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
    # Same-origin: no address of ours reaches another host, and over HTTPS the CSRF check
    # (WTF_CSRF_SSL_STRICT) finds the referrer it requires on our own forms.
    "Referrer-Policy": "same-origin",
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


#: The answer to a request for a host the app does not serve (it has no pages to link to).
UNTRUSTED_HOST_TEXT = (
    "Fel adress: tjänsten svarar inte på det här värdnamnet.\n"
    "Wrong address: the service does not answer to this host name.\n"
)


#: The body shapes the app's forms take. JSON, XML, plain text or anything else is refused
#: with 400 before a form reads it, and so are file parts where a view takes no files.
FORM_BODY_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

#: A path segment that looks like a link token (new_token() makes 43 such characters).
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])")


def accepts_files(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as one that takes uploaded files (every other view refuses them)."""
    view.accepts_files = True  # type: ignore[attr-defined]
    return view


def mask_tokens(text: str) -> str:
    """Shorten every token-like path segment to its first four characters."""
    return _TOKEN_SEGMENT.sub(lambda m: m.group(0)[:4] + "…", text)


class TokenMaskingFilter(logging.Filter):
    """Keep link tokens (reset, invitation, confirmation) out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask tokens in the message and its arguments; never drop the record."""
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            # Gunicorn's access log passes its atoms as a mapping.
            record.args = {
                k: mask_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def select_locale() -> str:
    """Choose the interface language: the visitor's choice, else Swedish."""
    from flask import current_app, g

    # A respondent's pages speak the letter's language where the interface has it.
    chosen = g.get("respondent_locale") or session.get("lang")
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


def refuse_untrusted_host() -> None:
    """Answer 400 before anything else runs when the Host header is not one the app serves."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def refuse_unexpected_body() -> None:
    """Answer 400 to a body no form of this app takes, before any form reads it."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not request.mimetype:
        if request.content_length:
            abort(400)
        return
    if request.mimetype not in FORM_BODY_TYPES:
        abort(400)
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "streams_upload", False):
        # The view reads its body as it streams in (study/uploads.py); parsing it here would
        # spool a large file part to a temporary file.
        return
    if request.mimetype == "application/x-www-form-urlencoded" and not _decodes(
        request.get_data(cache=True)
    ):
        # Werkzeug keeps an escape that is not UTF-8 ("%FF") as literal text, where a form
        # would store it unnoticed: no browser sends that from our pages. (In a multipart
        # body, which only upload views take, bad bytes become U+FFFD, which forms refuse.)
        abort(400)
    if request.files and not getattr(view, "accepts_files", False):
        abort(400)


def _decodes(body: bytes) -> bool:
    """Tell whether a URL-encoded body is UTF-8 once its escapes are decoded."""
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    carries_token = bool(request.view_args and "token" in request.view_args)
    if carries_token or (current_user and current_user.is_authenticated):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def render_error(error: HTTPException):
    """Render an error page in the app's style and the visitor's language."""
    code = error.code or 500
    if isinstance(error, SecurityError) or request_ctx.url_adapter is None:
        # A Host header the app does not answer to: no URL can be built for it, so the
        # page is plain and names no host.
        return Response(UNTRUSTED_HOST_TEXT, code, mimetype="text/plain")
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


def _escaped_html(text: LazyString) -> Markup:
    """Return a lazy string as HTML: its text escaped, like any other string's."""
    return escape(str(text))


def escape_lazy_strings() -> None:
    """Make templates escape a lazy string's text, as they escape a plain string's.

    Flask-Babel's LazyString offers `__html__` returning its text as it is, so Jinja (and a
    flashed message, which Flask stores as Markup) takes it for safe HTML. A message such as
    "write the section “%(section)s”" carries what a user wrote; none of the app's messages
    holds markup, so every lazy string is escaped.
    """
    LazyString.__html__ = _escaped_html


def init_app(app: Flask) -> None:
    """Install the session, header and error handling."""
    escape_lazy_strings()
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    # Sessions are browser sessions (not "permanent": start_session never sets that), so
    # Flask-Login's strong mode really ends one whose address or browser has changed; the
    # 12-hour lifetime is enforced from "started_at" instead.
    login_manager.session_protection = "strong"
    # First of all: nothing, not even the rate limiter, should act on a foreign host.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.before_request(refuse_unexpected_body)
    app.before_request(enforce_idle_timeout)
    app.after_request(add_security_headers)
    app.context_processor(template_context)
    for code in ERROR_PAGES:
        if code != 500:
            app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)
    app.register_error_handler(500, render_internal_error)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenMaskingFilter) for f in logger.filters):
            logger.addFilter(TokenMaskingFilter())
