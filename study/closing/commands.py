"""`flask --app app retention run`: destroy, on its date, what each letter promised to destroy."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from ..db import session_scope
from ..exports import services as exports
from ..models import utcnow
from ..studies.models import Study
from . import retention

retention_group = AppGroup("retention", help="Destroy what the letters promised, on their dates.")


@retention_group.command("run")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as on this date (YYYY-MM-DD) instead of today (UTC).",
)
def run_command(today: datetime | None) -> None:
    """Destroy keys and files of every study past its retention date; safe to run nightly.

    Each study is destroyed and committed on its own, so a failure in one leaves the
    others done; what went is written to the audit log and printed (counts only).
    """
    day = today.date() if today else utcnow().date()
    with session_scope() as session:
        ids = [study.id for study in retention.due(session, day)]
    for study_id in ids:
        with session_scope() as session:
            study = session.get(Study, study_id)
            assert study is not None
            counts = retention.destroy(session, study, day)
        what = ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "nothing"
        click.echo(f"Study {study_id}: destroyed {what}.")
    click.echo(f"{len(ids)} studies were past their retention date on {day.isoformat()}.")
    with session_scope() as session:
        removed = exports.sweep(session)
    if removed:
        click.echo(f"Removed {removed} export files past their time or left by a stopped export.")
    with session_scope() as session:
        missing = [study.id for study in retention.undated(session)]
    if missing:
        click.echo(
            "Studies whose approved self-review names no retention date (nothing is destroyed "
            f"for them until it does): {', '.join(map(str, missing))}."
        )
