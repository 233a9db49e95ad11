"""How the letter and the consent form read on the review path, and what they still lack.

A letter's document carries, beside its languages, the consequences of the self-review
("needs") and the facts it must name, taken when it is read: a frozen version then shows
what it was checked against, and the checks stay pure functions of the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..review.documents import Item, StepDocument, register
from ..studies.models import Study
from . import checks, consent, consent_form, drafts, languages
from .consent_form import required_keys
from .generate import needs, people
from .sections import (
    CHILD,
    MAIN,
    SECTIONS_BY_KEY,
    Point,
    in_order,
    point_made,
    required_points,
    sections_for,
)

#: What the plan must name for the letter to name it.
PLAN_FACTS = {
    "controller": _l("name the controller in the study's plan"),
    "data_protection_officer": _l("name the data-protection officer in the study's plan"),
}
AUDIENCE_LABELS = {MAIN: _l("Letter"), CHILD: _l("Version for children under 15")}


def printed_facts(study: Study) -> dict:
    """Return what the letter and the form print of the plan: the study, the university."""
    return {
        "title": study.title,
        "university": study.university.strip(),
        "department": study.department.strip(),
    }


def letter_document(session: Session, study: Study) -> dict:
    """Return the letter as a version freezes it: every language, what it must say, the facts."""
    written = drafts.content(session, study, drafts.LETTER)
    return {
        "languages": written.get("languages", []),
        "letters": written.get("letters", {}),
        "needs": needs(session, study),
        "facts": {
            # What the letter shows of the plan beside its sections, frozen with it.
            **printed_facts(study),
            "controller": study.controller.strip(),
            "data_protection_officer": study.data_protection_officer.strip(),
            "contacts": people(session, study)["contacts"],
        },
    }


@dataclass
class SectionReport:
    """The checks on one section of one language."""

    audience: str
    key: str
    heading: str
    text: str
    #: The points the section must make, and those of them its text does not.
    points: list[Point] = field(default_factory=list)
    missing: list[Point] = field(default_factory=list)
    lix: float | None = None
    long_sentences: list[str] = field(default_factory=list)
    findings: list[checks.Finding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Tell whether the section has no text."""
        return not self.text.strip()


@dataclass
class LanguageReport:
    """The checks on one language's letter, section by section and whole."""

    code: str
    sections: list[SectionReport]
    #: Sections the self-review calls for that the letter lacks: (audience, key).
    absent: list[tuple[str, str]]
    #: Sections the letter has that the self-review no longer calls for: (audience, key).
    surplus: list[tuple[str, str]]
    title: str
    lix: float | None
    pages: float
    length: LazyString | None

    @property
    def summary_needed(self) -> bool:
        """Tell whether the letter is long enough to need the summary it lacks."""
        summary = next(
            (s for s in self.sections if s.key == "summary" and s.audience == MAIN), None
        )
        return self.pages > checks.SUMMARY_PAGES and (summary is None or summary.empty)

    @cached_property
    def problems(self) -> list[LazyString]:
        """Return what must change before the letter can be submitted (worked out once)."""
        name = languages.name(self.code)
        found = []
        if not self.title.strip():
            found.append(_l("%(language)s: write the letter's title", language=name))
        for audience, key in self.absent:
            found.append(
                _l(
                    "%(language)s: the section “%(section)s” is missing (%(letter)s)",
                    language=name,
                    section=SECTIONS_BY_KEY[key].heading,
                    letter=AUDIENCE_LABELS[audience],
                )
            )
        for section in self.sections:
            label = section.heading or SECTIONS_BY_KEY[section.key].heading
            if section.empty and not SECTIONS_BY_KEY[section.key].written:
                found.append(
                    _l(
                        "%(language)s: write the section “%(section)s”",
                        language=name,
                        section=label,
                    )
                )
            elif not section.heading.strip() and not section.empty:
                found.append(
                    _l(
                        "%(language)s: give the section “%(section)s” a heading",
                        language=name,
                        section=SECTIONS_BY_KEY[section.key].heading,
                    )
                )
            for point in section.missing:
                found.append(
                    _l(
                        "%(language)s, “%(section)s”: %(point)s",
                        language=name,
                        section=label,
                        point=point.label,
                    )
                )
        if self.summary_needed:
            found.append(checks.SUMMARY_REQUIRED)
        return found


