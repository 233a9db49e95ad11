"""Closing: what the letter promised about keeping and destroying, done on its date."""

from flask import Blueprint

bp = Blueprint("closing", __name__)

from . import routes  # noqa: E402,F401
