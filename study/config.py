"""Configuration defaults and how the environment overrides them."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

#: Settings a deployment may set through the environment, with what each one does.
#: test_docs.py checks that the README documents every one of them.
ENVIRONMENT_SETTINGS: dict[str, str] = {
    "DATABASE_URL": "SQLAlchemy URL of the database (default: SQLite in instance/)",
    "SECRET_KEY": "key that signs sessions and CSRF tokens (default: generated into instance/)",
    "RATELIMIT_STORAGE_URI": "Flask-Limiter storage, e.g. redis://127.0.0.1:6379 (default: memory)",
    "RESPONDENT_LINK_RATE_LIMIT": "how often one IP address may open respondents' personal "
    "links (default: 30 per minute;300 per hour)",
    "RECORDING_MAX_BYTES": "the largest recording an upload may bring, in bytes (default 2 GiB)",
    "MAIL_SERVER": "SMTP host; without it mail goes to the console and the admin's outbox",
    "MAIL_PORT": "SMTP port (default 25)",
    "MAIL_USERNAME": "SMTP user name, if the server wants a log-in",
    "MAIL_PASSWORD": "SMTP password",
    "MAIL_USE_TLS": "1 to use STARTTLS",
    "MAIL_SENDER": "From address of the mail the application sends",
    "IDLE_TIMEOUT_MINUTES": "minutes of inactivity before a session ends (default 30)",
    "EXTERNAL_URL": "base URL of the service, e.g. https://intervju.example.se: e-mailed links "
    "are built from it, and only its host name is served (required outside debug mode)",
    "TRUSTED_HOSTS": "comma-separated further host names the app answers to besides "
    "EXTERNAL_URL's (e.g. an internal name for health checks)",
    "PROXY_HOPS": "number of reverse proxies in front of the app whose X-Forwarded-For/-Proto "
    "headers are trusted (default 0: none)",
    "SUPERVISOR_EMAIL_DOMAINS": "comma-separated e-mail domains (e.g. gu.se) whose addresses may "
    "create a supervisor account through a study's invitation; others need the administrator",
    "VAULT_PATH": "folder of the encrypted files (default: instance/vault)",
    "EXPORT_PATH": "folder of the archive exports, each encrypted to its owner's key or "
    "passphrase and deleted after 24 hours (default: instance/exports)",
    "SENSITIVE_DATA_FORBIDDEN": "1 where this university forbids sensitive personal data "
    "(GDPR art. 9) and data on criminal offences in student theses: such an answer in the "
    "self-review then blocks approval until it is changed",
    "INTERVJUSTUDIE_MASTER_KEY": "master key (base64, 32 bytes) instead of instance/keys/; "
    "`flask --app app keys new-master` prints one",
    "INTERVJUSTUDIE_RETIRED_MASTER_KEYS": "comma-separated earlier master keys, "
    "kept only until `flask --app app keys rotate` has rewrapped every study key",
    "INTERVJUSTUDIE_AUDIT_KEY": "the key (base64, 32 bytes) that seals the audit log's chain, "
    "instead of instance/keys/audit.key; kept with the master key, never in the database",
}

#: Secrets read where they are used, so that they never sit in app.config.
_READ_WHERE_USED = {
    "INTERVJUSTUDIE_MASTER_KEY",
    "INTERVJUSTUDIE_RETIRED_MASTER_KEYS",
    "INTERVJUSTUDIE_AUDIT_KEY",
}


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
        # Per visitor's IP address.
        "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        "RESET_RATE_LIMIT": "5 per minute;20 per hour",
        "REGISTER_RATE_LIMIT": "5 per minute;20 per hour",
        "INVITE_RATE_LIMIT": "10 per minute;60 per hour",
        # Opening a respondent's link, and mailing a receipt, per visitor's IP address.
        "RESPONDENT_LINK_RATE_LIMIT": "30 per minute;300 per hour",
        "RECEIPT_MAIL_RATE_LIMIT": "3 per hour",
        # Per e-mail address a form names: how often one mailbox can be sent anything.
        "ADDRESS_MAIL_RATE_LIMIT": "3 per hour;10 per day",
        # Per study and day (an author's mistake is fine; a phishing campaign is not).
        "INVITATIONS_PER_STUDY_PER_DAY": 20,
        # Respondents' personal links mailed per study and day.
        "RESPONDENT_MAILS_PER_STUDY_PER_DAY": 200,
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": False,
        "MAIL_SENDER": "Intervjustudie <noreply@localhost>",
        "EXTERNAL_URL": None,
        "TRUSTED_HOSTS": "",
        "PROXY_HOPS": 0,
        "SUPERVISOR_EMAIL_DOMAINS": "",
        "SENSITIVE_DATA_FORBIDDEN": False,
        "VAULT_BACKEND": "files",
        "VAULT_PATH": str(instance_path / "vault"),
        # Archive exports, encrypted to their owners, until downloaded and deleted.
        "EXPORT_PATH": str(instance_path / "exports"),
        "PASSWORD_RESET_HOURS": 2,
        "CONFIRMATION_HOURS": 48,
        "CONFIRMATION_RESEND_MINUTES": 10,
        "INVITATION_DAYS": 14,
        # How long a respondent's link works, and a visit it opens lasts.
        "RESPONDENT_LINK_DAYS": 180,
        # The largest recording an upload may bring.
        "RECORDING_MAX_BYTES": 2 * 1024**3,
        "RESPONDENT_VISIT_HOURS": 2,
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
        if name in ("MAIL_PORT", "PROXY_HOPS", "RECORDING_MAX_BYTES"):
            found[name] = int(value)
        elif name in ("MAIL_USE_TLS", "SENSITIVE_DATA_FORBIDDEN"):
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


#: The host names a development server answers to when EXTERNAL_URL is not set.
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1")


class ConfigurationError(click.ClickException):
    """A setting is missing or malformed; the message says which and what to set.

    A Click exception, so that a `flask --app app …` command prints it as one line.
    """


def trusted_hosts(config: Mapping[str, Any], *, development: bool) -> list[str]:
    """Return the host names the app answers to; any other Host header gets 400.

    Links in mail are built from EXTERNAL_URL, never from the request's Host header, so
    outside debug mode it must be set. In development without it, the app answers only
    on the loopback names it was started on.

    :raises ConfigurationError: when EXTERNAL_URL is missing outside debug mode or is not
        an absolute http(s) URL.
    """
    extra = [h.strip() for h in str(config.get("TRUSTED_HOSTS") or "").split(",") if h.strip()]
    base = config.get("EXTERNAL_URL")
    if not base:
        if not development:
            raise ConfigurationError(
                "EXTERNAL_URL is not set: outside debug mode the app needs the address it is "
                "served at, e.g. EXTERNAL_URL=https://intervju.example.se"
            )
        return [*DEVELOPMENT_HOSTS, *extra]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"EXTERNAL_URL must be an absolute http or https URL, not {base!r}"
        )
    return [parts.hostname, *extra]
