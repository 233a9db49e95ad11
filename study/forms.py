"""The base form every form derives from: CSRF, and text that is safe to store."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

# Control characters other than tab and newlines, and the replacement character that
# invalid UTF-8 decodes to, are refused everywhere: PostgreSQL cannot store NUL, and a
# replacement character means the browser sent bytes that were not text.
_FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f", "\ufffd"}


class BaseForm(FlaskForm):
    """A CSRF-protected form that refuses control characters and broken text."""

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields, then refuse text no field may hold."""
        valid = super().validate(extra_validators)
        for field in self:
            if field.process_errors and any(str(v).strip() for v in field.raw_data or []):
                # A value that could not even be read ("12a" for a number) gets that one
                # message, not a second one from the validators that then saw no value.
                field.errors = list(field.process_errors)
            if isinstance(field.data, str) and not _FORBIDDEN.isdisjoint(field.data):
                field.errors = [
                    *field.errors,
                    _l("The text contains characters that are not allowed."),
                ]
                valid = False
        return valid

    @property
    def submitted_invalid(self) -> bool:
        """Tell whether the form was submitted and refused (the page answers 400 then)."""
        return self.is_submitted() and bool(self.errors)
