"""Outgoing e-mail: SMTP when configured; in development, the console and the admin's outbox.

Mail text lives in templates/email/<name>.txt, one template per message with a `subject`
and a `body` block, rendered in the language of the request that sends it. Work that an
anonymous visitor's request causes (registration mail, finding an account and making its
reset link) runs on the app's mail thread after the response, so how long a request takes
says nothing about whether an address has an account.
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import smtplib
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from flask import Flask, after_this_request, current_app, g, request
from flask_babel import force_locale, get_locale

from .models import utcnow

log = logging.getLogger(__name__)
OUTBOX_SIZE = 200
#: How much of a text a person chose (a study title, a name) a message quotes at most.
QUOTE_LIMIT = 120
_SCHEME = re.compile(r"\b([a-z][a-z0-9+.-]*):/+", re.IGNORECASE)
#: Full stops of other scripts that some programs also read as a dot in a host name.
_IDEOGRAPHIC_STOPS = {0x3002: ".", 0xFF61: ".", 0xFE52: "."}
# A dot between two parts of a host name (a letter or digit before it, two letters after),
# or inside a numeric address (1.2.3.4).
_HOST_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_]{2})|(?<=\d)\.(?=\d+\.\d)|(?<=\d\.\d)\.(?=\d)")


#: A file sent with a message: its name, its media type and its bytes.
Attachment = tuple[str, str, bytes]


@dataclass(frozen=True)
class OutboxMessage:
    """A message kept in memory in development instead of being sent."""

    to: str
    subject: str
    body: str
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()


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


def send_mail(to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()) -> bool:
    """Send a plain-text message; return False, and log why (never what), if it could not go."""
    if outbox_enabled():
        # The outbox lives in memory and never in the database: its links are secrets.
        current_app.extensions["outbox"].appendleft(
            OutboxMessage(to, subject, body, utcnow(), tuple(attachments))
        )
        print(f"--- mail to {to}: {subject}\n{body}\n---", flush=True)  # noqa: T201
        return True
    if not smtp_configured():
        log.error("mail not sent: MAIL_SERVER is not configured")
        return False
    try:
        _send_smtp(to, subject, body, attachments)
    except (smtplib.SMTPException, OSError) as error:
        log.error("mail not sent: %s from the SMTP server", type(error).__name__)
        return False
    return True


def _send_smtp(to: str, subject: str, body: str, attachments: Sequence[Attachment]) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, media_type, data in attachments:
        maintype, subtype = media_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    log.info("mail sent")


def quoted(text: str) -> str:
    """Show text a user chose as a quotation no mail program turns into a link.

    Anyone can title a study "log in at http://phish.example/" and invite strangers: the
    title still reaches them, but as "http[:]//phish[.]example/", in quotation marks.
    """
    # Compatibility forms folded ("evil．com" is "evil.com"), format characters such as
    # right-to-left overrides dropped, white space made single spaces.
    text = unicodedata.normalize("NFKC", str(text)).translate(_IDEOGRAPHIC_STOPS)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    text = _SCHEME.sub(r"\1[:]//", text)
    text = _HOST_DOT.sub("[.]", text.replace("@", "[at]"))
    return f"“{text}”"


def compose(template: str, **context: object) -> tuple[str, str]:
    """Render templates/email/<template>.txt into its subject and body."""
    jinja = current_app.jinja_env.get_template(f"email/{template}.txt")
    rendered = jinja.new_context(vars=context)
    subject = "".join(jinja.blocks["subject"](rendered))
    body = "".join(jinja.blocks["body"](rendered))
    # A subject is one line whatever the template or the values in it hold.
    return " ".join(subject.split()), body.strip() + "\n"


def send_template(to: str, template: str, **context: object) -> bool:
    """Compose a message from its template and send it now; return whether it went."""
    return send_mail(to, *compose(template, **context))


def after_response(job: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run a mail job in the background once this request has answered.

    The job runs on the app's mail thread in a request context of its own, for this
    request's host and language, so it may build links, read the database and compose
    templates; the visitor's answer neither waits for it nor depends on what it finds.
    """
    pending = g.get("mail_jobs")
    if pending is None:
        pending = g.mail_jobs = []
        queue = current_app.extensions["mail_queue"]
        origin = (str(get_locale() or ""), request.host_url)

        @after_this_request
        def _queue(response):
            if response.status_code < 500:
                for queued in pending:
                    queue.put(queued, *origin)
            return response

    pending.append(functools.partial(job, *args, **kwargs))


def send_template_after_response(to: str, template: str, **context: object) -> None:
    """Send a message from its template once the response has gone to the visitor."""
    after_response(send_template, to, template, **context)


class MailQueue:
    """The app's mail thread: runs the jobs requests leave behind, one at a time, in order."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queue.Queue = queue.Queue()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, job: Callable[[], object], locale: str, base_url: str) -> None:
        """Queue a job to run for a request made in this language at this address."""
        with self._started:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mail", daemon=True)
                self._thread.start()
        self.jobs.put((job, locale, base_url))

    def wait(self) -> None:
        """Block until every queued job has run (tests, and a clean shutdown)."""
        self.jobs.join()

    def _run(self) -> None:
        while True:
            job, locale, base_url = self.jobs.get()
            try:
                with self.app.test_request_context(base_url=base_url), force_locale(locale):
                    job()
            except Exception:
                # Nothing about the message itself: it may hold a link.
                log.exception("a mail job failed")
            finally:
                self.jobs.task_done()


def outbox() -> list[OutboxMessage]:
    """Return the development outbox, newest first."""
    return list(current_app.extensions["outbox"])


def init_app(app: Flask) -> None:
    """Give the app its outbox, its mail thread and the mail templates their `quoted` filter."""
    app.extensions["outbox"] = deque(maxlen=OUTBOX_SIZE)
    app.extensions["mail_queue"] = MailQueue(app)
    app.jinja_env.filters["quoted"] = quoted
