"""Small helpers the views of every area share."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request

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
