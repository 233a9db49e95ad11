"""A stranger registers in a real browser; the confirmation arrives over real SMTP."""

from __future__ import annotations

import email
import re
import time

import pytest
from playwright.sync_api import expect

PASSWORD = "mitt eget långa lösen"


@pytest.fixture
def app_config(app_config, smtp_server):
    """Mail leaves through the test's SMTP server instead of the outbox."""
    controller, _inbox = smtp_server
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "CONFIRMATION_RESEND_MINUTES": 0,
    }


def wait_for_mail(inbox, count: int = 1, seconds: float = 10):
    """Wait until the SMTP server has received `count` messages; return the newest."""
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, "no mail arrived"
        time.sleep(0.05)
    message = email.message_from_bytes(inbox.messages[count - 1].content)
    return message.get_payload(decode=True).decode(message.get_content_charset())


def log_in(page, password: str = PASSWORD):
    page.goto("/login")
    page.get_by_label("E-post").fill("nora@example.org")
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_a_new_account_logs_in_only_after_its_address_is_confirmed(
    app, page_factory, live_server, smtp_server
):
    _controller, inbox = smtp_server
    page = page_factory()
    page.goto("/register")
    page.get_by_label("Namn").fill("Nora Nilsson")
    page.get_by_label("E-post").fill("nora@example.org")
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.locator(".flash.info")).to_contain_text("nora@example.org")

    body = wait_for_mail(inbox)
    assert inbox.messages[0].rcpt_tos == ["nora@example.org"]
    link = re.search(r"https?://\S+/account/confirm/\S+", body).group(0)
    assert link.startswith(live_server)

    log_in(page)
    expect(page.locator(".error-summary")).to_contain_text("Bekräfta din e-postadress")
    page.goto("/studies")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()

    # Logging in unconfirmed sent a fresh link; the first one is void now.
    fresh = re.search(r"https?://\S+/account/confirm/\S+", wait_for_mail(inbox, 2)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Länken kan inte användas")).to_be_visible()
    page.goto(fresh)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Bekräfta").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()

    page.get_by_role("button", name=re.compile("Logga ut")).click()
    log_in(page)
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()
