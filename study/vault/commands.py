"""`flask --app app keys …`: master key rotation and a fresh key for the environment."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from .age import new_wrapping_key
from .keys import MasterKeyError, add_master_key, encode_key, remove_unused_keys
from .service import get_vault, keyring

keys_group = AppGroup("keys", help="Manage the master keys that seal every study's key.")


@keys_group.command("rotate")
def rotate_command() -> None:
    """Seal every study key with a new master key; file contents are not touched.

    With keys in instance/keys/, a new master key is created and the old one is deleted once
    no study key needs it. With INTERVJUSTUDIE_MASTER_KEY, the current key there is used
    and the retired keys are only read. Safe to run again after a crash.
    """
    try:
        ring = keyring()
        if ring.directory is not None:
            ring = add_master_key(ring)
            current_app.extensions["vault_keyring"] = ring
        with session_scope() as session:
            vault = get_vault(session)
            count = vault.rewrap_study_keys()
        with session_scope() as session:
            in_use = get_vault(session).master_key_ids_in_use()
        removed = remove_unused_keys(ring, in_use)
    except MasterKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{count} study keys sealed with master key {ring.current_id}.")
    if removed:
        click.echo(f"Removed master keys no longer in use: {', '.join(removed)}.")
    left = sorted(in_use - {ring.current_id})
    if left:
        click.echo(f"Still in use and kept: {', '.join(left)}.")


@keys_group.command("new-master")
def new_master_command() -> None:
    """Print a new random master key in the form INTERVJUSTUDIE_MASTER_KEY takes."""
    click.echo(encode_key(new_wrapping_key()))
