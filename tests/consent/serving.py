"""A real server for the concurrency tests and bench/respondent.py: gunicorn on a loopback port.

The app is started as a deployment starts it (`gunicorn -w N 'app:create_app()'`, no debug,
no testing, CSRF on, `__Host-` session cookie), configured only through the environment,
on an instance folder the caller shares with the process that seeds the database, so that
both use the same master key, audit key and vault folder.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from bs4 import BeautifulSoup

from study.config import ENVIRONMENT_SETTINGS

REPOSITORY = Path(__file__).resolve().parents[2]
SECRET_KEY = "concurrency-test-secret-key"
#: A rate limit that never stands in the way of many respondents behind one address.
NO_LIMIT = "1000000 per minute"
#: Outside debug mode the app sets this name; the cookie is Secure, but the server is plain HTTP.
SESSION_COOKIE = "__Host-session"


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn: its process (the master), port and log file."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        """Return the server's address, e.g. http://127.0.0.1:4711."""
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """Return what gunicorn and the app wrote to the log so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def errors(self) -> str:
        """Return the tracebacks and worker timeouts in the log, if any."""
        output = self.output()
        found = [m.start() for m in re.finditer(r"Traceback|WORKER TIMEOUT", output)]
        return output[found[0] :] if found else ""

    def stop(self) -> None:
        """Stop gunicorn gracefully; kill its process group if it does not end in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # The group is gunicorn's own (start_new_session): its master and workers.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def environment(instance: Path, database_url: str, port: int, **settings: str) -> dict[str, str]:
    """Return the server's environment: this one without the app's settings, then ours.

    The keys (INTERVJUSTUDIE_*) stay as they are, so the server uses the same ones as the
    process that seeds the database.
    """
    keep = {
        "INTERVJUSTUDIE_MASTER_KEY",
        "INTERVJUSTUDIE_RETIRED_MASTER_KEYS",
        "INTERVJUSTUDIE_AUDIT_KEY",
    }
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ENVIRONMENT_SETTINGS or name in keep
    }
    env.update(
        INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        EXTERNAL_URL=f"http://127.0.0.1:{port}",
        RESPONDENT_LINK_RATE_LIMIT=NO_LIMIT,
        **settings,
    )
    return env


def start(
    instance: Path,
    database_url: str,
    log: Path,
    *,
    workers: int = 2,
    ready_within: float = 30.0,
    **settings: str,
) -> Server:
    """Start gunicorn with `workers` sync workers and wait until it answers /health.

    :raises RuntimeError: with the server's log, if it exits or does not answer in time.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "app:create_app()",
    ]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY,
            env=environment(instance, database_url, port, **settings),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        _wait_until_ready(server, ready_within)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.process.returncode}:\n{server.output()}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /health within {seconds:g} s:\n{server.output()}")


def cookie_jar(server: Server) -> aiohttp.CookieJar:
    """Return a browser-like cookie jar that keeps the Secure session cookie on plain HTTP.

    The loopback address stands in for the HTTPS origin of a deployment.
    """
    return aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[server.base])


def session_cookie(jar: aiohttp.CookieJar) -> str:
    """Return the value of the app's session cookie in the jar."""
    for cookie in jar:
        if cookie.key == SESSION_COOKIE:
            return cookie.value
    raise LookupError("no session cookie in the jar")


def form_fields(html: str, action: str | None = None) -> dict[str, str]:
    """Return what a browser would send from a POST form of the page, every box ticked.

    The form is the first whose action ends with `action` (given), else the page's last POST
    form (the staff pages' first is the log-out button in the header). Hidden and filled-in inputs keep their values, checkboxes are ticked, a select takes its
    selected (or first) option, a radio group its checked choice; buttons and file inputs
    are left out.
    """
    forms = [
        form
        for form in BeautifulSoup(html, "html.parser").find_all("form")
        if (form.get("method") or "").lower() == "post"
        and (action is None or (form.get("action") or "").endswith(action))
    ]
    if not forms:
        raise LookupError(f"no POST form{f' to {action}' if action else ''} on the page")
    form = forms[0] if action else forms[-1]
    fields: dict[str, str] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name:
            continue
        kind = (element.get("type") or "text").lower()
        if element.name == "select":
            options = element.find_all("option")
            chosen = next(
                (o for o in options if o.has_attr("selected")), options[0] if options else None
            )
            if chosen is not None:
                fields[name] = chosen.get("value", chosen.get_text())
        elif element.name == "textarea":
            fields[name] = element.get_text()
        elif kind == "checkbox":
            fields[name] = element.get("value", "y")
        elif kind == "radio":
            if element.has_attr("checked"):
                fields[name] = element.get("value", "on")
        elif kind not in ("submit", "button", "file", "reset", "image"):
            fields[name] = element.get("value", "")
    return fields
