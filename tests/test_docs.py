"""Docs as tests: every setting and every command is in the README."""

from __future__ import annotations

from pathlib import Path

from study.config import ENVIRONMENT_SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_environment_setting_is_documented():
    missing = [
        name for name in [*ENVIRONMENT_SETTINGS, "INSTANCE_PATH"] if f"`{name}`" not in README
    ]
    assert not missing


def test_every_cli_command_is_documented(app):
    commands = []
    for name, command in app.cli.commands.items():
        if name in ("run", "shell", "routes"):
            continue
        subcommands = getattr(command, "commands", None)
        commands += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    missing = [c for c in commands if f"flask --app app {c}" not in README]
    assert not missing


def test_the_readme_gives_the_two_commands():
    assert "make run" in README and "make test" in README
