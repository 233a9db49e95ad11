"""Shared column types and the registry of every area's table models."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Enum
from sqlalchemy.types import TypeDecorator

#: Modules that define table models, imported before metadata is used (Alembic, tests).
MODEL_MODULES = (
    "study.audit",
    "study.accounts.models",
    "study.studies.models",
    "study.review.models",
    "study.ethics.models",
    "study.guide.models",
    "study.letters.models",
    "study.appendices.models",
    "study.respondents.models",
    "study.consent.models",
    "study.recordings.models",
    "study.transcripts.models",
    "study.exports.models",
    "study.vault.models",
    "study.pseudonymize.models",
)


def import_all_models() -> None:
    """Import every module that defines tables so that SQLModel.metadata knows them all."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        """Store aware datetimes as naive UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        """Attach UTC to the stored naive value."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_column(enum: type[StrEnum], **kwargs: Any) -> Column:
    """Store an enumeration as its plain string values (no database-native enum type)."""
    return Column(
        Enum(
            enum,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
        nullable=False,
        **kwargs,
    )
