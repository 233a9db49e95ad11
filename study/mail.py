"""Outgoing e-mail: SMTP when configured, otherwise the console and the admin's outbox."""

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


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message; without SMTP, print it and keep it in the outbox.

    :raises smtplib.SMTPException: when the configured server refuses the message.
    """
    config = current_app.config
    if not smtp_configured():
        # Development only: the outbox holds links that are secrets in production,
        # which is why it lives in memory and never in the database.
        current_app.extensions["outbox"].appendleft(OutboxMessage(to, subject, body, utcnow()))
        print(f"--- mail to {to}: {subject}\n{body}\n---", flush=True)  # noqa: T201
        return
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
    log.info("mail sent: %s", subject)


def outbox() -> list[OutboxMessage]:
    """Return the development outbox, newest first."""
    return list(current_app.extensions["outbox"])


def init_app(app: Flask) -> None:
    """Give the app its in-memory outbox."""
    app.extensions["outbox"] = deque(maxlen=OUTBOX_SIZE)
