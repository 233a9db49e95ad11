"""The thesis appendices: which ones, in which order, under which titles; the bundle and DOCX."""

from flask import Blueprint

bp = Blueprint("appendices", __name__)

from . import routes  # noqa: E402,F401
