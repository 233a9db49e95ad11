"""Outgoing e-mail: SMTP when configured; in development, the console and the admin's outbox."""

from __future__ import annotations

import logging
import smtplib
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from flask import Flask, current_app

from .models import utcnow

log = logging.getLogger(__name__)
OUTBOX_SIZE = 200


@dataclass(frozen=True)
class OutboxMessage:
    """A message kept in memory in development instead of being sent."""

    to: str
    subject: str
    body: str
    created_at: datetime


def smtp_configured(app: Flask | None = None) -> bool:
    """Tell whether mail leaves through an SMTP server."""
    return bool((app or current_app).config.get("MAIL_SERVER"))


def outbox_enabled(app: Flask | None = None) -> bool:
    """Tell whether mail goes to the console and the outbox: development without SMTP only.

    Messages hold log-in and reset links, so outside debug and testing they are never
    printed or kept, and a deployment without MAIL_SERVER sends nothing.
    """
    app = app or current_app
    return not smtp_configured(app) and (app.debug or app.testing)


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; return False, and log why (never what), if it could not go."""
    if outbox_enabled():
        # The outbox lives in memory and never in the database: its links are secrets.
        current_app.extensions["outbox"].appendleft(OutboxMessage(to, subject, body, utcnow()))
        print(f"--- mail to {to}: {subject}\n{body}\n---", flush=True)  # noqa: T201
        return True
    if not smtp_configured():
        log.error("mail not sent: MAIL_SERVER is not configured")
        return False
    try:
        _send_smtp(to, subject, body)
    except (smtplib.SMTPException, OSError) as error:
        log.error("mail not sent: %s from the SMTP server", type(error).__name__)
        return False
    return True


def _send_smtp(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    log.info("mail sent")


def outbox() -> list[OutboxMessage]:
    """Return the development outbox, newest first."""
    return list(current_app.extensions["outbox"])


def init_app(app: Flask) -> None:
    """Give the app its in-memory outbox."""
    app.extensions["outbox"] = deque(maxlen=OUTBOX_SIZE)
