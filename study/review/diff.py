"""Two versions of a document side by side, item by item, with what changed marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask_babel import LazyString
from markupsafe import Markup, escape

from .documents import Item, StepDocument

#: How many word pairs two texts may have before they are compared whole, not word by word.
WORD_PAIRS_LIMIT = 40_000


@dataclass(frozen=True)
class Change:
    """One item of a document in two versions."""

    key: str
    label: str | LazyString
    group: str | LazyString
    before: Markup
    after: Markup
    changed: bool


def compare(source: StepDocument, before: dict | None, after: dict) -> list[Change]:
    """Return the items of two documents side by side, in the newer one's order.

    Words that were removed are marked <del>, words that were added <ins>; an item only
    in the older document comes last.
    """
    old = {item.key: item for item in (source.items(before) if before is not None else [])}
    changes = []
    for item in source.items(after):
        previous = old.pop(item.key, None)
        changes.append(_change(item, previous))
    for item in old.values():
        changes.append(
            Change(item.key, item.label, item.group, escape(item.text), Markup(""), True)
        )
    return changes


def _change(item: Item, previous: Item | None) -> Change:
    before_text = previous.text if previous is not None else ""
    if before_text == item.text:
        shown = escape(item.text)
        return Change(item.key, item.label, item.group, shown, shown, False)
    removed, added = _mark_words(before_text, item.text)
    return Change(item.key, item.label, item.group, removed, added, True)


def _mark_words(before: str, after: str) -> tuple[Markup, Markup]:
    """Return both texts with the words only one of them has marked."""
    old, new = before.split(" "), after.split(" ")
    if len(old) * len(new) > WORD_PAIRS_LIMIT:
        # Comparing word by word grows fast with repeated words: a long answer is shown as
        # replaced whole, so that no answer can make the supervisor's page slow.
        return Markup("<del>%s</del>") % before, Markup("<ins>%s</ins>") % after
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        a, b = escape(" ".join(old[i1:i2])), escape(" ".join(new[j1:j2]))
        if tag == "equal":
            left.append(a)
            right.append(b)
            continue
        if i2 > i1:
            left.append(Markup("<del>%s</del>") % a)
        if j2 > j1:
            right.append(Markup("<ins>%s</ins>") % b)
    return Markup(" ").join(left), Markup(" ").join(right)
