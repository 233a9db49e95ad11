"""The generated letter text: every point made, in easy words, without pressure or gaps.

Each study below is a dict of the facts `generate.facts()` returns, written by hand, with the
self-review's consequences mapped from its answers by hand as well (`needs_of`). Every
section's template is rendered the way the letter is generated, in Swedish and in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from study.ethics.rules import Consequence
from study.letters import generate
from study.letters.checks import (
    LIX_TARGET,
    LONG_LETTER_PAGES,
    estimate_pages,
    lix,
    long_sentences,
    persuasive,
)
from study.letters.generate import GENERATED, section_text
from study.letters.sections import (
    CHILD,
    MAIN,
    SECTIONS,
    point_made,
    required_points,
    sections_for,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "letter_text"
#: The children's letter is for readers under 15: well under the general public's target.
CHILD_LIX_TARGET = 30
#: What a template must never leave behind: a missing value, an empty list or its own markup.
LEFTOVERS = ("None", "[]", "{{", "}}", "{%", "%}", "{#", "#}")

FACT_KEYS = (
    "title",
    "university",
    "department",
    "level",
    "purpose",
    "method",
    "sample",
    "recruitment",
    "research_questions",
    "planned_interviews",
    "interviews_from",
    "interviews_to",
    "retention_plan",
    "controller",
    "data_protection_officer",
    "authors",
    "supervisor",
    "contacts",
    "respondents",
    "contact_source",
    "contact_source_text",
    "recording",
    "risk",
    "risk_text",
    "support",
    "dependency",
    "dependency_text",
    "minors",
    "withdrawal",
    "withdrawal_text",
    "storage",
    "access",
    "publication",
    "publication_text",
    "research_project",
    "research_project_text",
    "sensitive",
    "sensitive_categories",
    "criminal",
    "sensitive_text",
    "legal_basis",
    "legal_basis_text",
    "transfer",
    "transfer_text",
    "retention_date",
    "destruction",
)

ANNA = {"name": "Anna Andersson", "email": "anna.andersson@example.org"}
BILAL = {"name": "Bilal Hassan", "email": "bilal.hassan@example.org"}
CHEN = {"name": "Chen Li", "email": "chen.li@example.org"}
SUPERVISOR = {"name": "Cecilia Lind", "email": "cecilia.lind@example.org"}


def in_lang(lang: str, sv, en):
    """Return the Swedish or the English version of a fact."""
    return sv if lang == "sv" else en


def with_people(facts: dict, authors: list[dict], supervisor: dict | None) -> dict:
    """Return the facts with these authors and supervisor, and the contacts they make."""
    return {
        **facts,
        "authors": authors,
        "supervisor": supervisor,
        "contacts": authors + ([supervisor] if supervisor else []),
    }


def quiet(lang: str) -> dict:
    """A quiet study: adult respondents, audio, public interest, destroyed on withdrawal."""
    facts = {
        "title": in_lang(
            lang, "Att börja arbeta som socialsekreterare", "Starting work as a social worker"
        ),
        "university": in_lang(lang, "Umeå universitet", "Umeå University"),
        "department": in_lang(
            lang, "Institutionen för socialt arbete", "Department of Social Work"
        ),
        "level": in_lang(lang, "Kandidatuppsats, 15 hp", "Bachelor's thesis, 15 credits"),
        "purpose": in_lang(
            lang,
            "Att undersöka hur nya socialsekreterare lär sig sitt arbete under det första året.",
            "To find out how new social workers learn their job during their first year.",
        ),
        "method": in_lang(
            lang, "Enskilda intervjuer på 45–60 minuter.", "One-to-one interviews of 45–60 minutes."
        ),
        "sample": in_lang(
            lang,
            "Socialsekreterare som har arbetat i högst två år.",
            "Social workers who have worked for two years or less.",
        ),
        "recruitment": in_lang(
            lang,
            "Ett brev till socialkontoren i tre kommuner.",
            "A letter to the social services in three municipalities.",
        ),
        "research_questions": in_lang(
            lang,
            ["Hur lär sig nya socialsekreterare sitt arbete?", "Vilket stöd får de av kollegor?"],
            ["How do new social workers learn their job?", "What support do colleagues give?"],
        ),
        "planned_interviews": 6,
        "interviews_from": in_lang(lang, "12 april 2027", "April 12, 2027"),
        "interviews_to": in_lang(lang, "30 april 2027", "April 30, 2027"),
        "retention_plan": in_lang(
            lang,
            "Inspelningarna raderas när uppsatsen är godkänd.",
            "The recordings are deleted when the thesis has been approved.",
        ),
        "controller": in_lang(lang, "Umeå universitet", "Umeå University"),
        "data_protection_officer": "dataskyddsombud@umu.se",
        "respondents": in_lang(
            lang,
            "Sex socialsekreterare som är nya i yrket. De kan berätta hur det är att börja.",
            "Six social workers who are new to the job. They can tell what starting is like.",
        ),
        "contact_source": "self",
        "contact_source_text": "",
        "recording": "audio",
        "risk": False,
        "risk_text": "",
        "support": "",
        "dependency": False,
        "dependency_text": "",
        "minors": "no",
        "withdrawal": "destroy",
        "withdrawal_text": "",
        "storage": in_lang(
            lang,
            "I Intervjustudie, universitetets tjänst för intervjuer.",
            "In Intervjustudie, the university's service for interviews.",
        ),
        "access": in_lang(lang, "Vi två och vår handledare.", "The two of us and our supervisor."),
        "publication": False,
        "publication_text": "",
        "research_project": False,
        "research_project_text": "",
        "sensitive": False,
        "sensitive_categories": [],
        "criminal": False,
        "sensitive_text": "",
        "legal_basis": "public_interest",
        "legal_basis_text": "",
        "transfer": False,
        "transfer_text": "",
        "retention_date": in_lang(lang, "30 juni 2028", "June 30, 2028"),
        "destruction": in_lang(
            lang,
            "Inspelningar och kodnyckel raderas när uppsatsen är godkänd. Utskrifterna raderas "
            "den 30 juni 2028.",
            "Recordings and the code key are deleted when the thesis is approved. The interview "
            "texts are deleted on June 30, 2028.",
        ),
    }
    return with_people(facts, [ANNA, BILAL], SUPERVISOR)


def everything(lang: str) -> dict:
    """Every consequence at once: children under 15, one author, consent as the basis."""
    facts = {
        **quiet(lang),
        "title": in_lang(lang, "Barns trygghet i skolan", "Children's safety at school"),
        "purpose": in_lang(
            lang,
            "Att ta reda på vad som får barn att känna sig trygga eller otrygga i skolan.",
            "To find out what makes children feel safe or unsafe at school.",
        ),
        "method": in_lang(
            lang,
            "Enskilda samtal med barn, där barnen får rita och berätta.",
            "One-to-one talks with children, who may draw and tell.",
        ),
        "respondents": in_lang(
            lang,
            "Tio barn i årskurs 5 och 6. De vet själva hur det är att gå i skolan.",
            "Ten children in years 5 and 6. They know what going to school is like.",
        ),
        "research_questions": in_lang(
            lang, ["Vad gör att barn känner sig trygga?"], ["What makes children feel safe?"]
        ),
        "planned_interviews": 10,
        "minors": "under_15",
        "dependency": True,
        "dependency_text": in_lang(
            lang,
            "Jag arbetar som fritidsledare på skolan. En lärare som inte är med i studien lämnar "
            "ut breven.",
            "I work at the school's after-school club. A teacher who is not in the study hands "
            "out the letters.",
        ),
        "risk": True,
        "risk_text": in_lang(
            lang,
            "Det kan kännas jobbigt att prata om otrygghet. Jag frågar varsamt och vi tar pauser.",
            "Talking about feeling unsafe can be hard. I ask gently and we take breaks.",
        ),
        "support": in_lang(
            lang,
            "Skolans kurator, telefon 090-12 34 56.\nBris, telefon 116 111, dygnet runt.",
            "The school counsellor, phone 090-12 34 56.\nBris, phone 116 111, day and night.",
        ),
        "recording": "video",
        "sensitive": True,
        "sensitive_categories": in_lang(
            lang, ["Hälsa", "Ras eller etniskt ursprung"], ["Health", "Racial or ethnic origin"]
        ),
        "criminal": True,
        "sensitive_text": in_lang(
            lang,
            "Frågor om hälsa och ursprung behövs för att förstå vad som gör barn otrygga.",
            "Questions about health and origin are needed to understand what makes children "
            "feel unsafe.",
        ),
        "transfer": True,
        "transfer_text": in_lang(
            lang, "Zoom, i USA, om intervjun görs digitalt.", "Zoom, in the USA, for online talks."
        ),
        "withdrawal": "keep_analysed",
        "withdrawal_text": in_lang(
            lang,
            "Det som redan ingår i analysen behövs för att resultaten ska stämma.",
            "What is already part of the analysis is needed for the results to be right.",
        ),
        "legal_basis": "consent",
        "publication": True,
        "publication_text": in_lang(
            lang, "En artikel i en tidskrift om skolan.", "An article in a journal about schools."
        ),
        "research_project": True,
        "research_project_text": in_lang(
            lang,
            "Min handledares projekt om trygghet i skolan.",
            "My supervisor's project on safety at school.",
        ),
        "contact_source": "register",
        "contact_source_text": in_lang(
            lang,
            "Från skolans klasslistor, med rektorns tillstånd.",
            "From the school's class lists, with the head teacher's permission.",
        ),
        "access": in_lang(lang, "Jag och min handledare.", "My supervisor and I."),
        "retention_date": in_lang(lang, "31 december 2028", "December 31, 2028"),
        "destruction": in_lang(
            lang,
            "Inspelningar och kodnyckel raderas när uppsatsen är godkänd. Utskrifterna raderas "
            "den 31 december 2028.",
            "Recordings and the code key are deleted when the thesis is approved. The interview "
            "texts are deleted on December 31, 2028.",
        ),
    }
    return with_people(facts, [ANNA], SUPERVISOR)


def young(lang: str) -> dict:
    """Respondents aged 15–17, notes only, three authors, another legal basis."""
    facts = {
        **quiet(lang),
        "minors": "aged_15_17",
        "recording": "notes",
        "contact_source": "gatekeeper",
        "legal_basis": "other",
        "legal_basis_text": in_lang(
            lang,
            "En uppgift av allmänt intresse enligt universitetets beslut",
            "A task in the public interest, as the university has decided",
        ),
    }
    return with_people(facts, [ANNA, BILAL, CHEN], SUPERVISOR)


def empty(lang: str) -> dict:
    """A draft: every optional fact left empty, one author and no supervisor yet."""
    facts = {
        **quiet(lang),
        "university": "",
        "department": "",
        "level": "",
        "purpose": "",
        "method": "",
        "sample": "",
        "recruitment": "",
        "research_questions": [],
        "planned_interviews": None,
        "interviews_from": "",
        "interviews_to": "",
        "retention_plan": "",
        "controller": "",
        "data_protection_officer": "",
        "respondents": "",
        "contact_source": "",
        "recording": "",
        "minors": "",
        "withdrawal": "",
        "storage": "",
        "access": "",
        "retention_date": "",
        "destruction": "",
    }
    return with_people(facts, [ANNA], None)


def unusual(lang: str) -> dict:
    """The less common answers, with their explanations left empty."""
    facts = {
        **quiet(lang),
        "method": "",
        "interviews_to": "",
        "risk": True,
        "criminal": True,
        "legal_basis": "other",
        "contact_source": "other",
        "withdrawal": "keep_analysed",
        "publication": True,
        "recording": "video",
        "research_questions": [in_lang(lang, "Hur börjar man?", "How does one start?")],
        "purpose": in_lang(
            lang,
            "Studien ska beskriva det första året i yrket.",
            "The study describes the first year in the job.",
        ),
    }
    return with_people(facts, [ANNA, BILAL], None)


def young_children_draft(lang: str) -> dict:
    """Children under 15 in a draft with every optional fact empty."""
    return {**empty(lang), "minors": "under_15", "withdrawal": "destroy", "recording": "audio"}


def own_network(lang: str) -> dict:
    """Contacts from the students' own network; the plan gives no length for the interview."""
    method = in_lang(lang, "Enskilda intervjuer.", "One-to-one interviews.")
    return {**quiet(lang), "contact_source": "own_network", "method": method}


