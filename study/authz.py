"""Who may do what: the checks every view calls before it touches a study."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from .accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """Let only logged-in accounts with one of these roles through (others get 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


admin_required = role_required(Role.ADMIN)
student_required = role_required(Role.STUDENT)
