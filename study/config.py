"""Configuration defaults and how the environment overrides them."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

#: Settings a deployment may set through the environment, with what each one does.
#: test_docs.py checks that the README documents every one of them.
ENVIRONMENT_SETTINGS: dict[str, str] = {
    "DATABASE_URL": "SQLAlchemy URL of the database (default: SQLite in instance/)",
    "SECRET_KEY": "key that signs sessions and CSRF tokens (default: generated into instance/)",
    "RATELIMIT_STORAGE_URI": "Flask-Limiter storage, e.g. redis://127.0.0.1:6379 (default: memory)",
    "MAIL_SERVER": "SMTP host; without it mail goes to the console and the admin's outbox",
    "MAIL_PORT": "SMTP port (default 25)",
    "MAIL_USERNAME": "SMTP user name, if the server wants a log-in",
    "MAIL_PASSWORD": "SMTP password",
    "MAIL_USE_TLS": "1 to use STARTTLS",
    "MAIL_SENDER": "From address of the mail the application sends",
    "IDLE_TIMEOUT_MINUTES": "minutes of inactivity before a session ends (default 30)",
    "EXTERNAL_URL": "base URL used in e-mailed links, e.g. https://intervju.example.se",
    "PROXY_HOPS": "number of reverse proxies in front of the app whose X-Forwarded-For/-Proto "
    "headers are trusted (default 0: none)",
    "SUPERVISOR_EMAIL_DOMAINS": "comma-separated e-mail domains (e.g. gu.se) whose addresses may "
    "create a supervisor account through a study's invitation; others need the administrator",
    "VAULT_PATH": "folder of the encrypted files (default: instance/vault)",
    "INTERVJUSTUDIE_MASTER_KEY": "master key (base64, 32 bytes) instead of instance/keys/; "
    "`flask --app app keys new-master` prints one",
    "INTERVJUSTUDIE_RETIRED_MASTER_KEYS": "comma-separated earlier master keys, "
    "kept only until `flask --app app keys rotate` has rewrapped every study key",
}

#: Secrets read where they are used, so that they never sit in app.config.
_READ_WHERE_USED = {"INTERVJUSTUDIE_MASTER_KEY", "INTERVJUSTUDIE_RETIRED_MASTER_KEYS"}


def default_config(instance_path: Path) -> dict[str, Any]:
    """Return the defaults, which the environment and the test config may override."""
    return {
        "DATABASE_URL": f"sqlite:///{instance_path / 'intervjustudie.sqlite'}",
        "SECRET_KEY": None,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "IDLE_TIMEOUT": timedelta(minutes=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        "RESET_RATE_LIMIT": "5 per minute;20 per hour",
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": False,
        "MAIL_SENDER": "Intervjustudie <noreply@localhost>",
        "EXTERNAL_URL": None,
        "PROXY_HOPS": 0,
        "SUPERVISOR_EMAIL_DOMAINS": "",
        "VAULT_BACKEND": "files",
        "VAULT_PATH": str(instance_path / "vault"),
        "PASSWORD_RESET_HOURS": 2,
        "INVITATION_DAYS": 14,
        "ARGON2_PARAMS": {},
        "BABEL_DEFAULT_LOCALE": "sv",
        "LANGUAGES": {"sv": "Svenska", "en": "English"},
    }


def from_environment() -> dict[str, Any]:
    """Read the documented settings that are set in the environment."""
    found: dict[str, Any] = {}
    for name in ENVIRONMENT_SETTINGS:
        value = os.environ.get(name)
        if value in (None, "") or name in _READ_WHERE_USED:
            continue
        if name in ("MAIL_PORT", "PROXY_HOPS"):
            found[name] = int(value)
        elif name == "MAIL_USE_TLS":
            found[name] = value.lower() in ("1", "true", "yes")
        elif name == "IDLE_TIMEOUT_MINUTES":
            found["IDLE_TIMEOUT"] = timedelta(minutes=int(value))
        else:
            found[name] = value
    return found


def instance_secret_key(instance_path: Path) -> str:
    """Return the session key kept in instance/, creating it (mode 0600) on first run."""
    path = instance_path / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
