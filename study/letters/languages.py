"""The languages a letter can be written in: their names, their direction, which are generated."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

#: Offered in the editor: Swedish and English (generated), then the first languages of
#: respondents the app's users commonly meet. Any other CLDR language code is accepted too.
OFFERED = (
    "sv", "en", "ar", "fa", "fa-AF", "ps", "ckb", "ku", "so", "ti", "am", "uk", "ru", "pl",
    "bs", "sr", "tr", "es", "fr", "de", "fi",
)  # fmt: skip


@cache
def locale(code: str) -> Locale | None:
    """Return the locale of a language code, or None if CLDR does not know it."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def valid(code: str) -> bool:
    """Tell whether a code names a language (sv, ar, prs, pt-BR …)."""
    return (
        isinstance(code, str)
        and 2 <= len(code) <= 12
        and code.replace("-", "").isascii()
        and code.replace("-", "").isalnum()
        and locale(code) is not None
    )


def direction(code: str) -> str:
    """Return "rtl" or "ltr" for a language's script."""
    found = locale(code)
    return "rtl" if found is not None and found.text_direction == "rtl" else "ltr"


def native_name(code: str) -> str:
    """Return a language's name in itself ("svenska", "العربية")."""
    found = locale(code)
    return (found.display_name or code) if found is not None else code


def name(code: str) -> str:
    """Return a language's name in the interface's language, with its own name beside it."""
    found = locale(code)
    if found is None:
        return code
    shown = found.get_display_name(get_locale() or "en") or code
    own = native_name(code)
    return shown if own.casefold() == shown.casefold() else f"{shown} ({own})"


def offered() -> list[tuple[str, str]]:
    """Return the (code, name) choices of the language menu, those CLDR knows."""
    return [(code, name(code)) for code in OFFERED if locale(code) is not None]
