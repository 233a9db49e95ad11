"""The information letter and the consent form: generated, written per language, checked."""

from flask import Blueprint

bp = Blueprint("letters", __name__)

from . import consent_routes, document, routes  # noqa: E402,F401
