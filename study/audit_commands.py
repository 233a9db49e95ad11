"""`flask --app app audit …`: check the audit log, and print its head for safekeeping."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import AppGroup

from .audit import AnchorError, current_head, format_head, read_anchor_text, verify_log
from .audit_key import AuditKeyError


class _HeadParam(click.ParamType):
    name = "head"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        head = read_anchor_text(value) if isinstance(value, str) else value
        if head is None:
            self.fail('expected "<id> <hash>" as `audit head` prints it', param, ctx)
        return head


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Inspect the audit log."""


@audit_group.command("verify")
@click.option(
    "--head",
    "heads",
    type=_HeadParam(),
    multiple=True,
    metavar='"ID HASH"',
    help='A head "<id> <hash>" printed earlier by `audit head`; the log must still hold it.',
)
def verify_command(heads: tuple[tuple[int, str], ...]) -> None:
    """Check the chain and its anchor; exit 1 and name the first bad entry if it is broken.

    With --head, the log must also still hold that entry unchanged, which shows entries cut
    off the end even when the anchor file was rewritten too.
    """
    from .db import session_scope

    try:
        with session_scope() as session:
            count, broken = verify_log(session, *heads)
    except (AnchorError, AuditKeyError) as error:
        raise click.ClickException(str(error)) from None
    if broken:
        raise click.ClickException(f"Audit log broken at entry {broken.event_id}: {broken.reason}.")
    click.echo(f"Audit log intact: {count} entries.")


@audit_group.command("head")
def head_command() -> None:
    """Print the newest entry as "<id> <hash>", to keep apart from this server.

    The chain is checked first. Kept elsewhere (mailed to the supervisor, say), the line lets
    `audit verify --head` show later that no entry up to it was changed or removed.
    """
    from .db import session_scope

    try:
        with session_scope() as session:
            head = current_head(session)
            # Checked against the very entry printed, which a writer cannot have moved past.
            _count, broken = verify_log(session, *([head] if head else []))
    except (AnchorError, AuditKeyError) as error:
        raise click.ClickException(str(error)) from None
    if broken:
        raise click.ClickException(f"Audit log broken at entry {broken.event_id}: {broken.reason}.")
    if head is None:
        raise click.ClickException("The audit log is empty: it has no head yet.")
    click.echo(format_head(head))
