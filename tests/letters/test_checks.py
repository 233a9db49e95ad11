"""The letter checks: LIX, long sentences, persuasive wording, jargon and length."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from flask_babel import force_locale

from study.letters import checks
from study.letters.checks import (
    JARGON,
    LONG_LETTER,
    PERSUASIVE,
    SUMMARY_REQUIRED,
    estimate_pages,
    jargon,
    length_warning,
    lix,
    lix_band,
    long_sentences,
    persuasive,
    read_list,
    sentences,
)

DATA_FILES = sorted(
    path.name for path in resources.files("study.letters").joinpath("data").iterdir()
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Words: Du får frågor om ditt arbete (6) | Intervjun tar en timme (4) |
        # Vill du delta (3) = 13. Sentences: 3 (. ! ?). Long (> 6 letters): Intervjun (9) = 1;
        # frågor and arbete have six letters, not more.
        # LIX = 13/3 + 100 × 1/13 = 4.333 + 7.692 = 12.026
        pytest.param(
            "Du får frågor om ditt arbete. Intervjun tar en timme! Vill du delta?",
            13 / 3 + 100 / 13,
            id="plain",
        ),
        # Words: Vi intervjuar t.ex. lärare bl.a. i Umeå (7) | Samtalet spelas in dvs. vi
        # sparar ljudet (7) | Det tar ca. 45 minuter (5) = 19; each abbreviation is one word
        # and "45" is a word. Sentences: 3, since t.ex. bl.a. dvs. ca. end none.
        # Long: intervjuar (10), Samtalet (8), minuter (7) = 3; t.ex has 3 letters, 45 none.
        # LIX = 19/3 + 100 × 3/19 = 6.333 + 15.789 = 22.123
        pytest.param(
            "Vi intervjuar t.ex. lärare, bl.a. i Umeå. Samtalet spelas in, dvs. vi sparar "
            "ljudet. Det tar ca. 45 minuter.",
            19 / 3 + 300 / 19,
            id="abbreviations",
        ),
        # A heading, a colon and a bullet list. Sentences: "Dina rättigheter" (2 words, ends
        # at the line break) | "Du kan:" (2) | "avbryta intervjun när du vill" (5) |
        # "begära att få se dina uppgifter" (6) | "Kontakta mig om du har frågor." (6)
        # = 5 sentences, 21 words; the markers "-" are not words, and a marker ends the
        # sentence before it although the item begins with a small letter.
        # Long: rättigheter (11), avbryta (7), intervjun (9), uppgifter (9), Kontakta (8) = 5;
        # begära and frågor have six letters.
        # LIX = 21/5 + 100 × 5/21 = 4.2 + 23.810 = 28.010
        pytest.param(
            "Dina rättigheter\nDu kan:\n- avbryta intervjun när du vill\n"
            "- begära att få se dina uppgifter\nKontakta mig om du har frågor.",
            21 / 5 + 500 / 21,
            id="heading-and-bullets",
        ),
        # A line wrapped by hand: the next line begins with a small letter, so 1 sentence.
        # Words: Studien pågår under 2027 och omfattar e-postintervjuer med 12 personer = 10.
        # Long: Studien (7), omfattar (8), e-postintervjuer (15 letters: the hyphen is not
        # one), personer (8) = 4; 2027 and 12 have no letters.
        # LIX = 10/1 + 100 × 4/10 = 10 + 40 = 50
        pytest.param(
            "Studien pågår under 2027 och\nomfattar e-postintervjuer med 12 personer.",
            50.0,
            id="wrapped-line-compound-numbers",
        ),
        # A numbered list: "1." and "2." are markers, not words or sentences.
        # Words: Syfte, Metod = 2; sentences 2; long 0. LIX = 2/2 + 0 = 1
        pytest.param("1. Syfte\n2. Metod", 1.0, id="numbered-list"),
        pytest.param("", 0.0, id="empty"),
        pytest.param(" \n- \n", 0.0, id="no-words"),
    ],
)
def test_lix(text, expected):
    assert lix(text) == pytest.approx(expected)


def test_sentences_end_at_stops_but_not_in_abbreviations_or_numbers():
    text = "Läs mer på www.example.org. Ring mig (t.ex. kl. 14.30) i morgon.\n\nTack!"
    assert sentences(text) == [
        "Läs mer på www.example.org.",
        "Ring mig (t.ex. kl. 14.30) i morgon.",
        "Tack!",
    ]


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "Very easy to read"),
        (29.9, "Very easy to read"),
        (30, "Easy to read"),
        (checks.LIX_TARGET - 0.1, "Easy to read"),
        (checks.LIX_TARGET, "Medium difficulty"),
        (50, "Hard to read"),
        (60, "Very hard to read"),
        (95, "Very hard to read"),
    ],
)
def test_lix_bands(app, value, band):
    with app.test_request_context(), force_locale("en"):
        assert str(lix_band(value)) == band


def test_long_sentences():
    short = "Du kan avbryta när du vill."
    # 30 words, with an abbreviation and a line wrapped by hand inside the one sentence:
    # Under intervjun som tar ungefär en timme (7) frågar jag t.ex. om hur du planerar (14)
    # lektionerna hur du samarbetar med kollegor (20) och vad du tycker om de nya (27)
    # riktlinjerna för bedömning (30).
    long = (
        "Under intervjun, som tar ungefär en timme, frågar jag t.ex. om hur du planerar\n"
        "lektionerna, hur du samarbetar med kollegor och vad du tycker om de nya riktlinjerna "
        "för bedömning."
    )
    assert long_sentences(f"{short} {long}") == [long]
    assert long_sentences(long, limit=30) == []
    assert long_sentences(" ".join(["ord"] * 25) + ".") == []
    assert long_sentences(" ".join(["ord"] * 26) + ".") == [" ".join(["ord"] * 26) + "."]
    assert long_sentences(short, limit=5) == [short]


@pytest.mark.parametrize(
    ("text", "lang", "marked"),
    [
        ("Detta är en UNIK MÖJLIGHET att påverka.", "sv", "UNIK MÖJLIGHET"),
        ("Du får den unika möjligheten att berätta.", "sv", "unika möjligheten"),
        ("Det är viktigt att du deltar.", "sv", "viktigt att du deltar"),
        ("Det är mycket viktigt att ni medverkar.", "sv", "viktigt att ni medverkar"),
        ("Vi räknar med dig!", "sv", "räknar med dig"),
        ("Missa inte chansen.", "sv", "Missa inte"),
        ("Intervjun tar bara 20 minuter.", "sv", "tar bara"),
        ("Ditt deltagande\när avgörande.", "sv", "Ditt deltagande\när avgörande"),
        ("Du hjälper oss mycket.", "sv", "hjälper oss"),
        ("Hjälp oss att förstå skolan!", "sv", "Hjälp oss"),
        ("Nästan alla deltar redan.", "sv", "alla deltar"),
        ("Vi behöver just dig.", "sv", "Vi behöver just dig"),
        ("Deltagandet är gratis.", "sv", "gratis"),
        ("Som belöning får du en biobiljett.", "sv", "belöning"),
        ("This is a Unique Opportunity.", "en", "Unique Opportunity"),
        ("It is important that you take part.", "en", "important that you take part"),
        ("We are counting on you.", "en", "counting on you"),
        ("Don’t miss this chance!", "en", "Don’t miss"),
        ("It only takes ten minutes.", "en", "only takes"),
        ("Your participation is crucial.", "en", "Your participation is crucial"),
        ("As a reward, you get a cinema ticket.", "en", "reward"),
    ],
)
def test_persuasive_wording_is_marked(text, lang, marked):
    [finding] = persuasive(text, lang)
    assert (finding.text, finding.message) == (marked, PERSUASIVE)
    assert text[finding.start : finding.end] == marked


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Det är viktigt att du vet att du kan avbryta när du vill.", "sv"),
        ("Deltagandet är frivilligt.", "sv"),
        # Not marked: thanks say nothing of duty, stakes or reward, and "om du vill" leaves
        # the choice open. Nearly every letter ends so; a mark here would be ignored, and
        # teach the student to ignore the rest.
        ("Vi är tacksamma om du vill delta.", "sv"),
        ("Intervjun tar ungefär 45 minuter.", "sv"),
        ("Vi räknar med att intervjun tar en timme.", "sv"),
        ("Vi behöver digitala verktyg.", "sv"),
        ("Du kommer att få frågor om ditt arbete.", "sv"),
        ("Kontakta mig om du behöver hjälp.", "sv"),
        ("It is important that you know you can stop at any time.", "en"),
        ("Taking part is voluntary, and you are free to withdraw.", "en"),
        ("Feel free to contact me.", "en"),
        ("We would be grateful if you took part.", "en"),
    ],
)
def test_neutral_wording_is_not_marked(text, lang):
    assert persuasive(text, lang) == []


def test_overlapping_phrases_are_marked_once():
    # "tar bara" and "bara några minuter" overlap; the earlier one is kept.
    assert [f.text for f in persuasive("Det tar bara några minuter.")] == ["tar bara"]


def test_jargon_marks_the_first_use_of_each_term_with_its_offsets():
    text = "Vi transkriberar samtalet. Transkriberingen och kodnyckeln följer GDPR-reglerna."
    findings = jargon(text)
    # "Vi " is 3 characters, transkriberar 13 (→ 16), " samtalet. " 11, Transkriberingen 16
    # (→ 43; the same term again, not marked), " och " 5, kodnyckeln 10 (48 → 58),
    # " följer " 8, GDPR 4 (66 → 70), marked apart from "-reglerna".
    assert [(f.start, f.end, f.text) for f in findings] == [
        (3, 16, "transkriberar"),
        (48, 58, "kodnyckeln"),
        (66, 70, "GDPR"),
    ]
    assert all(f.message is JARGON for f in findings)
    assert [f.text for f in jargon("We asked for informed consent.", "en")] == ["informed consent"]


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="de"):
        persuasive("Hallo", "de")


@pytest.mark.parametrize(
    ("words", "warning"),
    [
        (0, None),
        (2 * checks.WORDS_PER_PAGE, None),  # 2 pages: not more than two
        (2 * checks.WORDS_PER_PAGE + 1, LONG_LETTER),
        (5 * checks.WORDS_PER_PAGE, LONG_LETTER),
        (5 * checks.WORDS_PER_PAGE + 1, SUMMARY_REQUIRED),
    ],
)
def test_page_estimate_and_its_thresholds(words, warning):
    pages = estimate_pages("ord " * words)
    assert pages == words / checks.WORDS_PER_PAGE
    assert length_warning(pages) is warning


def test_messages_render(app):
    with app.test_request_context(), force_locale("en"):
        assert "longer than 2 pages" in str(LONG_LETTER)
        assert "longer than 5 pages" in str(SUMMARY_REQUIRED)
        assert "persuade" in str(PERSUASIVE)
        assert "explain" in str(JARGON).lower()


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_files_load_without_duplicates(name):
    text = resources.files("study.letters").joinpath("data", name).read_text(encoding="utf-8")
    assert text.startswith("#"), "a header says what the list is and why"
    entries = read_list(name)
    assert entries and len(entries) == len(set(entries))
    assert all(entry == entry.lower() for entry in entries)


@pytest.mark.parametrize("kind", ["persuasive", "jargon"])
@pytest.mark.parametrize("lang", checks.LANGUAGES)
def test_every_phrase_finds_its_plain_form(kind, lang):
    find = persuasive if kind == "persuasive" else jargon
    for phrase in read_list(f"{kind}_{lang}.txt"):
        # Each word's first choice, without its "*": "viktig* att du/ni" → "viktig att du".
        plain = " ".join(re.sub(r"\*$", "", word.split("/")[0]) for word in phrase.split())
        assert [f.text for f in find(f"Se {plain}.", lang)] == [plain], phrase
