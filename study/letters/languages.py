"""The languages a letter can be written in: their names, their direction, which are generated."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

#: Offered in the editor: Swedish and English (generated), then the first languages of
#: respondents the app's users commonly meet. Any other CLDR language code is accepted too.
OFFERED = (
    "sv", "en", "ar", "fa", "fa-AF", "ps", "ckb", "ku", "so", "ti", "am", "uk", "ru", "pl",
    "bs", "sr", "tr", "es", "fr", "de", "fi",
)  # fmt: skip


#: CLDR's codes that name no language.
_NO_LANGUAGE = {"und", "root"}


@lru_cache(maxsize=256)
def locale(code: str) -> Locale | None:
    """Return the locale of a language code, or None if CLDR does not know it."""
    if not (2 <= len(code) <= 12 and code.replace("-", "").isascii()):
        return None
    if not code.replace("-", "").isalnum() or code.split("-")[0].lower() in _NO_LANGUAGE:
        return None
    try:
        found = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return found


def tag(code: str) -> str | None:
    """Return a language code as the letter stores it ("SV" → "sv", "fa_af" → "fa-AF").

    None when the code names no language CLDR knows.
    """
    found = locale(code.strip().replace("_", "-")) if isinstance(code, str) else None
    return str(found).replace("_", "-") if found is not None else None


def valid(code: str) -> bool:
    """Tell whether a code is a language's, as the letter stores it (sv, ar, fa-AF …)."""
    return isinstance(code, str) and tag(code) == code


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
