"""Consent form operations: generate its items, write them in each language, add the student's own.

The draft document: {"items": [{"key": …, "required": bool, "texts": {code: text}}],
"labels": {code: {label key: text}}}. Its languages are the letter's: `follow_languages`
keeps them in step whenever the letter's change.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..accounts.models import User
from ..errors import UserError
from ..studies.models import Study
from . import consent, drafts
from .drafts import CONSENT_FORM, LETTER
from .generate import GENERATED, facts, needs

MAX_ITEM = 1000
MAX_ITEMS = 20
NOT_BEGUN = _l("Generate the consent form first.")


def form(session: Session, study: Study) -> dict:
    """Return the consent form's draft document, or {} before it is generated."""
    return drafts.content(session, study, CONSENT_FORM)


def _wording(session: Session, study: Study, code: str, found: list[str]) -> tuple[dict, dict]:
    """Return the item texts (by key) and the form's words as the app writes them in `code`.

    In a language the app does not write, both are for the student to write: no texts, and
    every word empty.
    """
    if code not in GENERATED:
        return {}, dict.fromkeys(consent.LABELS, "")
    given = facts(session, study, code)
    items = consent.generated_items(found, code, study.title, given["retention_date"])
    return {item["key"]: item["text"] for item in items}, consent.generated_labels(code)


def create(session: Session, study: Study, actor: User) -> dict:
    """Generate the consent form from the study, in the letter's languages.

    :raises UserError: when the letter is not generated yet or the form exists already.
    """
    drafts.check_writable(session, study, actor, CONSENT_FORM)
    letter = drafts.require(
        session, study, LETTER, _l("Generate the letter first: the form follows its languages.")
    )
    if drafts.for_change(session, study, CONSENT_FORM):
        raise UserError(_l("The consent form is generated already."))
    found = needs(session, study)
    wording = {code: _wording(session, study, code, found) for code in letter["languages"]}
    document = {"items": [], "labels": {code: words for code, (_t, words) in wording.items()}}
    _add_generated_items(document, required_keys(found, removable=True), wording)
    drafts.store(session, study, actor, CONSENT_FORM, document, "consent_form.generated")
    return document


def _add_generated_items(document: dict, keys: list[str], wording: dict) -> list[str]:
    """Add the items of these keys the form lacks, worded by the app; return their keys.

    :param wording: each language's (item texts, words), as `_wording` returns them.
    """
    have = {item["key"] for item in document["items"]}
    order = [template.key for template in consent.ITEMS]
    added = []
    for key in keys:
        if key in have:
            continue
        template = consent.ITEMS_BY_KEY[key]
        texts = {code: texts.get(key, "") for code, (texts, _words) in wording.items()}
        item = {"key": key, "required": template.required, "texts": texts}
        # Before the first item that comes later in the table, so that the order stays.
        later = set(order[order.index(key) + 1 :])
        index = next(
            (i for i, x in enumerate(document["items"]) if x["key"] in later),
            len(document["items"]),
        )
        document["items"].insert(index, item)
        added.append(key)
    return added


def follow_languages(session: Session, study: Study, actor: User, codes: list[str]) -> None:
    """Give the form exactly the letter's languages (the caller has checked the actor)."""
    document = drafts.for_change(session, study, CONSENT_FORM)
    if not document:
        return
    for code in list(document["labels"]):
        if code not in codes:
            del document["labels"][code]
            for item in document["items"]:
                item["texts"].pop(code, None)
    found = needs(session, study)
    for code in codes:
        if code not in document["labels"]:
            texts, document["labels"][code] = _wording(session, study, code, found)
            for item in document["items"]:
                item["texts"].setdefault(code, texts.get(item["key"], ""))
    drafts.store(
        session, study, actor, CONSENT_FORM, document, "consent_form.languages", languages=codes
    )


