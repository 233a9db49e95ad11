"""Small helpers the views of every area share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .db import get_session
from .errors import UserError
from .forms import BaseForm


def render_form(template: str, form: BaseForm, **context: Any):
    """Render a page with a form; a refused submission answers 400 with its messages."""
    status = 400 if form.submitted_invalid else 200
    return render_template(template, form=form, **context), status


def show_user_error(form: BaseForm, error: UserError) -> None:
    """Put a service's refusal next to the field it concerns, or in the form's error summary."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def requested_version() -> tuple[int | None, bool]:
    """Return the version a document's page asks for (?version=N) and if it asks for the draft.

    A version that is not a number is not found (404).
    """
    asked = request.args.get("version")
    if asked is not None and not (asked.isascii() and asked.isdigit()):
        abort(404)
    return (int(asked) if asked else None), bool(request.args.get("draft"))


def file_response(data: bytes, mimetype: str, filename: str, *, attachment: bool = False):
    """Answer with a generated file: shown in the browser (a PDF), or saved (`attachment`)."""
    disposition = "attachment" if attachment else "inline"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def commit_change(change: Callable[[], object], done: str | None, back: str):
    """Run the change a button asked for, then go back to `back`.

    It is committed and `done` is said, or rolled back and the refusal is said; of two
    first changes at once (a double click, two co-authors) the other one counts.
    """
    db = get_session()
    try:
        change()
        db.commit()
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(back), 303
    except IntegrityError:
        db.rollback()
        flash(_("This was just done by another request."), "info")
        return redirect(back), 303
    if done:
        flash(done, "success")
    return redirect(back)