STUDIES = {
    "quiet": quiet,
    "everything": everything,
    "young": young,
    "empty": empty,
    "unusual": unusual,
    "young_children_draft": young_children_draft,
    "own_network": own_network,
}


def needs_of(facts: dict) -> list[str]:
    """Return the self-review's consequences these answers imply, mapped by hand."""
    found = set()
    if facts["minors"] == "under_15":
        found |= {Consequence.GUARDIAN_CONSENT, Consequence.CHILD_LETTER}
    if facts["minors"] == "aged_15_17":
        found.add(Consequence.YOUNG_PERSON_CONSENT)
    if facts["dependency"]:
        found.add(Consequence.LETTER_EXPLAINS_DEPENDENCY)
    if facts["risk"]:
        found.add(Consequence.LETTER_SUPPORT)
    if facts["sensitive"] or facts["criminal"]:
        found.add(Consequence.LETTER_SENSITIVE_DATA)
    if facts["recording"] == "audio":
        found.add(Consequence.CONSENT_ITEM_AUDIO)
    if facts["recording"] == "video":
        found.add(Consequence.CONSENT_ITEM_VIDEO)
    if facts["contact_source"] == "register":
        found.add(Consequence.LETTER_CONTACT_SOURCE)
    if facts["transfer"]:
        found.add(Consequence.LETTER_TRANSFER)
    if facts["publication"] or facts["research_project"]:
        found.add(Consequence.LETTER_FURTHER_USE)
    if facts["withdrawal"] == "keep_analysed":
        found.add(Consequence.LETTER_WITHDRAWAL_CHOICE)
    if facts["legal_basis"] == "consent":
        found.add(Consequence.LETTER_CONSENT_BASIS)
    return sorted(c.value for c in found)


