"""Helpers for URLs that come from the visitor."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

#: The largest id any table can hold on every supported database (PostgreSQL's integer).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: numbers beyond any id are simply not found (404), not a 500."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def external_url(endpoint: str, **values: str) -> str:
    """Build an absolute URL for a link sent by e-mail, from configuration only.

    EXTERNAL_URL names the service; without it (development only, see
    `config.trusted_hosts`) the request's host is used, which the trusted-hosts check has
    already limited to the loopback names.
    """
    base = current_app.config.get("EXTERNAL_URL") or (
        request.host_url if has_request_context() else "http://127.0.0.1:5000/"
    )
    return base.rstrip("/") + url_for(endpoint, **values)
