"""Accounts: registration, log-in, log-out and password reset."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import routes  # noqa: E402,F401
