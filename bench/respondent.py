"""A respondent's letter page under load on gunicorn, beside /health on the same server.

    .venv/bin/python bench/respondent.py [--seconds 30] [--connections 50]

Starts the app as deployed (`gunicorn -w 2 'app:create_app()'`, as the concurrency tests
start it: tests/consent/serving.py) on SQLite in a temporary folder, or on PostgreSQL when
DATABASE_URL names a server (a fresh database there, dropped afterwards). Seeds a study that
may recruit and one respondent, opens their personal link once, and with the cookie of that
visit loads /r/letter from wrk with --connections connections for --seconds; then /health the
same way, the same-run reference for what the server and this machine do with a page that
does nothing. Prints p50, p99, requests/s and errors (socket errors and any answer but 200)
of both. Target: /r/letter's p99 under 250 ms, with no errors.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from study import create_app, db  # noqa: E402
from study.accounts import services as accounts  # noqa: E402
from study.accounts.models import Role  # noqa: E402
from study.ethics import services as ethics  # noqa: E402
from study.letters import consent_form  # noqa: E402
from study.letters import services as letters  # noqa: E402
from study.respondents import services as recruitment  # noqa: E402
from study.review import services as review  # noqa: E402
from study.review.models import Outcome  # noqa: E402
from study.studies import services as studies  # noqa: E402
from study.studies.models import MemberRole  # noqa: E402
from tests.conftest import quiet_answers  # noqa: E402
from tests.consent import serving  # noqa: E402

P99_TARGET_MS = 250
WORKERS = 2
PASSWORD = "ett långt och ovanligt lösen"

#: Counts every answer but 200 (a lost visit answers 303 or 404) and prints one line of figures.
WRK_SCRIPT = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do not_ok_total = not_ok_total + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format("FIGURES %d %d %d %d %d\\n",
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + not_ok_total))
end
"""


def recruiting_study(session, **given):
    """Create a student, a supervisor and a study that may recruit; return study and student.

    The self-review is answered quietly (`tests.conftest.quiet_answers`), with `given`.
    """
    student, supervisor = (
        accounts.create_user(session, email=e, name=n, password=PASSWORD, role=r, confirmed=True)
        for e, n, r in (
            ("student@example.org", "Sara Student", Role.STUDENT),
            ("handledare@example.org", "Hanna Handledare", Role.SUPERVISOR),
        )
    )
    study = studies.create_study(
        session,
        student,
        {
            "title": "Relationell välfärd",
            "purpose": "Att undersöka hur socialarbetare ser på relationer i välfärden.",
            "controller": "Exempeluniversitetet",
            "data_protection_officer": "dataskyddsombud@exempeluniversitetet.se",
        },
    )
    invitation, _token = studies.invite_member(
        session, study, student, supervisor.email, MemberRole.SUPERVISOR
    )
    studies.accept_invitation(session, invitation, supervisor)
    ethics.save_answers(
        session,
        study,
        student,
        {k: (a["value"], a["explanation"]) for k, a in quiet_answers(**given).items()},
    )
    letters.create(session, study, student, ["sv", "en"])
    consent_form.create(session, study, student)
    for step in ("ethics", "letter", "consent_form"):
        review.submit(session, study, student, step)
        review.decide(session, study, supervisor, step, outcome=Outcome.APPROVED)
    assert review.may_recruit(session, study), "the study may not recruit"
    return study, student


def seed(app) -> str:
    """Create a study whose letter and consent form are approved, and one respondent with a
    link; return the link's token."""
    with app.test_request_context(), db.session_scope() as session:
        study, student = recruiting_study(session)
        respondent = recruitment.add_respondent(
            session, study, student, code="IP1", name="Ida Persson"
        )
        return recruitment.issue_link(session, study, student, respondent)


def visit_cookie(server: serving.Server, token: str) -> str:
    """Open the link as the respondent would; return the Cookie header of the visit."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", f"/r/{token}")
        response = connection.getresponse()
        response.read()
        assert response.status == 303, f"the link answered {response.status}"
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == serving.SESSION_COOKIE:
                return f"{name}={rest.split(';', 1)[0]}"
    finally:
        connection.close()
    raise SystemExit("opening the link set no session cookie")


def get(server: serving.Server, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(
    server: serving.Server, path: str, cookie: str, script: Path, seconds: int, connections: int
) -> dict[str, float]:
    """Load the path from wrk; return p50 and p99 (ms), requests/s and errors."""
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        f"{server.base}{path}",
    ]
    ran = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_COOKIE": cookie},
    )
    line = next((x for x in ran.stdout.splitlines() if x.startswith("FIGURES ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no figures:\n{ran.stdout}\n{ran.stderr}")
    p50, p99, requests, duration, errors = (int(x) for x in line.split()[1:])
    return {
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "rate": requests / (duration / 1_000_000),
        "errors": errors,
        "requests": requests,
    }


def fresh_database(folder: Path) -> tuple[str, object]:
    """Return the URL of an empty database and a function that removes it afterwards."""
    configured = os.environ.get("DATABASE_URL")
    if not configured or configured.startswith("sqlite"):
        return f"sqlite:///{folder / 'bench.sqlite'}", lambda: None
    name = f"intervjustudie_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(configured, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(configured).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of each load (30)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    folder = Path(tempfile.mkdtemp(prefix="bench-respondent-"))
    instance = folder / "instance"
    os.environ["INSTANCE_PATH"] = str(instance)
    url, drop = fresh_database(folder)
    server = None
    try:
        db.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
        token = seed(app)
        app.extensions["db_engine"].dispose()
        server = serving.start(instance, url, folder / "gunicorn.log", workers=WORKERS)
        cookie = visit_cookie(server, token)
        status, page = get(server, "/r/letter", cookie)
        if status != 200:
            raise SystemExit(f"/r/letter answered {status} in the visit")
        script = folder / "count.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        # Warm-up: both workers load templates and open their database connections.
        for path in ("/r/letter", "/health"):
            load(server, path, cookie, script, 2, args.connections)
        letter = load(server, "/r/letter", cookie, script, args.seconds, args.connections)
        health = load(server, "/health", cookie, script, args.seconds, args.connections)
        errors = server.errors()
    finally:
        if server is not None:
            server.stop()
        drop()
        shutil.rmtree(folder, ignore_errors=True)

    database = make_url(url).get_backend_name()
    print(
        f"gunicorn, {WORKERS} sync workers, {database}; wrk, {args.connections} connections, "
        f"{args.seconds} s each; one respondent's visit cookie ({len(page) // 1024} KiB page)"
    )
    print(f"{'':<22}{'p50 ms':>9}{'p99 ms':>9}{'requests/s':>12}{'errors':>8}")
    for name, figures in (("/r/letter", letter), ("/health (reference)", health)):
        print(
            f"{name:<22}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
            f"{figures['rate']:>12.1f}{figures['errors']:>8d}"
        )
    met = letter["p99"] < P99_TARGET_MS and letter["errors"] == 0 and not errors
    print(
        f"target: /r/letter p99 under {P99_TARGET_MS} ms, no errors: {'MET' if met else 'NOT MET'}"
    )
    if errors:
        print(f"the server logged errors:\n{errors[:3000]}")


if __name__ == "__main__":
    main()
