"""The entry point: `flask --app app run` finds the application factory here."""

from study import create_app

__all__ = ["create_app"]
