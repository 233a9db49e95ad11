"""Intervjustudie: an interview study from the ethics self-review to the thesis appendix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application (the test config overrides the instance config)."""
    # Imported here so that `python -m study.vault` and `python -m study.pseudonymize`
    # start without loading the web stack.
    from .factory import build_app

    return build_app(test_config)
