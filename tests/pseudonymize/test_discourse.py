"""Lowercase transcripts: a word shown once to be a name is a name wherever it reads as one."""

from __future__ import annotations

import pytest

from study.pseudonymize.apply import apply_all
from study.pseudonymize.codekey import Category, CodeKey
from study.pseudonymize.suggest import suggest


def found(text: str, category: Category = Category.PERSON) -> list[str]:
    return [s.text for s in suggest(text) if s.category is category]


LINES = "[00:00:05] I: okej. berätta lite\n[00:00:09] R: ja. {}\n[00:00:20] I: mm. och sen\n"


@pytest.mark.parametrize(
    ("said", "names"),
    [
        # a verb of naming, then every other use that reads as the name
        (
            "det finns en tjej som heter saga. saga och jag pratade. det blev ingen lycklig saga.",
            ["saga", "saga"],
        ),
        # a nickname beside the full name, then said alone
        (
            "jag heter sebastian örn, alla säger seb. tack seb sa hon.",
            ["sebastian örn", "seb", "seb"],
        ),
        # apposition with "han heter"
        (
            "en kille, ibbe, han heter ibrahim egentligen. ibbe kom hit i våras.",
            ["ibbe", "ibrahim", "ibbe"],
        ),
        # a genitive before a word for a person
        ("storms mamma ringde. storm lyssnar inte på mig. det var storm ute.", ["storms", "storm"]),
        # coordinated with a listed name
        ("jag har två barn, alve och tyra.", ["alve", "tyra"]),
        # a name that is also a verb: the verb after a modal stays
        ("vi hade ett möte med mamman och vilja. jag skulle vilja säga mer.", ["vilja"]),
    ],
)
def test_lowercase_names_follow_their_evidence(said, names):
    assert found(LINES.format(said)) == names


def test_a_person_noun_is_no_name():
    text = LINES.format("familjehemsmamman ringde mig. kuratorn och jag pratade.")
    assert found(text) == []


def test_a_unit_named_after_its_kind_is_an_organisation():
    text = LINES.format("fritidsgården kometen har tjejgrupp. kometens ledare heter jonas.")
    assert found(text, Category.ORGANISATION) == ["fritidsgården kometen", "kometens"]


def test_a_lowercase_line_in_a_capitalised_transcript_counts_as_lowercase():
    text = (
        "[00:00:05] R: Det var Lova som ringde. Hon är sexton nu.\n"
        "[00:00:09] I: vad fint. hur ser lovas kontakt ut med familjen?\n"
        "[00:00:12] R: Bra. Lova Berg har en lillebror.\n"
    )
    assert "lovas" in found(text)


def test_apply_replaces_what_the_context_gave_away():
    text = LINES.format("hon heter saga. saga var åtta. en saga är en berättelse.")
    (result,) = apply_all([text], CodeKey(), accept=True)
    assert result.text.count("saga") == 1  # only the ordinary word is left
    assert "en saga är" in result.text


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("vi ringde ulrika westin-haddad i går.", ("ulrika westin-haddad", Category.PERSON)),
        ("det var bror lindqvist som ringde.", ("bror lindqvist", Category.PERSON)),
        ("vi har en kvinna, maj som hon vill bli kallad.", ("maj", Category.PERSON)),
        ("han bor på norra kungsgatan 9 nu.", ("norra kungsgatan 9", Category.PLACE)),
        (
            "han jobbade på lindbacka metall ab förut.",
            ("lindbacka metall ab", Category.ORGANISATION),
        ),
        ("vi handlade på ica maxi flygstaden.", ("ica maxi flygstaden", Category.ORGANISATION)),
        (
            "han bodde på stödboendet kastanjen då.",
            ("stödboendet kastanjen", Category.ORGANISATION),
        ),
        ("sen ringde göran lindh från kyrkan.", ("göran lindh", Category.PERSON)),
        ("det var tuva som såg det först.", ("tuva", Category.PERSON)),
        (
            "vi slussar till tjejjouren dalälven ibland.",
            ("tjejjouren dalälven", Category.ORGANISATION),
        ),
        ("sen kom rolf hägg och hämtade henne.", ("rolf hägg", Category.PERSON)),
        ("hans föräldrar kom från kraljevo i serbien.", ("kraljevo", Category.PLACE)),
    ],
)
def test_lowercase_forms(said, expected):
    found_here = [(s.text, s.category) for s in suggest(LINES.format(said))]
    assert expected in found_here


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hon läser på Luleå tekniska universitet nu.",
            ("Luleå tekniska universitet", "organisation"),
        ),
        ("Många föräldrar jobbar på LKAB i gruvan.", ("LKAB", "organisation")),
        (
            "Vi samarbetar med Familjehemmens vänner i Umeå.",
            ("Familjehemmens vänner i Umeå", "organisation"),
        ),
        ("Han kom hit från Łódź för att jobba.", ("Łódź", "place")),
        ("Hon har handledning med en präst från Skara stift.", ("Skara stift", "organisation")),
        ("Hon är född 12.03.1987 enligt passet.", ("12.03.1987", "date_of_birth")),
        ("Vi tog emot en flicka. Saga, hon var fem då.", ("Saga", "person")),
        ("Hembageriet Guldkanten bakar åt oss.", ("Hembageriet Guldkanten", "organisation")),
        ("Ja. Saga. Hon var tjugotvå då.", ("Saga", "person")),
        ("Hon bodde i en by, Risbäck, fem mil bort.", ("Risbäck", "place")),
        (
            "Och så har vi Hyresgästföreningen Navestad.",
            ("Hyresgästföreningen Navestad", "organisation"),
        ),
        (
            "Vi ringer Skuldrådgivningen i Norrköping.",
            ("Skuldrådgivningen i Norrköping", "organisation"),
        ),
        ("Han dömdes i Falu tingsrätt till slut.", ("Falu tingsrätt", "organisation")),
        ("Vi går till fritidsgården Kulan.", ("Kulan", "organisation")),
    ],
)
def test_capitalised_forms(text, expected):
    assert expected in [(s.text, s.category.value) for s in suggest(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Vi jobbar med BBIC och har en SIP med skolan. Han går på SFI.",
        "Som diakon i Svenska kyrkan har jag tystnadsplikt.",
        "Ring mottagningen om du behöver.",
        "IPS står för Individual Placement and Support, alltså stöd till jobb.",
        "Hon fick en plats i Bostad först, en egen lägenhet.",
        "Vi fick stöd från Specialpedagogiska skolmyndigheten kring en elev.",
        "är det missbruket som gör att han mår dåligt",
    ],
)
def test_methods_national_bodies_and_imperatives_are_left_alone(text):
    assert [s.text for s in suggest(text)] == []


