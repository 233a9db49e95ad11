"""Recordings: interviews uploaded encrypted as they stream in, and played back with seeking."""

from flask import Blueprint

bp = Blueprint("recordings", __name__)

from . import routes  # noqa: E402,F401