def report(document: dict, code: str) -> LanguageReport:
    """Return the checks on one language of a letter document."""
    written = document["letters"][code]
    found = document.get("needs", [])
    facts = document.get("facts", {})
    checked = code in checks.LANGUAGES
    sections, absent, surplus = [], [], []
    for audience in (MAIN, CHILD):
        wanted = {s.key for s in sections_for(audience, found)}
        have = written.get(audience, {})
        absent += [
            (audience, key)
            for key in wanted
            if key not in have and not SECTIONS_BY_KEY[key].written
        ]
        surplus += [(audience, key) for key in have if key not in wanted]
        for key, section in in_order(have):
            text = section["text"]
            result = SectionReport(audience, key, section["heading"], text)
            if audience == MAIN:
                result.points = required_points(SECTIONS_BY_KEY[key], found)
                result.missing = [p for p in result.points if not point_made(p, text, code, facts)]
            if text.strip():
                result.long_sentences = checks.long_sentences(text)
                if checked:
                    result.findings = sorted(
                        checks.persuasive(text, code) + checks.jargon(text, code),
                        key=lambda f: f.start,
                    )
                if code == "sv":
                    result.lix = checks.lix(text)
            sections.append(result)
    order = list(SECTIONS_BY_KEY)
    absent.sort(key=lambda a: (a[0] != MAIN, order.index(a[1])))
    whole = "\n\n".join(s.text for s in sections if s.audience == MAIN and s.text.strip())
    pages = checks.estimate_pages(whole)
    return LanguageReport(
        code=code,
        sections=sections,
        absent=absent,
        surplus=surplus,
        title=written.get("title", ""),
        lix=checks.lix(whole) if code == "sv" and whole else None,
        pages=pages,
        length=checks.length_warning(pages),
    )


def letter_incomplete(document: dict, reports: dict[str, LanguageReport] | None = None) -> list:
    """Return what must change before the letter can be submitted.

    :param reports: each language's report, where the caller has them already.
    """
    if not document.get("languages"):
        return [_l("generate the letter")]
    facts = document.get("facts", {})
    found = [message for key, message in PLAN_FACTS.items() if not facts.get(key)]
    reports = reports or {code: report(document, code) for code in document["languages"]}
    return found + [problem for code in document["languages"] for problem in reports[code].problems]


def letter_items(document: dict) -> list[Item]:
    """Return every language's title and sections, as the supervisor reads them."""
    found = []
    for code in document.get("languages", []):
        result = report(document, code)
        name = languages.name(code)
        found.append(Item(f"{code}-title", _l("Title"), result.title, group=name))
        for section in result.sections:
            group = name if section.audience == MAIN else f"{name} – {AUDIENCE_LABELS[CHILD]}"
            warnings = tuple(p.label for p in section.missing) + tuple(
                dict.fromkeys(str(f.message) for f in section.findings)
            )
            found.append(
                Item(
                    f"{code}-{section.audience}-{section.key}",
                    section.heading or SECTIONS_BY_KEY[section.key].heading,
                    section.text,
                    warnings,
                    group,
                )
            )
    return found


LETTER = register(
    StepDocument(
        step=drafts.LETTER,
        edit_endpoint="letters.overview",
        current=letter_document,
        items=letter_items,
        incomplete=letter_incomplete,
        pdf_endpoint="letters.letter_pdf",
        pdf_label=_l("The letter as PDF"),
    )
)


def form_document(session: Session, study: Study) -> dict:
    """Return the consent form as a version freezes it, with who signs it."""
    written = consent_form.form(session, study)
    found = needs(session, study)
    return {
        # In the letter's order (a stored document's keys come back sorted).
        "languages": [
            code
            for code in drafts.content(session, study, drafts.LETTER).get("languages", [])
            if code in written.get("labels", {})
        ],
        "items": written.get("items", []),
        "labels": written.get("labels", {}),
        "signatures": consent.signatures(found),
        "needs": found,
        "facts": printed_facts(study),
    }


def form_incomplete(document: dict) -> list:
    """Return what must change before the consent form can be submitted."""
    if not document.get("languages"):
        return [_l("generate the consent form")]
    found = []
    have = {item["key"] for item in document["items"]}
    for key in required_keys(document.get("needs", [])):
        if key not in have:
            found.append(
                _l(
                    "add the item the self-review calls for (%(item)s)",
                    item=consent.ITEMS_BY_KEY[key].name,
                )
            )
    shown = consent.label_keys(document["signatures"])
    for code in document["languages"]:
        name = languages.name(code)
        words = document["labels"].get(code, {})
        if any(not words.get(key, "").strip() for key in shown):
            found.append(_l("%(language)s: fill in the form's own words", language=name))
        if any(not item["texts"].get(code, "").strip() for item in document["items"]):
            found.append(_l("%(language)s: write every item", language=name))
    return found


def form_items(document: dict) -> list[Item]:
    """Return every language's words and items, as the supervisor reads them."""
    found = []
    for code in document.get("languages", []):
        name = languages.name(code)
        labels = document["labels"].get(code, {})
        found.append(Item(f"{code}-title", _l("Title"), labels.get("title", ""), group=name))
        found.append(Item(f"{code}-intro", _l("Introduction"), labels.get("intro", ""), group=name))
        for number, item in enumerate(document["items"], 1):
            label = consent.item_label(number, item["required"])
            found.append(
                Item(f"{code}-{item['key']}", label, item["texts"].get(code, ""), group=name)
            )
    return found


CONSENT_FORM = register(
    StepDocument(
        step=drafts.CONSENT_FORM,
        edit_endpoint="letters.consent_form",
        current=form_document,
        items=form_items,
        incomplete=form_incomplete,
        pdf_endpoint="letters.consent_pdf",
        pdf_label=_l("The blank form as PDF"),
    )
)
