"""Browser fixtures: the app on a live local server and Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from ..conftest import require

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium reaches out to Google's hosts at start-up.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def buffered(app):
    """Wrap the app so that each response is read whole, and its files closed, before sending.

    The browser drops requests it no longer needs (a stylesheet when a page is left), and
    Werkzeug's development server then leaves the static file open until garbage collection,
    which the suite's warnings-as-errors turns into a failure of whatever test runs then.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app_config, app):
    """Serve the app on 127.0.0.1 on a free port for the length of a test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    """Launch headless Chromium, or skip with one clear line where there is none."""
    require(
        shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM),
        f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=QUIET_FLAGS
        )
        yield instance
        instance.close()


class ForeignRequests(list):
    """Requests any page made to a host other than the live server."""


@pytest.fixture
def page_factory(browser, live_server):
    """Open isolated browser contexts whose requests to other hosts are blocked and recorded."""
    contexts = []
    foreign = ForeignRequests()
    own_host = urlsplit(live_server).netloc

    def guard(route):
        if urlsplit(route.request.url).netloc != own_host:
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def new_page():
        context = browser.new_context(base_url=live_server, locale="sv-SE")
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()
    assert not foreign, f"pages requested other hosts: {foreign}"


def wait_for_outbox(app, count: int = 1, seconds: float = 10):
    """Wait until the outbox holds `count` messages and return the newest.

    Mail to visitors leaves after the response is closed, which can be a moment after the
    browser has already shown the next page.
    """
    import time

    deadline = time.monotonic() + seconds
    while len(app.extensions["outbox"]) < count:
        assert time.monotonic() < deadline, "no mail arrived"
        time.sleep(0.05)
    return app.extensions["outbox"][0]
