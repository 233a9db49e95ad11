"""Letter operations: generate it, write each language's sections, add and remove languages.

The draft document: {"languages": [code, …], "letters": {code: {"title": …, "main":
{section key: {"heading": …, "text": …}}, "child": {…}}}}; "child" is there when the
self-review calls for a version for children under 15. Every operation takes the session
and the actor, checks, changes, audits and flushes; a refusal is a UserError.
"""

from __future__ import annotations

import copy

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..accounts.models import User
from ..errors import UserError
from ..studies.models import Study
from . import consent_form, drafts, languages
from .drafts import LETTER
from .generate import GENERATED, facts, generate, heading, needs, section_text
from .sections import CHILD, MAIN, SECTIONS_BY_KEY, Section, audiences, sections_for

#: The longest section text, title or heading kept; a longer one is refused, not cut.
MAX_TEXT = 10_000
MAX_TITLE = 300
MAX_LANGUAGES = 12

NOT_BEGUN = _l("Generate the letter first.")
TOO_LONG = _l("A section may be at most %(n)d characters long.", n=MAX_TEXT)
UNKNOWN_LANGUAGE = _l("Choose a language from the list, or a language code such as “so”.")


def letter(session: Session, study: Study) -> dict:
    """Return the letter's draft document, or {} before it is generated."""
    return drafts.content(session, study, LETTER)


def create(session: Session, study: Study, actor: User, codes: list[str]) -> dict:
    """Generate the letter from the plan and the self-review, in the languages given.

    Swedish and English are written by the app; another language starts empty, for the
    student to write. (The consent form, which follows the letter's languages, comes after.)

    :raises UserError: when the letter exists already or a language is not one.
    """
    drafts.check_writable(session, study, actor, LETTER)
    if drafts.for_change(session, study, LETTER):
        raise UserError(_l("The letter is generated already."))
    document = {"languages": [], "letters": {}}
    for code in dict.fromkeys(_tag(code) for code in codes or ["sv"]):
        document["letters"][code] = _new_language(session, study, document, code)
        document["languages"].append(code)
    drafts.store(
        session, study, actor, LETTER, document, "letter.generated", languages=document["languages"]
    )
    return document


def _tag(code: str) -> str:
    """Return a language code as the letter stores it, or refuse it."""
    found = languages.tag(code)
    if found is None:
        raise UserError(UNKNOWN_LANGUAGE, field="language")
    return found


def _new_language(session: Session, study: Study, document: dict, code: str) -> dict:
    """Return a new language's letter with the sections the letter has already.

    The first language gets the sections the self-review calls for. Swedish and English are
    written by the app; another language's sections start empty.
    """
    written = generate(session, study, code) if code in GENERATED else None
    if document["languages"]:
        shape = document["letters"][document["languages"][0]]
    else:
        shape = written or generate(session, study, "sv")
    letter = {"title": written["title"] if written else ""}
    for audience in (MAIN, CHILD):
        if audience not in shape:
            continue
        letter[audience] = {
            key: (written or {}).get(audience, {}).get(key)
            or _generated_section(session, study, SECTIONS_BY_KEY[key], audience, code)
            for key in shape[audience]
        }
    return letter


def add_language(session: Session, study: Study, actor: User, code: str) -> str:
    """Add a language to the letter (and to the consent form, if begun); return its code.

    :raises UserError: when the letter is not generated, the language is not one, or it is
        there already.
    """
    drafts.check_writable(session, study, actor, LETTER, drafts.CONSENT_FORM)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    code = _tag(code)
    if code in document["languages"]:
        raise UserError(_l("The letter has this language already."), field="language")
    if len(document["languages"]) >= MAX_LANGUAGES:
        raise UserError(_l("A letter can have at most %(n)d languages.", n=MAX_LANGUAGES))
    document["letters"][code] = _new_language(session, study, document, code)
    document["languages"].append(code)
    drafts.store(session, study, actor, LETTER, document, "letter.language_added", language=code)
    consent_form.follow_languages(session, study, actor, document["languages"])
    return code


def remove_language(session: Session, study: Study, actor: User, code: str) -> None:
    """Remove a language from the letter and the consent form.

    :raises UserError: when the language is the letter's only one or not in it.
    """
    drafts.check_writable(session, study, actor, LETTER, drafts.CONSENT_FORM)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    if code not in document["languages"]:
        raise UserError(_l("The letter does not have this language."))
    if len(document["languages"]) == 1:
        raise UserError(_l("A letter needs at least one language."))
    document["languages"].remove(code)
    del document["letters"][code]
    drafts.store(session, study, actor, LETTER, document, "letter.language_removed", language=code)
    consent_form.follow_languages(session, study, actor, document["languages"])


