"""What each ethics step submits for review: its document, how it reads, what blocks it.

Every step that the supervisor approves (self-review, information letter, consent form,
interview guide) registers one `StepDocument` here, from its own area; the review path
freezes, shows, compares and renders documents only through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..studies.models import Study


@dataclass(frozen=True)
class Item:
    """One question or section of a document, as the reviewer reads and comments on it."""

    key: str
    label: str | LazyString
    text: str
    #: Warnings shown at this item (messages), e.g. what an answer implies.
    warnings: tuple[str | LazyString, ...] = ()
    #: A heading above a group of items (the section), or "".
    group: str | LazyString = ""


@dataclass(frozen=True)
class Blocker:
    """A warning that stops approval until the supervisor acknowledges it."""

    key: str
    message: str | LazyString
    #: False where only changing the document clears it (e.g. forbidden by the university).
    acknowledgeable: bool = True


@dataclass(frozen=True)
class StepDocument:
    """How one step's document is made, read and checked."""

    step: str
    #: The endpoint of the page where the document is written (takes study_id).
    edit_endpoint: str
    #: The current draft's document (plain JSON values).
    current: Callable[[Session, Study], dict]
    #: The items of a document, in reading order.
    items: Callable[[dict], list[Item]]
    #: Why a document cannot be submitted yet (empty when it can).
    incomplete: Callable[[dict], list[str | LazyString]] = field(default=lambda _d: [])
    #: What must be acknowledged before a document can be approved.
    blockers: Callable[[dict], list[Blocker]] = field(default=lambda _d: [])
    #: The endpoint of the document's PDF (takes study_id), if it has one.
    pdf_endpoint: str | None = None
    #: The words of the link to that PDF.
    pdf_label: str | LazyString = _l("Summary as PDF")


PROVIDERS: dict[str, StepDocument] = {}


def register(document: StepDocument) -> StepDocument:
    """Make a step's document known to the review path."""
    PROVIDERS[document.step] = document
    return document


def provider(step: str) -> StepDocument | None:
    """Return the document of a step under review, or None if there is none."""
    return PROVIDERS.get(step)
