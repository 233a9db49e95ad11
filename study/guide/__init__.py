"""The interview guide: sections, questions, probes, intro and closing scripts."""

from flask import Blueprint

bp = Blueprint("guide", __name__)

from . import document, routes  # noqa: E402,F401
