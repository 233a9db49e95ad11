"""Replacement: inflection, case style, longest match, and one pseudonym across files."""

from __future__ import annotations

from study.pseudonymize import lexicon
from study.pseudonymize.apply import apply, apply_all, pseudonymize
from study.pseudonymize.codekey import Category, CodeKey, PseudonymStyle
from study.pseudonymize.pseudonyms import assign_pseudonyms


def key_of(*rows: tuple[str, Category, str | None]) -> CodeKey:
    key = CodeKey(seed="test")
    for term, category, pseudonym in rows:
        key.add(term, category, pseudonym)
    return key


def test_a_genitive_name_gets_the_genitive_pseudonym():
    key = key_of(("Sara", Category.PERSON, "Ilse"))
    assert apply("Saras mamma ringde Sara.", key) == "Ilses mamma ringde Ilse."


def test_names_ending_in_s_x_or_z_take_no_extra_s():
    key = key_of(("Jonas", Category.PERSON, "Max"), ("Sara", Category.PERSON, "Ines"))
    assert apply("Jonas bil och Saras väska, inte Jonass.", key) == (
        "Max bil och Ines väska, inte Jonass."
    )


def test_a_place_in_the_genitive_gets_the_placeholders_genitive():
    key = key_of(("Göteborg", Category.PLACE, None))
    assert apply("Göteborgs skolor och Göteborg.", key) == "[storstad]:s skolor och [storstad]."


def test_an_organisation_matches_its_definite_and_indefinite_forms():
    key = key_of(("Tallbergsskolan", Category.ORGANISATION, None))
    assert apply("Tallbergsskolan, Tallbergsskola och Tallbergsskolans elever.", key) == (
        "[skola], [skola] och [skola]:s elever."
    )


def test_the_longest_term_wins():
    key = key_of(("Per Gustafsson", Category.PERSON, "Nils Ek"), ("Per", Category.PERSON, "Olle"))
    assert apply("Per Gustafsson och Per.", key) == "Nils Ek och Olle."


def test_parts_of_a_full_name_follow_the_full_names_pseudonym():
    key = key_of(("Emelie Bergqvist", Category.PERSON, "Ilse Holm"))
    assert apply("Emelie Bergqvist. Tack, Emelie. Bergqvists rapport.", key) == (
        "Ilse Holm. Tack, Ilse. Holms rapport."
    )


def test_lowercase_matches_stay_lowercase():
    key = key_of(("Stig", Category.PERSON, "Nils"))
    text = "jag jobbar med Stig. alla känner stig. stig är snäll. det finns en stig där."
    assert apply(text, key) == (
        "jag jobbar med Nils. alla känner nils. nils är snäll. det finns en stig där."
    )


def test_matches_are_whole_words_only():
    key = key_of(("Ali", Category.PERSON, "Omar"))
    assert apply("Ali pratar om kvalitet och Alis väska, inte alibi.", key) == (
        "Omar pratar om kvalitet och Omars väska, inte alibi."
    )


def test_replacements_report_offsets_in_both_texts():
    key = key_of(("Leyla", Category.PERSON, "Sara"))
    result = pseudonymize("Hej Leyla!", key)
    [replacement] = result.replacements
    assert (replacement.start, replacement.end) == (4, 9)
    assert result.text[replacement.out_start : replacement.out_end] == "Sara"


def test_one_term_gets_one_pseudonym_across_files():
    key = CodeKey(seed="study-1")
    texts = [
        "Jag heter Emelie Bergqvist och bor i Borås.",
        "Emelie ringde från Borås.",
        "Där jobbar Leyla Karimi. Leyla ringde Emelie.",
    ]
    first = [r.text for r in apply_all(texts, key, accept=True)]
    invented = key.get("Emelie Bergqvist").pseudonym
    given = invented.split()[0]
    assert given in first[0] and given in first[1] and given in first[2]
    assert "[stad]" in first[0] and "[stad]" in first[1]
    assert "Emelie" not in " ".join(first) and "Leyla" not in " ".join(first)


def test_generated_pseudonyms_are_stable_and_avoid_every_name_in_the_texts():
    texts = ["Anna och Erik träffade Maria Svensson i Uppsala."]
    runs = []
    for _ in range(2):
        key = CodeKey(seed="fixed")
        apply_all(texts, key, accept=True)
        runs.append(key.rows())
    assert runs[0] == runs[1]
    words = set(texts[0].lower().replace(".", "").split())
    for _, _, pseudonym in runs[0]:
        assert not set(pseudonym.lower().split()) & words
    other = CodeKey(seed="another")
    apply_all(texts, other, accept=True)
    assert other.rows() != runs[0]


def test_invented_first_names_keep_gender_and_avoid_ordinary_words():
    key = key_of(
        ("Anna", Category.PERSON, None),
        ("Erik", Category.PERSON, None),
        ("Fatima", Category.PERSON, None),
    )
    assign_pseudonyms(key)
    names = lexicon.first_names()
    genders = [names[e.pseudonym.lower()].gender for e in key]
    assert genders == ["f", "m", "f"]
    assert names[key.get("Fatima").pseudonym.lower()].origin == "int"
    assert not {e.pseudonym.lower() for e in key} & lexicon.name_words()


def test_role_codes_when_the_study_prefers_them():
    key = CodeKey(seed="s", style=PseudonymStyle.ROLES)
    key.add("Per Lindahl", Category.PERSON)
    key.add("Leyla", Category.PERSON)
    key.add("Per", Category.PERSON)
    assign_pseudonyms(key)
    assert [e.pseudonym for e in key] == ["Person A", "Person B", "Person A"]
    assert apply("Per Lindahl och Leyla. Lindahl.", key) == "Person A och Person B. Person A."


def test_two_terms_with_the_same_placeholder_are_told_apart():
    key = key_of(
        ("Floda", Category.PLACE, None),
        ("Gråbo", Category.PLACE, None),
        ("070-174 06 23", Category.CONTACT, None),
        ("a@b.se", Category.CONTACT, None),
    )
    assign_pseudonyms(key)
    assert [e.pseudonym for e in key] == [
        "[mindre ort]",
        "[mindre ort 2]",
        "[telefonnummer]",
        "[e-postadress]",
    ]


def test_a_phone_number_is_replaced_whole_including_its_plus():
    key = key_of(
        ("+46 70 174 06 58", Category.CONTACT, None), ("19790914-2387", Category.ID_NUMBER, None)
    )
    assert apply("Ring +46 70 174 06 58, pn 19790914-2387.", key) == (
        "Ring [telefonnummer], pn [personnummer]."
    )