def letter(app, study: str, lang: str, audience: str) -> dict[str, str]:
    """Return each generated section's text of one audience's letter, by section key."""
    facts = STUDIES[study](lang)
    needs = needs_of(facts)
    with app.test_request_context():
        return {
            section.key: section_text(section.key, audience, lang, facts)
            for section in sections_for(audience, needs)
            if not section.written
        }


def problems(text: str, lang: str) -> list[str]:
    """Return what is wrong with a text in any section of any letter."""
    found = []
    if not text.strip():
        found.append("empty")
    found += [f"leaves {left!r}" for left in LEFTOVERS if left in text]
    found += [f"persuasive: {finding.text!r}" for finding in persuasive(text, lang)]
    found += [f"long sentence: {sentence!r}" for sentence in long_sentences(text)]
    if "\n\n\n" in text:
        found.append("more than one blank line")
    if re.search(r"[ \t]+$|^[ \t]+|  ", text, re.MULTILINE):
        found.append("stray spaces")
    return found


# --- The facts -------------------------------------------------------------------------------


def test_the_facts_here_are_the_facts_the_letter_is_written_from():
    documented = generate.facts.__doc__
    for key in FACT_KEYS:
        assert re.search(rf"\b{key}\b", documented), key
    for study, make in STUDIES.items():
        for lang in GENERATED:
            assert sorted(make(lang)) == sorted(FACT_KEYS), (study, lang)


