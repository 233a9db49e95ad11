"""Studies: the plan, the dashboard of life-cycle steps, members and invitations."""

from flask import Blueprint

bp = Blueprint("studies", __name__)

from . import routes  # noqa: E402,F401
