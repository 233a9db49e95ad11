"""Words that are both names and ordinary words: context decides."""

from __future__ import annotations

import pytest

from study.pseudonymize.apply import apply
from study.pseudonymize.codekey import Category, CodeKey
from study.pseudonymize.suggest import suggest


def names(text: str, key: CodeKey | None = None) -> list[str]:
    return [s.text for s in suggest(text, key) if s.category is Category.PERSON]


CASES = [
    # (text, the names that must be found, in order)
    (
        "Min chef, Per Lindahl, bestämmer. Men Per sitter inte i samtalen. Pers uppdrag är "
        "budgeten. Per vecka blir det femton timmar, och en summa per månad.",
        ["Per Lindahl", "Per", "Pers"],
    ),
    (
        "Vi hade en kille, Bo, han var sexton. Bos pappa flyttade och frågan var var han skulle bo. "
        "Bo hos mamman gick inte. Bo hörde av sig i våras.",
        ["Bo", "Bos", "Bo"],
    ),
    (
        "Kollegan Björn Ek ringde. Björn sa att jag blev som en björn. Det var en björn i skogen.",
        ["Björn Ek", "Björn"],
    ),
    (
        "Det fanns en tjej i nian, Rosa. Rosa lappar, alltid. Rosas pappa flyttade. "
        "Hon skickade ett vykort med en rosa ros på.",
        ["Rosa", "Rosas"],
    ),
    (
        "Dag Wallin är mentor. Dag har varit mentor i tre år. Dag ut och dag in pluggade de.",
        ["Dag Wallin", "Dag"],
    ),
    (
        "På skolan finns Liv, hon är vägledare. Liv ringer varje fredag. Det gör skillnad i nåns liv.",
        ["Liv", "Liv"],
    ),
    (
        "Skolsköterskan, Ros Ekman, och jag jobbar tätt. Ros ser eleverna. Man får både ros och ris.",
        ["Ros Ekman", "Ros"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_names_that_are_also_words_are_found_only_as_names(text, expected):
    assert names(text) == expected


def test_lowercase_transcript_names_follow_context():
    text = (
        "ja jag jobbar med Stig Nordin. jag och stig gick runt i typ ett halvår. alla känner stig. "
        "stigs grej är lugnet. det finns en stig bakom centrum. där träffade vi leila. "
        "leilas mamma ringde. vi räknar samtal per kväll."
    )
    assert names(text) == ["Stig Nordin", "stig", "stig", "stigs", "leila", "leilas"]


def test_the_verb_bo_and_per_manad_survive_apply_while_the_names_change():
    key = CodeKey()
    key.add("Bo", Category.PERSON, "Oskar")
    key.add("Per", Category.PERSON, "Nils")
    text = "Bo fick bo på ett boende. Per sa att det kostar 500 per månad. Bos rum."
    assert (
        apply(text, key)
        == "Oskar fick bo på ett boende. Nils sa att det kostar 500 per månad. Oskars rum."
    )


def test_known_neutral_names_are_not_suggested():
    text = (
        "Hon fick hjälp av Försäkringskassan och Migrationsverket, kom från Somalia och "
        "hittade oss på Facebook och snapchat. Pengarna kom från Arvsfonden."
    )
    assert suggest(text) == []


def test_acronyms_for_methods_are_not_suggested_but_a_university_is():
    found = [
        (s.text, s.category.value)
        for s in suggest("Allt ska in i BBIC, det är NPM. Han läser på KTH.")
    ]
    assert found == [("KTH", "organisation")]


def test_places_and_organisations_from_context():
    found = {
        (s.text, s.category.value)
        for s in suggest(
            "Vi gick runt Aspen och till fritidsgården Kulan. Sen till Nordost Boxning och "
            "Lerums gymnasium, och Boxningsklubben Kämpa i Valsätra. Men skolan mäts på betyg."
        )
    }
    assert found == {
        ("Aspen", "place"),
        ("Kulan", "organisation"),
        ("Nordost Boxning", "organisation"),
        ("Lerums gymnasium", "organisation"),
        ("Boxningsklubben Kämpa", "organisation"),
        ("Valsätra", "place"),
    }


def test_a_capitalised_word_mid_sentence_is_a_name_even_when_it_is_also_a_word():
    assert "Sol" in names("Vi pratade länge med Sol om det.")
    assert "sol" not in [n.lower() for n in names("Det var sol hela dagen.")]


def test_a_definite_noun_written_with_a_capital_names_an_organisation():
    found = {s.text: s.category for s in suggest("Vi samarbetar med Fyren om läxhjälp.")}
    assert found.get("Fyren") is Category.ORGANISATION


def test_acronyms_of_laws_and_methods_are_not_names():
    assert names("Det styrs av SoL och vi har SIP-möten varje månad.") == []


def test_a_colon_genitive_is_replaced_whole():
    key = CodeKey()
    key.add("Max", Category.PERSON, "Olle")
    assert apply("Max:s mamma ringde till Max.", key) == "Olles mamma ringde till Olle."


def test_water_and_place_names_are_known_by_their_endings():
    found = {s.text: s.category for s in suggest("Vi gick runt Gransjön och sedan hem.")}
    assert found.get("Gransjön") is Category.PLACE
    found = {s.text: s.category for s in suggest("vi gick runt gransjön och sedan hem. hon sa ja.")}
    assert found.get("gransjön") is Category.PLACE


@pytest.mark.parametrize(
    "name",
    ["Barn- och ungdomshabiliteringen i Umeå", "Kultur- och fritidsförvaltningen", "Ek & Son AB"],
)
def test_organisations_joined_by_och_or_ending_in_ab_are_one_name(name):
    found = {s.text: s.category for s in suggest(f"Hon har kontakt med {name} sedan i våras.")}
    assert found.get(name) is Category.ORGANISATION


def test_an_institution_with_its_place_is_one_organisation_a_named_one_keeps_its_place_apart():
    found = {s.text: s.category for s in suggest("Vi ringde Socialtjänsten i Lerum om det.")}
    assert found.get("Socialtjänsten i Lerum") is Category.ORGANISATION
    found = {s.text: s.category for s in suggest("Hon går på Tallbergsskolan i Gottsunda nu.")}
    assert found.get("Tallbergsskolan") is Category.ORGANISATION
    assert found.get("Gottsunda") is Category.PLACE
