"""The information letter's sections and the points each must make, written as data.

The sections follow GDPR art. 13 and the Swedish templates (docs/design.md, "Information
letter headings"); a section whose `needs` names consequences of the self-review is part of
the letter only when the self-review has one of them. Each `Point` is something the letter
must say: the editor shows it beside its section with the reason, and the check looks for it
in that section's text: for Swedish and English by its phrases (any one will do, written as
in the phrase lists: "a/b" either word, "word*" any ending), and in every language by the
facts of the study it must name (the controller, the contacts, the data-protection officer).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..ethics.rules import Consequence
from .checks import phrase_pattern

#: The letter's two audiences: everyone, and children under 15 in words for their age.
MAIN, CHILD = "main", "child"

Facts = dict[str, object]


@dataclass(frozen=True)
class Point:
    """One thing a section must say."""

    key: str
    #: What the section must say, as the editor shows it.
    label: LazyString
    #: Why: the law or the principle that asks for it.
    why: LazyString
    #: Phrases by language, any one of which shows the point is made.
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The study's facts the text must name, each as it stands (names, e-mail addresses).
    names: Callable[[Facts], Iterable[str]] | None = None
    #: The point is required only when the self-review has one of these consequences.
    needs: tuple[Consequence, ...] = ()


@dataclass(frozen=True)
class Section:
    """One section of the letter."""

    key: str
    heading: LazyString
    #: What the section is for, shown beside it in the editor.
    guidance: LazyString
    points: tuple[Point, ...] = ()
    #: The section is part of the letter only when the self-review has one of these.
    needs: tuple[Consequence, ...] = ()
    #: The heading of the section in the children's version; None where it has none.
    child_heading: LazyString | None = None
    #: Written by the student, not generated (the summary a long letter begins with).
    written: bool = False


def _contacts(facts: Facts) -> list[str]:
    return [person["email"] for person in facts.get("contacts", []) if person.get("email")]


def _controller(facts: Facts) -> list[str]:
    return [facts["controller"]] if facts.get("controller") else []


def _officer(facts: Facts) -> list[str]:
    return [facts["data_protection_officer"]] if facts.get("data_protection_officer") else []


ART_13 = _l("GDPR art. 13 lists what respondents must be told when their data are collected.")
ETHICS_16 = _l(
    "The Ethical Review Act (2003:460) 16 §, which universities follow for student work: "
    "respondents are told the plan, the purpose, the methods, the risks and who is responsible."
)
VOLUNTARY = _l(
    "The consent requirement: taking part is voluntary and can be stopped at any time without "
    "a reason and without consequences."
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "summary",
        _l("Summary"),
        _l(
            "A short summary of what taking part means. Needed only when the letter is longer "
            "than five pages; respondents then read it first."
        ),
        written=True,
    ),
    Section(
        "request",
        _l("Request to take part"),
        _l("Ask the person to take part, and say why they in particular are asked."),
        (
            Point(
                "request",
                _l("The respondent is asked to take part in an interview."),
                ETHICS_16,
                {"sv": ("delta/medverka",), "en": ("take part", "participate")},
            ),
            Point(
                "why_asked",
                _l("Why this person is asked."),
                ETHICS_16,
                {"sv": ("eftersom", "för att du", "därför att"), "en": ("because", "as you")},
            ),
            Point(
                "contact_source",
                _l("Where the respondent's contact details come from."),
                _l("GDPR art. 14: data not collected from the person must be traced to a source."),
                {"sv": ("kontaktuppgift*",), "en": ("contact details",)},
                needs=(Consequence.LETTER_CONTACT_SOURCE,),
            ),
        ),
        child_heading=_l("Do you want to take part?"),
    ),
    Section(
        "background",
        _l("Background and purpose"),
        _l("Explain in everyday words what the study is about and what it wants to find out."),
        (
            Point(
                "purpose",
                _l("The purpose of the study."),
                ETHICS_16,
                {"sv": ("syfte*",), "en": ("purpose", "aim*")},
            ),
        ),
    ),
    Section(
        "procedure",
        _l("How is the study done?"),
        _l("What taking part means: an interview, how long it takes, where, and how it is kept."),
        (
            Point(
                "interview",
                _l("What taking part means: the interview and what it is about."),
                ETHICS_16,
                {"sv": ("intervju*",), "en": ("interview*",)},
            ),
            Point(
                "time",
                _l("How long the interview takes."),
                ETHICS_16,
                {"sv": ("minut*", "timm*"), "en": ("minute*", "hour*")},
            ),
            Point(
                "place",
                _l("Where the interview takes place, or that the respondent chooses."),
                ETHICS_16,
                {
                    "sv": ("plats*", "lokal*", "digitalt"),
                    "en": ("place*", "where", "online"),
                },
            ),
            Point(
                "recording",
                _l("That the interview is recorded, and that the respondent may say no to it."),
                _l("A recording of a voice or a face is personal data: it needs its own consent."),
                {"sv": ("spela*/spelas/inspel*",), "en": ("record*",)},
                needs=(Consequence.CONSENT_ITEM_AUDIO, Consequence.CONSENT_ITEM_VIDEO),
            ),
        ),
        child_heading=_l("What happens if you take part?"),
    ),
    Section(
        "risks",
        _l("Possible consequences and risks"),
        _l("Say honestly what taking part may cost the respondent, and what support there is."),
        (
            Point(
                "risks",
                _l("The possible consequences and risks of taking part."),
                ETHICS_16,
                {"sv": ("risk*", "obehag*", "följd*"), "en": ("risk*", "discomfort", "upset*")},
            ),
            Point(
                "support",
                _l("The support the respondent can turn to, with contact details."),
                _l("The self-review found a risk of harm: respondents need somewhere to turn."),
                {"sv": ("stöd*", "hjälp*"), "en": ("support*", "help*")},
                needs=(Consequence.LETTER_SUPPORT,),
            ),
        ),
        needs=(),
    ),
    Section(
        "dependency",
        _l("Your relationship to us"),
        _l(
            "The self-review found that respondents may depend on you. Say how that is "
            "handled, and that saying no changes nothing for them."
        ),
        (
            Point(
                "dependency",
                _l("How the dependency on the student is handled."),
                _l("Consent is voluntary only when saying no has no consequences."),
                {
                    "sv": ("påverka*", "förhållande*", "beroende*"),
                    "en": ("affect*", "relationship*", "depend*"),
                },
            ),
        ),
        needs=(Consequence.LETTER_EXPLAINS_DEPENDENCY,),
    ),
    Section(
        "minors",
        _l("Young respondents and guardians"),
        _l("Who consents for a respondent under 18, as the self-review says."),
        (
            Point(
                "guardians",
                _l("The guardians consent (both, if there are two), and the child agrees too."),
                _l("Under 15, the guardians consent for the child (2003:460, 18 §)."),
                {"sv": ("vårdnadshavare*",), "en": ("guardian*", "parent*")},
                needs=(Consequence.GUARDIAN_CONSENT,),
            ),
            Point(
                "young_person",
                _l("A young person aged 15–17 decides and consents themselves."),
                _l("From 15, a young person who understands what it means consents (18 §)."),
                {"sv": ("15",), "en": ("15",)},
                needs=(Consequence.YOUNG_PERSON_CONSENT,),
            ),
        ),
        needs=(Consequence.GUARDIAN_CONSENT, Consequence.YOUNG_PERSON_CONSENT),
    ),
    Section(
        "voluntary",
        _l("Taking part is voluntary"),
        _l("That the respondent decides, and can stop at any time without saying why."),
        (
            Point(
                "voluntary",
                _l("Taking part is voluntary."),
                VOLUNTARY,
                {"sv": ("frivillig*",), "en": ("voluntary",)},
            ),
            Point(
                "stop",
                _l("The respondent can stop at any time."),
                VOLUNTARY,
                {"sv": ("när som helst",), "en": ("at any time", "any time")},
            ),
            Point(
                "no_reason",
                _l("Without giving a reason, and without consequences."),
                VOLUNTARY,
                {"sv": ("utan att", "förklara*", "anledning"), "en": ("without", "reason")},
            ),
        ),
        child_heading=_l("You decide"),
    ),
    Section(
        "data_handling",
        _l("Handling of data and confidentiality"),
        _l("How what the respondent says is kept safe: pseudonyms, the code key, who has access."),
        (
            Point(
                "pseudonyms",
                _l("Names are replaced with pseudonyms; no one can be recognised in the results."),
                _l(
                    "The confidentiality requirement: outsiders must not be able to identify anyone."
                ),
                {
                    "sv": ("fingera*", "pseudonym*", "avidentifier*"),
                    "en": ("pseudonym*", "made-up name*"),
                },
            ),
            Point(
                "code_key",
                _l("The key from pseudonyms to names is kept apart."),
                _l("The confidentiality requirement: the code key is kept apart from the data."),
                {
                    "sv": ("kodnyckel*", "nyckel*", "separat*", "åtskil*"),
                    "en": ("key", "separate*", "apart"),
                },
            ),
            Point(
                "access",
                _l("Who has access to the data."),
                _l("Access limited to those who need it keeps respondents unidentifiable."),
                {"sv": ("tillgång*", "åtkomst*"), "en": ("access*",)},
            ),
            Point(
                "sensitive",
                _l("Which sensitive personal data the study asks about, and why."),
                _l("GDPR art. 9: sensitive personal data must be named and need a reason."),
                {"sv": ("känslig*",), "en": ("sensitive",)},
                needs=(Consequence.LETTER_SENSITIVE_DATA,),
            ),
        ),
        child_heading=_l("What happens to what you tell us?"),
    ),
    Section(
        "controller",
        _l("Controller"),
        _l("Who is responsible for the personal data (usually the university), with contacts."),
        (
            Point(
                "controller",
                _l("The controller, named as in the study's plan."),
                ART_13,
                {"sv": ("personuppgiftsansvarig*",), "en": ("controller",)},
                names=_controller,
            ),
        ),
    ),
    Section(
        "dpo",
        _l("Data-protection officer"),
        _l("How to reach the university's data-protection officer."),
        (
            Point(
                "dpo",
                _l("The data-protection officer's contact details, as in the study's plan."),
                ART_13,
                {
                    "sv": ("dataskyddsombud*",),
                    "en": ("data protection officer", "data-protection officer"),
                },
                names=_officer,
            ),
        ),
    ),
    Section(
        "legal_basis",
        _l("Purposes and legal basis"),
        _l("Why the personal data are processed, and on which legal basis."),
        (
            Point(
                "legal_basis",
                _l("The legal basis for processing the data."),
                ART_13,
                {
                    "sv": ("rättslig grund", "allmänt intresse", "samtycke*", "6.1"),
                    "en": ("legal basis", "public interest", "consent", "6.1"),
                },
            ),
        ),
    ),
    Section(
        "recipients",
        _l("Recipients"),
        _l("Who receives the data, or that no one outside the study does."),
        (
            Point(
                "recipients",
                _l("Who receives the data, if anyone."),
                ART_13,
                {"sv": ("mottag*", "lämnas", "delas"), "en": ("recipient*", "shared", "given to")},
            ),
        ),
    ),
    Section(
        "transfer",
        _l("Transfer outside the EU/EEA"),
        _l("The self-review found a transfer outside the EU/EEA: name the recipient and country."),
        (
            Point(
                "transfer",
                _l("The transfer to a country outside the EU/EEA, and its legal ground."),
                _l("GDPR art. 13.1 f and chapter V."),
                {"sv": ("EU/EES", "EES", "tredje land"), "en": ("EU/EEA", "EEA", "third country")},
            ),
        ),
        needs=(Consequence.LETTER_TRANSFER,),
    ),
    Section(
        "retention",
        _l("Retention and destruction"),
        _l("How long the data are kept, and what is destroyed when."),
        (
            Point(
                "retention",
                _l("How long the data are kept, or by what rule."),
                ART_13,
                {
                    "sv": ("spara*/spar*/bevara*/lagra*",),
                    "en": ("kept", "keep", "stored", "retain*"),
                },
            ),
            Point(
                "destruction",
                _l("What is destroyed, and when."),
                ART_13,
                {
                    "sv": ("radera*", "förstör*", "gallra*"),
                    "en": ("deleted", "destroyed", "erased"),
                },
            ),
        ),
    ),
    Section(
        "rights",
        _l("Your rights"),
        _l("The respondent's rights over their personal data, and how to use them."),
        (
            Point(
                "access_right",
                _l("The right of access: to know which data are held."),
                ART_13,
                {"sv": ("registerutdrag", "få veta", "ta del"), "en": ("access", "copy")},
            ),
            Point(
                "rectification",
                _l("The right to have wrong data corrected."),
                ART_13,
                {"sv": ("rätta*", "rättelse"), "en": ("correct*", "rectif*")},
            ),
            Point(
                "erasure",
                _l("The right to erasure."),
                ART_13,
                {"sv": ("radera*", "radering", "tas bort"), "en": ("eras*", "delet*")},
            ),
            Point(
                "restriction",
                _l("The right to restriction of processing."),
                ART_13,
                {"sv": ("begräns*",), "en": ("restrict*", "limit*")},
            ),
        ),
    ),
    Section(
        "withdrawal",
        _l("Withdrawing your consent"),
        _l("How to withdraw consent, and what then happens to what has been collected."),
        (
            Point(
                "withdraw",
                _l("The respondent may withdraw consent at any time, and how."),
                _l("GDPR art. 13.2 c and the consent requirement."),
                {"sv": ("återkalla*", "ångra*"), "en": ("withdraw*",)},
            ),
            Point(
                "withdrawal_effect",
                _l("What happens to data already collected."),
                _l("A withdrawal does what the letter promised: it must say what that is."),
                {
                    "sv": ("radera*", "förstör*", "spara*/sparas/behåll*"),
                    "en": ("deleted", "destroyed", "kept"),
                },
            ),
            Point(
                "withdrawal_choice",
                _l("The choice of having everything destroyed instead."),
                _l("Data already analysed are kept: respondents are offered the choice."),
                {"sv": ("välja", "väljer", "val"), "en": ("choose", "choice")},
                needs=(Consequence.LETTER_WITHDRAWAL_CHOICE,),
            ),
        ),
        child_heading=_l("If you change your mind"),
    ),
    Section(
        "complaint",
        _l("Complaints to IMY"),
        _l("The right to complain to the supervisory authority."),
        (
            Point(
                "imy",
                _l("The right to complain to IMY, the Swedish Authority for Privacy Protection."),
                ART_13,
                {
                    "sv": ("IMY", "Integritetsskyddsmyndigheten"),
                    "en": ("IMY", "Authority for Privacy Protection"),
                },
            ),
        ),
    ),
    Section(
        "results",
        _l("Results"),
        _l("Where the results are published, and that no one can be recognised in them."),
        (
            Point(
                "publication",
                _l("How the results are published."),
                ETHICS_16,
                {"sv": ("uppsats*", "publicer*"), "en": ("thesis", "publish*")},
            ),
            Point(
                "further_use",
                _l("The further use beyond the thesis (publication, a research project)."),
                _l("The use requirement: respondents are told of every use before they consent."),
                {
                    "sv": ("tidskrift*", "forskningsprojekt*", "forskning"),
                    "en": ("journal*", "research project*", "research"),
                },
                needs=(Consequence.LETTER_FURTHER_USE,),
            ),
        ),
    ),
    Section(
        "responsible",
        _l("Responsible"),
        _l("The students and the supervisor, with contact details for questions."),
        (
            Point(
                "contacts",
                _l("The students and the supervisor with their contact details."),
                ETHICS_16,
                {"sv": ("handledare",), "en": ("supervisor",)},
                names=_contacts,
            ),
        ),
        child_heading=_l("Who to ask"),
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
_POSITION = {key: index for index, key in enumerate(SECTIONS_BY_KEY)}


def in_order(written: dict) -> list[tuple[str, dict]]:
    """Return a letter's sections (key → section) in the table's order.

    A stored document's keys come back sorted by name, so order is always the table's.
    """
    return sorted(
        ((key, value) for key, value in written.items() if key in _POSITION),
        key=lambda pair: _POSITION[pair[0]],
    )


def applies(section: Section, needs: Iterable[str]) -> bool:
    """Tell whether a section is part of a letter whose self-review has these consequences."""
    return not section.needs or bool({c.value for c in section.needs} & set(needs))


def required_points(section: Section, needs: Iterable[str]) -> list[Point]:
    """Return the points a section must make under these consequences."""
    given = set(needs)
    return [p for p in section.points if not p.needs or {c.value for c in p.needs} & given]


def sections_for(audience: str, needs: Iterable[str]) -> list[Section]:
    """Return the sections of one audience's letter, in reading order.

    The children's version has none unless the self-review calls for it (`child_letter`).
    """
    given = list(needs)
    if audience == CHILD:
        if Consequence.CHILD_LETTER.value not in given:
            return []
        return [s for s in SECTIONS if s.child_heading is not None and applies(s, given)]
    return [s for s in SECTIONS if applies(s, given)]


def audiences(needs: Iterable[str]) -> list[str]:
    """Return the versions of the letter the self-review calls for."""
    return [MAIN] + ([CHILD] if Consequence.CHILD_LETTER.value in set(needs) else [])


def point_made(point: Point, text: str, lang: str, facts: Facts) -> bool:
    """Tell whether a section's text makes a point.

    In a language without phrases only the facts are looked for: the check is kinder there
    than in Swedish and English, never stricter.
    """
    folded = text.casefold()
    if point.names is not None and not all(
        name.casefold() in folded for name in point.names(facts)
    ):
        return False
    phrases = point.phrases.get(lang)
    if not phrases:
        return True
    return any(_compiled(phrase).search(text) for phrase in phrases)


_compiled = functools.cache(phrase_pattern)
