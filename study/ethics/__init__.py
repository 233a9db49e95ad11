"""The ethics self-review: questions, the rules that read the answers, and the wizard."""

from flask import Blueprint

bp = Blueprint("ethics", __name__)

from . import document, routes  # noqa: E402,F401