def save_language(
    session: Session,
    study: Study,
    actor: User,
    code: str,
    labels: dict[str, str],
    texts: dict[str, str],
) -> dict:
    """Store one language's words and item texts (item key → text).

    :raises UserError: when the form or language is missing, an item is unknown, or a
        text is too long.
    """
    drafts.check_writable(session, study, actor, CONSENT_FORM)
    document = drafts.require(session, study, CONSENT_FORM, NOT_BEGUN)
    if code not in document["labels"]:
        raise UserError(_l("The consent form does not have this language."))
    by_key = {item["key"]: item for item in document["items"]}
    for key, text in texts.items():
        if key not in by_key:
            raise UserError(_l("The consent form has no such item."))
        if len(text) > MAX_ITEM:
            raise UserError(_l("An item may be at most %(n)d characters.", n=MAX_ITEM), key)
        by_key[key]["texts"][code] = " ".join(text.split())
    for key, text in labels.items():
        if key not in consent.LABELS:
            raise UserError(_l("The consent form has no such item."))
        if len(text) > MAX_ITEM:
            raise UserError(_l("An item may be at most %(n)d characters.", n=MAX_ITEM), key)
        document["labels"][code][key] = " ".join(text.split())
    drafts.store(session, study, actor, CONSENT_FORM, document, "consent_form.saved", language=code)
    return document


def add_item(session: Session, study: Study, actor: User) -> str:
    """Add an item of the student's own, empty in every language; return its key.

    :raises UserError: when the form is not begun or has as many items as it may.
    """
    drafts.check_writable(session, study, actor, CONSENT_FORM)
    document = drafts.require(session, study, CONSENT_FORM, NOT_BEGUN)
    if len(document["items"]) >= MAX_ITEMS:
        raise UserError(_l("A consent form can have at most %(n)d items.", n=MAX_ITEMS))
    numbers = [
        int(item["key"].removeprefix("own-"))
        for item in document["items"]
        if item["key"].startswith("own-")
    ]
    key = f"own-{max(numbers, default=0) + 1}"
    document["items"].append(
        {"key": key, "required": False, "texts": {code: "" for code in document["labels"]}}
    )
    drafts.store(session, study, actor, CONSENT_FORM, document, "consent_form.item_added", item=key)
    return key


def remove_item(session: Session, study: Study, actor: User, key: str) -> None:
    """Remove an item: one of the student's own, or one the self-review no longer calls for.

    :raises UserError: when the item is one the form must have.
    """
    drafts.check_writable(session, study, actor, CONSENT_FORM)
    document = drafts.require(session, study, CONSENT_FORM, NOT_BEGUN)
    if key not in {item["key"] for item in document["items"]}:
        raise UserError(_l("The consent form has no such item."))
    if key in required_keys(needs(session, study)):
        raise UserError(_l("The consent form must have this item."))
    document["items"] = [item for item in document["items"] if item["key"] != key]
    drafts.store(
        session, study, actor, CONSENT_FORM, document, "consent_form.item_removed", item=key
    )


def add_missing_items(session: Session, study: Study, actor: User) -> list[str]:
    """Add the items the self-review calls for now and the form lacks."""
    drafts.check_writable(session, study, actor, CONSENT_FORM)
    document = drafts.require(session, study, CONSENT_FORM, NOT_BEGUN)
    found = needs(session, study)
    wording = {code: _wording(session, study, code, found) for code in document["labels"]}
    added = _add_generated_items(document, required_keys(found), wording)
    if added:
        drafts.store(
            session, study, actor, CONSENT_FORM, document, "consent_form.items_added", items=added
        )
    return added


def required_keys(found: list[str], *, removable: bool = False) -> list[str]:
    """Return the keys of the items the form must have under these consequences.

    :param removable: include the items the student may leave out (being contacted again).
    """
    return [
        template.key
        for template in consent.ITEMS
        if (removable or not template.removable)
        and (not template.needs or {c.value for c in template.needs} & set(found))
    ]
