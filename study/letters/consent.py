"""The consent form's items and the words around them, written as data.

One item per thing a respondent consents to, each ticked on its own (docs/design.md,
"Consent record"). Taking part is the one item a consent cannot do without; saying no to
any other item (a recording, quotes, being contacted again) still lets a person take part.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from ..ethics.rules import Consequence


@dataclass(frozen=True)
class ItemTemplate:
    """An item the app adds to the form, and when."""

    key: str
    #: What the item is about, in short (in messages to the student).
    name: LazyString
    text: LazyString
    #: A consent without this item ticked is no consent to take part.
    required: bool = False
    #: The item is on the form only when the self-review has one of these consequences.
    needs: tuple[Consequence, ...] = ()
    #: The student may leave the item out.
    removable: bool = False


ITEMS: tuple[ItemTemplate, ...] = (
    ItemTemplate(
        "participation",
        _l("taking part"),
        _l(
            "I have read the information letter about the study “%(title)s”, I have been able "
            "to ask questions, and I want to take part."
        ),
        required=True,
    ),
    ItemTemplate(
        "audio_recording",
        _l("audio recording"),
        _l("I agree that the interview is recorded (sound only)."),
        needs=(Consequence.CONSENT_ITEM_AUDIO,),
    ),
    ItemTemplate(
        "video_recording",
        _l("video recording"),
        _l("I agree that the interview is recorded on video."),
        needs=(Consequence.CONSENT_ITEM_VIDEO,),
    ),
    ItemTemplate(
        "sensitive_data",
        _l("sensitive personal data"),
        _l("I agree that the study handles the sensitive personal data the letter names."),
        needs=(Consequence.LETTER_SENSITIVE_DATA,),
    ),
    ItemTemplate(
        "quotes",
        _l("quotes in the thesis"),
        _l("I agree that what I say may be quoted in the thesis under a made-up name."),
    ),
    ItemTemplate(
        "storage",
        _l("storage until the retention date"),
        _l("I agree that my data are kept until %(date)s, as the letter describes."),
    ),
    ItemTemplate(
        "further_use",
        _l("use beyond the thesis"),
        _l(
            "I agree that the results may be used beyond the thesis (publication or research), "
            "as the letter describes."
        ),
        needs=(Consequence.LETTER_FURTHER_USE,),
    ),
    ItemTemplate(
        "contact_again",
        _l("being contacted again"),
        _l("I may be contacted again with questions about my interview."),
        removable=True,
    ),
)

#: Where an item's date is unknown, the storage item says this instead.
STORAGE_UNDATED = _l("I agree that my data are kept as long as the letter describes.")

#: The words of the form around its items, by key; the student writes them in a language
#: the app does not generate.
LABELS: dict[str, LazyString] = {
    "title": _l("Consent to take part in the study"),
    "intro": _l("Tick each box you agree to. You can take part without agreeing to every item."),
    "name": _l("Name in block letters"),
    "signature": _l("Signature"),
    "date": _l("Place and date"),
    "guardians": _l("Guardians' consent (both, if there are two)"),
    "child": _l("I want to take part (the child)"),
    "withdraw": _l("You can withdraw your consent at any time, without giving a reason."),
}


#: The words only a form that guardians sign has.
GUARDIAN_LABELS = ("guardians", "child")


class Signatures:
    """Who signs the form, from the self-review."""

    RESPONDENT = "respondent"
    #: Under 15: both guardians, and the child agrees too.
    GUARDIANS = "guardians"


def signatures(needs: list[str] | tuple[str, ...]) -> str:
    """Return who signs the form."""
    if Consequence.GUARDIAN_CONSENT.value in needs:
        return Signatures.GUARDIANS
    return Signatures.RESPONDENT


def label_keys(signed_by: str) -> list[str]:
    """Return the keys of the words a form signed this way shows."""
    return [
        key for key in LABELS if key not in GUARDIAN_LABELS or signed_by == Signatures.GUARDIANS
    ]


def item_label(number: int, required: bool) -> LazyString:
    """Return how an item is named beside its text: its number, and if taking part needs it."""
    if required:
        return _l("Item %(n)d (must be ticked to take part)", n=number)
    return _l("Item %(n)d", n=number)


ITEMS_BY_KEY = {template.key: template for template in ITEMS}


def generated_items(needs: list[str], lang: str, title: str, retention_date: str) -> list[dict]:
    """Return the items the study's self-review calls for, worded in `lang` (sv or en)."""
    found = set(needs)
    items = []
    with force_locale(lang):
        for template in ITEMS:
            if template.needs and not {c.value for c in template.needs} & found:
                continue
            if template.key == "storage" and not retention_date:
                text = str(STORAGE_UNDATED)
            else:
                text = template.text % {"title": title, "date": retention_date}
            items.append({"key": template.key, "required": template.required, "text": str(text)})
    return items


def generated_labels(lang: str) -> dict[str, str]:
    """Return the form's own words in `lang` (sv or en)."""
    with force_locale(lang):
        return {key: str(text) for key, text in LABELS.items()}
