"""The review path: ethics steps submitted as frozen versions and decided by the supervisor."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from . import routes  # noqa: E402,F401
