"""`flask --app app keys …` (master key rotation and retirement) and `vault check`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from .age import new_wrapping_key
from .check import check_storage
from .keys import MasterKeyError, add_master_key, encode_key, remove_unused_keys
from .service import get_vault

keys_group = AppGroup("keys", help="Manage the master keys that seal every study's key.")


@keys_group.command("rotate")
def rotate_command() -> None:
    """Seal every study key with a new master key; file contents are not touched.

    With keys in instance/keys/, a new master key is created and made current; the old
    one stays until `keys retire`. With INTERVJUSTUDIE_MASTER_KEY, the key there becomes
    the sealing key and the retired keys are only read. Safe to run again after a crash.
    """
    try:
        with session_scope() as session:
            vault = get_vault(session)
            if vault.keyring.directory is not None:
                vault.keyring = add_master_key(vault.keyring)
                current_app.extensions["vault_keyring"] = vault.keyring
            count = vault.rewrap_study_keys()
            current_id = vault.keyring.current_id
    except MasterKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} study keys sealed with master key {current_id}.")
    click.echo(
        "Restart the application so that every worker uses the new key, then run "
        "`flask --app app keys retire` once no backup sealed under an old key is kept."
    )


@keys_group.command("retire")
def retire_command() -> None:
    """Delete the master key files in instance/keys/ that no study key needs any more."""
    try:
        with session_scope() as session:
            vault = get_vault(session)
            in_use = vault.master_key_ids_in_use()
            removed = remove_unused_keys(vault.keyring, in_use)
    except MasterKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Removed master keys: {', '.join(removed) or 'none'}.")
    kept = sorted(in_use - {vault.keyring.current_id})
    if kept:
        click.echo(f"Still sealing study keys, so kept: {', '.join(kept)}. Run `keys rotate`.")


@keys_group.command("new-master")
def new_master_command() -> None:
    """Print a new random master key in the form INTERVJUSTUDIE_MASTER_KEY takes."""
    click.echo(encode_key(new_wrapping_key()))


vault_group = AppGroup("vault", help="Look after the encrypted files.")


@vault_group.command("check")
@click.option(
    "--remove-orphans",
    is_flag=True,
    help="Delete stored files that no record refers to, and the temporary files of writes "
    "that never ended (both older than an hour).",
)
def check_command(remove_orphans: bool) -> None:
    """Check that every recorded file is present and unaltered; exit 1 if one is not."""
    app = current_app
    with session_scope() as session:
        report = check_storage(
            session,
            app.extensions["vault_storage"],
            backend=app.config["VAULT_BACKEND"],
            remove_orphans=remove_orphans,
        )
    click.echo(f"{report.checked} files checked.")
    for label, ids in (
        ("Missing", report.missing),
        ("Altered or cut", report.altered),
        ("Removed unrecorded", report.removed_orphans),
        ("Unrecorded (remove with --remove-orphans)", []
         if remove_orphans else report.orphans),
        ("Removed unfinished", report.removed_unfinished),
        ("Unfinished writes (remove with --remove-orphans)", []
         if remove_orphans else report.unfinished),
    ):  # fmt: skip
        if ids:
            click.echo(f"{label}: {', '.join(ids)}")
    if not report.ok:
        raise SystemExit(1)