def test_a_key_name_after_an_inverted_subject_is_replaced():
    key = CodeKey()
    key.add("Saga", Category.PERSON, "Ilse")
    text = LINES.format("sen träffade vi saga igen. då ringde jag saga om det.")
    (result,) = apply_all([text], key)
    assert "saga" not in result.text


def test_the_key_alone_reproduces_what_accepting_replaced():
    text = LINES.format("min kollega heter dag. jag pratade med dag om det. dag efter dag.")
    key = CodeKey()
    (accepted,) = apply_all([text], key, accept=True)
    (again,) = apply_all([text], key)
    assert again.text == accepted.text
    assert accepted.text.count("dag efter dag") == 1  # the ordinary words stay


def test_an_accepted_name_missing_from_the_key_joins_it_instead_of_vanishing():
    from study.pseudonymize.apply import pseudonymize
    from study.pseudonymize.suggest import Suggestion

    key = CodeKey()
    suggestion = Suggestion(4, 8, "saga", Category.PERSON, "", "Saga")
    result = pseudonymize("hej saga!", key, [suggestion])
    assert key.get("Saga") is not None
    assert (
        result.text.startswith("hej ") and result.text.endswith("!") and "saga" not in result.text
    )
    assert len(result.text) > len("hej !")


def test_a_unit_named_after_its_kind_stays_on_its_line():
    text = "Vi pratade om det med Anna.\nFritidsgården Kometen har öppet."
    found_here = [(s.text, s.category.value) for s in suggest(text)]
    assert ("Anna", "person") in found_here
    assert all("\n" not in s for s, _ in found_here)


@pytest.mark.parametrize(
    "said",
    [
        "förskolan pedagogerna var bra.",
        "tjejen skolkade och killen snattade.",
        "då sa han skämtsamt att det var lugnt.",
        "det var stökigt, kaotiskt, hon var helt slut.",
        "vi hade gympa och jag var trött.",
        "projektet heter framtid och kursen heter grundkurs.",
        "det heter typ familjebehandling.",
        "hon kom från ett utvecklingsland, han från en fiskeby.",
        "han fixade ett eget hyreskontrakt och jag hjälpte till.",
        "det var barnets vilja, sen till maj, dag efter dag.",
    ],
)
def test_ordinary_lowercase_speech_gives_no_names(said):
    text = LINES.format("min kollega heter dag och maj och vilja. " + said)
    said_at = text.index(said)
    assert [s.text for s in suggest(text) if s.start >= said_at] == []


def test_a_hedge_between_naming_verb_and_name_keeps_the_name():
    assert found(LINES.format("han heter faktiskt storm, hans mamma är hippie.")) == ["storm"]


def test_a_unit_named_like_a_noun_is_the_noun_in_lowercase_in_a_capitalised_line():
    text = "Vi går till Kvarnen på tisdagar. Kön till kvarnen på gården är lång."
    assert [s.text for s in suggest(text)] == ["Kvarnen"]


@pytest.mark.parametrize(
    "said",
    [
        "vi var hos saga igår.",
        "vänta tills saga kommer hem.",
        "sen var saga sjuk i en vecka.",
        "är saga hemma nu?",
        "jag pratade med saga igår.",
    ],
)
def test_a_key_name_is_replaced_after_prepositions_copulas_and_from_a_full_name(said):
    key = CodeKey()
    key.add("Saga Lind", Category.PERSON, "Ebba Berg")
    (result,) = apply_all([LINES.format(said)], key)
    assert "saga" not in result.text.lower()


def test_a_suggestion_to_generalise_is_left_to_the_student():
    from study.pseudonymize.apply import pseudonymize
    from study.pseudonymize.suggest import GENERALISE, Suggestion

    age = Suggestion(4, 9, "34 år", Category.OTHER, "ålder", "34 år", action=GENERALISE)
    assert pseudonymize("hon 34 år", CodeKey(), [age]).text == "hon 34 år"


@pytest.mark.parametrize(
    "text",
    [
        "Sen flyttade vi till staden, Vi trivdes där.",
        "I: När flyttade ni hit? R: Maj. Det var tjugonitton.",
        "det var storm som gjorde att båten inte gick, sa han.",
        "jag tog dom rosa, sen gick jag.",
        "de interrailade i italien hela sommaren.",
        "vi döpte katten efter mormor och ni kallas ju socialarbetare.",
    ],
)
def test_second_review_misfires_give_nothing(text):
    assert [s.text for s in suggest(text)] == []


def test_an_english_named_workplace_after_pa_is_an_organisation():
    assert ("Friends", "organisation") in [
        (s.text, s.category.value) for s in suggest("Hon är volontär på Friends sedan i våras.")
    ]
