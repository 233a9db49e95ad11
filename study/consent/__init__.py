"""The respondent's side: a personal link, the letter, consent item by item, the receipt, withdrawal."""

from flask import Blueprint

bp = Blueprint("consent", __name__, url_prefix="/r")

from . import routes  # noqa: E402,F401
