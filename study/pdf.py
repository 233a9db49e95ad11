"""The PDFs of the whole app: a Jinja template under templates/pdf/, laid out by WeasyPrint.

This is the only module that imports WeasyPrint; the rest of the app asks for a document by
template name and plain values (a frozen version's document, never ORM objects) and gets bytes.
WeasyPrint reaches nothing but the package's own fonts and stylesheet: every URL it meets goes
through `AssetFetcher`, which serves `pdf-asset:` URLs from study/static/ and refuses the rest,
so nothing a user writes into a document can make the server read a file or open a connection.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import re
import threading
from collections.abc import Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

from babel import Locale
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel.speaklater import LazyString
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = [
    "ASSET_PREFIX",
    "AssetFetcher",
    "AssetRefusedError",
    "asset_path",
    "render_html",
    "render_pdf",
]

#: The one kind of URL WeasyPrint is served: `pdf-asset:fonts/DejaVuSans.ttf` is
#: study/static/fonts/DejaVuSans.ttf.
ASSET_PREFIX = "pdf-asset:"
STATIC_ROOT = Path(__file__).resolve().parent / "static"
STYLESHEET_URL = ASSET_PREFIX + "pdf.css"
# Relative URLs in a document resolve against this and so never reach a file or a host.
BASE_URL = ASSET_PREFIX
# What may be served: fonts and stylesheets, nothing else that happens to lie in static/.
_CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".ttf": "font/ttf"}
# A path segment: no empty, "." or ".." segment, no hidden file, no escapes or query.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_-]+")
# Values a template may be given; containers and dataclasses of them are checked inside.
_PLAIN_SCALARS = (
    str,
    int,
    float,
    Decimal,
    date,
    time,
    timedelta,
    UUID,
    Enum,
    LazyString,
    type(None),
)


class AssetRefusedError(ValueError):
    """A URL the PDF renderer does not serve."""


def asset_path(url: str) -> Path:
    """Return the font or stylesheet under study/static/ a pdf-asset: URL names, or refuse it."""
    if not url.startswith(ASSET_PREFIX):
        raise AssetRefusedError(f"PDFs load only {ASSET_PREFIX} URLs, not {url[:80]!r}")
    name = url.removeprefix(ASSET_PREFIX)
    if not all(_SEGMENT.fullmatch(segment) for segment in name.split("/")):
        raise AssetRefusedError(f"not an asset name: {name[:80]!r}")
    path = STATIC_ROOT / name
    if path.suffix not in _CONTENT_TYPES:
        raise AssetRefusedError(f"PDFs load only fonts and stylesheets, not {name!r}")
    # A symbolic link inside static/ must not lead out of it either.
    resolved = path.resolve()
    if not resolved.is_relative_to(STATIC_ROOT) or not resolved.is_file():
        raise AssetRefusedError(f"no such asset: {name!r}")
    return resolved


class AssetFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for the app: the package's fonts and stylesheets, nothing else."""

    def __init__(self) -> None:
        # The base class's opener is never used (fetch below replaces it); should a later
        # WeasyPrint reach it anyway, it allows no scheme it could open and no redirect.
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the asset a pdf-asset: URL names; raise AssetRefusedError for any other URL."""
        path = asset_path(url)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": _CONTENT_TYPES[path.suffix]}
        )


@dataclasses.dataclass(frozen=True)
class _Engine:
    fetcher: AssetFetcher
    fonts: FontConfiguration
    stylesheet: CSS


# WeasyPrint does not promise that one font configuration may lay out two documents at once;
# PDFs are rare enough that one at a time per process costs nothing noticeable.
_RENDER_LOCK = threading.Lock()


@functools.cache
def _engine() -> _Engine:
    """Load the fonts and the stylesheet once per process (the slow part of a first render)."""
    fetcher = AssetFetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(url=STYLESHEET_URL, url_fetcher=fetcher, font_config=fonts)
    return _Engine(fetcher, fonts, stylesheet)


# The font configuration copies the fonts into a temporary folder that it removes when it goes.
atexit.register(_engine.cache_clear)


def render_html(
    template: str, *, title: str, draft: bool, lang: str | None = None, **context: Any
) -> str:
    """Render templates/pdf/<template>.html, the HTML that render_pdf lays out."""
    if not _TEMPLATE_NAME.fullmatch(template):
        raise ValueError(f"not a PDF template name: {template!r}")
    _require_plain({"title": title, "draft": draft, "lang": lang, **context})
    interface = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    document = Locale.parse(lang.replace("_", "-"), sep="-") if lang else interface
    # The frame's words ("Page 1 of 2", "Draft") are in the document's language where the app
    # has it, else in the interface's: an untranslated catalog would give English msgids.
    frame = document if document.language in current_app.config["LANGUAGES"] else interface
    with force_locale(str(frame)):
        return render_template(
            f"pdf/{template}.html",
            title=title,
            draft=draft,
            lang=_language_tag(document),
            text_direction=document.text_direction,
            frame_lang=_language_tag(frame),
            frame_direction=frame.text_direction,
            **context,
        )


def render_pdf(
    template: str, *, title: str, draft: bool, lang: str | None = None, **context: Any
) -> bytes:
    """Render templates/pdf/<template>.html to PDF bytes (in an app or request context)."""
    html = render_html(template, title=title, draft=draft, lang=lang, **context)
    with _RENDER_LOCK:
        engine = _engine()
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=engine.fetcher)
        return document.write_pdf(stylesheets=[engine.stylesheet], font_config=engine.fonts)


def _language_tag(locale: Locale) -> str:
    """Return a locale as an HTML lang attribute, e.g. sv or sv-SE."""
    return str(locale).replace("_", "-")


def _require_plain(value: object, where: str = "context") -> None:
    """Refuse anything but plain values, so that no document is rendered from ORM objects."""
    if isinstance(value, _PLAIN_SCALARS):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _require_plain(key, f"{where} key")
            _require_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _require_plain(item, f"{where}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _require_plain(getattr(value, field.name), f"{where}.{field.name}")
    else:
        raise TypeError(
            f"{where} is a {type(value).__name__}: PDFs are rendered from plain values "
            "(a frozen version's document), not from ORM objects"
        )
