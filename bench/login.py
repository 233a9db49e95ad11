"""Log-in, registration and reset answer as fast for an address with an account as without.

    .venv/bin/python bench/login.py [--requests 50]

Serves the app on a loopback port with production password hashing and mail through a
local SMTP server (aiosmtpd), and times whole HTTP requests from the outside, as a prober
would: for each form, the median of --requests requests naming addresses that have an
account and of as many naming addresses that do not, side by side. Each request names a
fresh address, so no per-address delay comes into play. Target: the two medians of every
form within 10% of each other (ratio 0.91-1.10).
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from aiosmtpd.controller import Controller  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from study import create_app, db  # noqa: E402
from study.accounts import services  # noqa: E402

PASSWORD = "ett långt och ovanligt lösen"
TARGET = 1.10
#: Seconds between requests: longer than sending one message to the local SMTP server.
PAUSE = 0.05


class Sink:
    """An SMTP handler that accepts and forgets every message."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(folder: Path, smtp_port: int):
    """Create the app as deployed, with rate limits out of the way of the measurement."""
    os.environ["INSTANCE_PATH"] = str(folder / "instance")
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "EXTERNAL_URL": "http://127.0.0.1",
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            **{
                name: "100000 per minute"
                for name in (
                    "LOGIN_RATE_LIMIT",
                    "RESET_RATE_LIMIT",
                    "REGISTER_RATE_LIMIT",
                    "ADDRESS_MAIL_RATE_LIMIT",
                )
            },
        }
    )
    db.upgrade(url)
    return app


def make_accounts(app, count: int) -> list[str]:
    """Create confirmed accounts; return their addresses."""
    addresses = [f"finns{n}@example.org" for n in range(count)]
    with app.test_request_context(), db.session_scope() as session:
        for address in addresses:
            services.create_user(
                session, email=address, name="Finns", password=PASSWORD, confirmed=True
            )
    return addresses


def timed_post(port: int, path: str, fields: dict[str, str]) -> float:
    """POST a form over a fresh connection; return seconds until the whole answer is read."""
    body = urllib.parse.urlencode(fields)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status >= 500:
        raise SystemExit(f"{path}: {response.status}")
    return elapsed


FORMS = {
    "log-in (wrong password)": (
        "/login",
        lambda address: {"email": address, "password": "fel men långt lösen"},
    ),
    "registration": (
        "/register",
        lambda address: {
            "name": "Ny Student",
            "email": address,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    ),
    "password reset": ("/password/forgot", lambda address: {"email": address}),
}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    n = args.requests
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    with tempfile.TemporaryDirectory() as folder:
        app = build(Path(folder), smtp.port)
        addresses = make_accounts(app, n * len(FORMS))
        known = {form: addresses[i * n : (i + 1) * n] for i, form in enumerate(FORMS)}
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.server_port
        print(f"{n} requests each, medians in ms; ratio = with account / without")
        print(f"{'form':<26}{'with account':>14}{'without':>10}{'ratio':>8}  target")
        worst = 0.0
        for form, (path, fields) in FORMS.items():
            timed_post(port, path, fields("uppvärmning@example.org"))  # warm-up
            with_account, without = [], []
            # Interleaved, in alternating order, so that drift on a noisy machine falls on both
            # alike; a pause lets mail sent after one response leave before the next request.
            for i in range(n):
                pair = [
                    (with_account, fields(known[form][i])),
                    (without, fields(f"saknas{form[:3]}{i}@example.org")),
                ]
                for times, data in pair if i % 2 else reversed(pair):
                    times.append(timed_post(port, path, data))
                    time.sleep(PAUSE)
            a, b = statistics.median(with_account), statistics.median(without)
            ratio = a / b
            worst = max(worst, ratio, 1 / ratio)
            verdict = "ok" if 1 / TARGET <= ratio <= TARGET else "OUTSIDE"
            print(f"{form:<26}{a * 1000:>14.1f}{b * 1000:>10.1f}{ratio:>8.2f}  {verdict}")
        server.shutdown()
        thread.join()
        app.extensions["db_engine"].dispose()
    smtp.stop()
    print(f"largest difference: {(worst - 1) * 100:.1f}% (target <= {(TARGET - 1) * 100:.0f}%)")


if __name__ == "__main__":
    main()
