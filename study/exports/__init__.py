"""Archive export: a study's material in one archive, encrypted to its owner's key or passphrase."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from . import routes  # noqa: E402,F401
