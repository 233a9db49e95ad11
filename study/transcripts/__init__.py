"""Transcripts: uploaded or typed, kept encrypted to the respondent's key, one version per save."""

from flask import Blueprint

bp = Blueprint("transcripts", __name__)

from . import routes  # noqa: E402,F401