def save_language(
    session: Session,
    study: Study,
    actor: User,
    code: str,
    title: str,
    sections: dict[tuple[str, str], tuple[str, str]],
) -> dict:
    """Store one language's title and sections: (audience, key) → (heading, text).

    Only sections the letter has are stored; nothing is stored unless all are valid.

    :raises UserError: when the letter or language is missing, or a text is too long.
    """
    drafts.check_writable(session, study, actor, LETTER)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    written = document["letters"].get(code)
    if written is None:
        raise UserError(_l("The letter does not have this language."))
    title = title.strip()
    if len(title) > MAX_TITLE:
        raise UserError(_l("The title may be at most %(n)d characters.", n=MAX_TITLE), "title")
    changed = []
    for (audience, key), (head, text) in sections.items():
        section = written.get(audience, {}).get(key)
        if section is None:
            raise UserError(_l("The letter has no such section."))
        if len(text) > MAX_TEXT or len(head) > MAX_TITLE:
            raise UserError(TOO_LONG, field=f"{audience}-{key}")
        new = {"heading": head.strip(), "text": _tidy(text)}
        if new != section:
            written[audience][key] = new
            changed.append(f"{audience}.{key}")
    written["title"] = title
    drafts.store(
        session, study, actor, LETTER, document, "letter.saved", language=code, sections=changed
    )
    return document


def _tidy(text: str) -> str:
    """Return a text with its line ends made plain and its trailing space gone."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def add_missing_sections(session: Session, study: Study, actor: User) -> list[str]:
    """Add the sections the self-review calls for now and the letter lacks, in every language.

    :returns: the keys of the sections added ("child.request" for the children's version).
    """
    drafts.check_writable(session, study, actor, LETTER)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    found = needs(session, study)
    added = []
    for audience in audiences(found):
        for section in sections_for(audience, found):
            for code in document["languages"]:
                written = document["letters"][code].setdefault(audience, {})
                if section.key not in written:
                    written[section.key] = _generated_section(
                        session, study, section, audience, code
                    )
                    added.append(f"{audience}.{section.key}")
    added = list(dict.fromkeys(added))
    if added:
        drafts.store(
            session, study, actor, LETTER, document, "letter.sections_added", sections=added
        )
    return added


def _generated_section(
    session: Session, study: Study, section: Section, audience: str, code: str
) -> dict:
    """Return one section as the app writes it in `code`: empty in another language."""
    if code not in GENERATED:
        return {"heading": "", "text": ""}
    text = (
        ""
        if section.written
        else section_text(section.key, audience, code, facts(session, study, code))
    )
    return {"heading": heading(section, audience, code), "text": text}


def remove_section(session: Session, study: Study, actor: User, audience: str, key: str) -> None:
    """Remove a section from every language, when the self-review no longer calls for it.

    :raises UserError: when the section is one the letter must have.
    """
    drafts.check_writable(session, study, actor, LETTER)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    section = SECTIONS_BY_KEY.get(key)
    if section is None or audience not in (MAIN, CHILD):
        raise UserError(_l("The letter has no such section."))
    if (
        key in {s.key for s in sections_for(audience, needs(session, study))}
        and not section.written
    ):
        raise UserError(_l("The letter must have this section."))
    for code in document["languages"]:
        document["letters"][code].get(audience, {}).pop(key, None)
        if audience == CHILD and not document["letters"][code].get(CHILD):
            document["letters"][code].pop(CHILD, None)
    drafts.store(
        session,
        study,
        actor,
        LETTER,
        document,
        "letter.section_removed",
        section=f"{audience}.{key}",
    )


def regenerate_section(
    session: Session, study: Study, actor: User, code: str, audience: str, key: str
) -> dict:
    """Replace one section's text with the text the app writes from the plan and self-review.

    :raises UserError: when the language is not one the app writes or there is no such section.
    """
    drafts.check_writable(session, study, actor, LETTER)
    document = drafts.require(session, study, LETTER, NOT_BEGUN)
    if code not in GENERATED or code not in document["languages"]:
        raise UserError(_l("The app writes sections in Swedish and English only."))
    written = document["letters"][code].get(audience, {})
    section = SECTIONS_BY_KEY.get(key)
    if key not in written or section is None or section.written:
        raise UserError(_l("The letter has no such section."))
    written[key] = _generated_section(session, study, section, audience, code)
    drafts.store(
        session,
        study,
        actor,
        LETTER,
        document,
        "letter.section_regenerated",
        language=code,
        section=f"{audience}.{key}",
    )
    return copy.deepcopy(written[key])
