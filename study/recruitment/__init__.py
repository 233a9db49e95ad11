"""The student's recruitment pages: the consent register, respondents, links, paper consent.

The domain (respondents, links, the register) lives in study/respondents; these are its
pages. The blueprint keeps the name "respondents", which its addresses and endpoints carry.
"""

from flask import Blueprint

bp = Blueprint("respondents", __name__)

from . import paper_routes, routes  # noqa: E402,F401
