"""Small helpers the views of every area share."""

from __future__ import annotations

from typing import Any

from flask import render_template

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