def test_the_studies_cover_the_combinations_asked_for():
    assert needs_of(quiet("sv")) == ["consent_item_audio"]
    assert set(needs_of(everything("sv"))) == {
        c.value for c in Consequence if c is not Consequence.DEBRIEFING
    } - {"consent_item_audio", "young_person_consent"}
    assert needs_of(young("sv")) == ["young_person_consent"]
    assert needs_of(empty("sv")) == []


def test_every_generated_section_has_its_templates_and_no_template_is_left_over():
    wanted = {
        f"{lang}/{section.key}.txt"
        for section in SECTIONS
        if not section.written
        for lang in GENERATED
    } | {
        f"{lang}/child/{section.key}.txt"
        for section in SECTIONS
        if section.child_heading is not None
        for lang in GENERATED
    }
    found = {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.txt")}
    assert found == wanted


# --- The main letter -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", GENERATED)
@pytest.mark.parametrize("study", STUDIES)
def test_every_section_makes_its_points_plainly(app, study, lang):
    facts = STUDIES[study](lang)
    needs = needs_of(facts)
    texts = letter(app, study, lang, MAIN)
    failures = []
    for section in sections_for(MAIN, needs):
        if section.written:
            continue
        text = texts[section.key]
        for point in required_points(section, needs):
            if not point_made(point, text, lang, facts):
                failures.append(f"{section.key}: point {point.key!r} not made")
        failures += [f"{section.key}: {problem}" for problem in problems(text, lang)]
        if lang == "sv" and lix(text) >= LIX_TARGET:
            failures.append(f"{section.key}: LIX {lix(text):.1f}")
    assert not failures, "\n".join(failures + ["", *texts.values()])


@pytest.mark.parametrize("study", STUDIES)
def test_the_whole_swedish_letter_is_easy_to_read_and_short(app, study):
    whole = "\n\n".join(letter(app, study, "sv", MAIN).values())
    assert lix(whole) < LIX_TARGET
    # About two and a half pages of the letter's PDF (the editor warns above two: the student
    # decides what to shorten); a study with every consequence needs every section and more.
    pages = LONG_LETTER_PAGES + 1 if study == "quiet" else LONG_LETTER_PAGES + 2
    assert estimate_pages(whole) <= pages


def test_the_letter_names_the_study_its_people_and_its_dates(app):
    facts = quiet("sv")
    texts = letter(app, "quiet", "sv", MAIN)
    assert "Institutionen för socialt arbete, Umeå universitet" in texts["request"]
    assert "Kandidatuppsats, 15 hp" in texts["request"]
    assert "Vi vill fråga om du vill delta" in texts["request"]
    assert "Syftet med studien är att undersöka" in texts["background"]
    assert "- Vilket stöd får de av kollegor?" in texts["background"]
    assert "mellan den 12 april 2027 och den 30 april 2027" in texts["procedure"]
    assert "Intervjun spelas in (ljud) om du samtycker till det" in texts["procedure"]
    assert "Du kan säga nej till inspelning och ändå delta" in texts["procedure"]
    assert "Du väljer plats" in texts["procedure"]
    # The plan's method gives the length: no second figure beside it.
    assert "45–60 minuter" in texts["procedure"] and "timme" not in texts["procedure"]
    assert "allmänt intresse, artikel 6.1 e i dataskyddsförordningen" in texts["legal_basis"]
    assert "30 juni 2028" in texts["retention"]
    assert "registerutdrag" in texts["rights"] and "invända" in texts["rights"]
    assert "Integritetsskyddsmyndigheten (IMY)" in texts["complaint"]
    assert "imy.se" in texts["complaint"]
    assert "DiVA" in texts["results"]
    for person in facts["contacts"]:
        assert f"- {person['name']}, {person['email']}" in texts["responsible"]


def test_one_author_writes_in_the_first_person_singular(app):
    sv = letter(app, "everything", "sv", MAIN)
    en = letter(app, "everything", "en", MAIN)
    assert sv["request"].startswith("Jag är student vid")
    assert "min studie" in sv["request"]
    assert en["request"].startswith("I am a student at")
    for texts in (sv, en):
        assert not re.search(r"\b(vi|oss|vår|vårt|våra|we|us|our)\b", texts["procedure"], re.I)


def test_the_answers_change_what_the_letter_says(app):
    everything_sv = letter(app, "everything", "sv", MAIN)
    assert "artikel 6.1 a" in everything_sv["legal_basis"]
    assert "- Hälsa\n- Ras eller etniskt ursprung\n- Brott" in everything_sv["data_handling"]
    assert "Bris, telefon 116 111" in everything_sv["risks"]
    assert "Zoom, i USA" in everything_sv["transfer"]
    assert "Om du inte säger något raderas allt" in everything_sv["withdrawal"]
    assert "båda samtycka" in everything_sv["minors"]
    assert "spelas in med bild och ljud (video)" in everything_sv["procedure"]
    assert "högst en timme" in everything_sv["procedure"]
    young_sv = letter(app, "young", "sv", MAIN)
    assert "15–17 år bestämmer du själv" in young_sv["minors"]
    assert "Intervjun spelas inte in" in young_sv["procedure"]
    assert "inspel" not in young_sv["procedure"]
    assert "universitetets beslut." in young_sv["legal_basis"]
    unusual_en = letter(app, "unusual", "en", MAIN)
    assert "What we have already analysed is kept" in unusual_en["withdrawal"]
    assert "You can also choose to have everything deleted" in unusual_en["withdrawal"]
    assert "which legal basis applies" in unusual_en["legal_basis"]
    assert "you can contact us, and we will help you" in unusual_en["risks"]
    assert "- Crime, suspicions of crime or convictions" in unusual_en["data_handling"]


def test_a_draft_with_empty_facts_leaves_out_what_is_unknown(app):
    unknown = {
        "sv": ("planerar att intervjua", "Intervjuerna", "sparas som längst", "Så här"),
        "en": ("plan to interview", "The interviews", "kept until", "This is how"),
    }
    for lang in GENERATED:
        texts = letter(app, "empty", lang, MAIN)
        whole = "\n\n".join(texts.values())
        for phrase in unknown[lang]:
            assert phrase not in whole, phrase
        # No dangling word where a fact would have stood.
        assert not re.search(r" (vid|at|den|on|between|mellan)[.,:]", whole), whole
        lines = whole.splitlines()
        for line, following in zip(lines, lines[1:] + [""], strict=True):
            # A line may end in a colon only to begin a list.
            assert not line.endswith((":", ",")) or following.startswith("- "), line


# --- The children's letter -------------------------------------------------------------------


CHILD_STUDIES = [s for s in STUDIES if "child_letter" in needs_of(STUDIES[s]("sv"))]


def test_there_are_children_to_write_for():
    assert CHILD_STUDIES == ["everything", "young_children_draft"]


@pytest.mark.parametrize("lang", GENERATED)
@pytest.mark.parametrize("study", CHILD_STUDIES)
def test_the_childrens_letter_makes_its_points_in_short_sentences(app, study, lang):
    facts = STUDIES[study](lang)
    needs = needs_of(facts)
    texts = letter(app, study, lang, CHILD)
    assert set(texts) == {s.key for s in SECTIONS if s.child_heading is not None}
    failures = []
    for section in sections_for(CHILD, needs):
        text = texts[section.key]
        for point in required_points(section, needs):
            if not point_made(point, text, lang, facts):
                failures.append(f"{section.key}: point {point.key!r} not made")
        failures += [f"{section.key}: {problem}" for problem in problems(text, lang)]
        failures += [
            f"{section.key}: sentence of {len(s.split())} words: {s!r}"
            for s in long_sentences(text, 15)
        ]
    if lang == "sv":
        whole = "\n\n".join(texts.values())
        if lix(whole) >= CHILD_LIX_TARGET:
            failures.append(f"LIX {lix(whole):.1f}")
    guardians = {"sv": "vårdnadshavare", "en": "guardians"}[lang]
    if guardians not in texts["request"]:
        failures.append("request: the guardians are not said to have been asked")
    assert not failures, "\n".join(failures + ["", *texts.values()])


# --- Every template, whatever the study ------------------------------------------------------


@pytest.mark.parametrize("lang", GENERATED)
def test_no_template_leaves_a_gap_for_any_study(app, lang):
    failures = []
    with app.test_request_context():
        for study, make in STUDIES.items():
            facts = make(lang)
            for audience, folder in ((MAIN, TEMPLATES / lang), (CHILD, TEMPLATES / lang / "child")):
                for path in sorted(folder.glob("*.txt")):
                    text = section_text(path.stem, audience, lang, facts)
                    failures += [
                        f"{study} {audience} {path.stem}: {left!r}"
                        for left in LEFTOVERS
                        if left in text
                    ]
                    if "\n\n\n" in text:
                        failures.append(f"{study} {audience} {path.stem}: blank lines")
    assert not failures, "\n".join(failures)
