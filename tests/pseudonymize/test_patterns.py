"""Each pattern detector on valid and invalid input."""

from __future__ import annotations

import pytest

from study.pseudonymize.codekey import Category
from study.pseudonymize.suggest import GENERALISE, review, suggest


def found(text: str) -> list[tuple[str, str]]:
    return [(s.text, s.category.value) for s in suggest(text)]


@pytest.mark.parametrize(
    "number",
    [
        "19790914-2387",
        "790914-2387",
        "197909142387",
        "7909142387",
        "200107224420",
        "110602-2385",
        "1212121212",
        "121212+1212",
    ],
)
def test_a_valid_personnummer_is_an_id_number(number):
    assert found(f"Hon skrev {number} på lappen.") == [(number, "id_number")]


@pytest.mark.parametrize("number", ["19790914-2388", "790914-2380", "200107224421", "7909142380"])
def test_a_personnummer_with_a_wrong_check_digit_is_still_one_and_says_so(number):
    (suggestion,) = suggest(f"Hon skrev {number} på lappen.")
    assert (suggestion.text, suggestion.category) == (number, Category.ID_NUMBER)
    assert suggestion.reason == "personnummer (fel kontrollsiffra)"


@pytest.mark.parametrize("number", ["991332-1234", "790231-2387", "19791301-2387"])
def test_a_number_whose_date_cannot_be_is_no_personnummer(number):
    assert not [f for f in found(f"Hon skrev {number} på lappen.") if f[1] == "id_number"]


@pytest.mark.parametrize(
    "phone",
    [
        "070-174 06 23",
        "0701740623",
        "070-1740649",
        "+46 70 174 06 58",
        "+46701740658",
        "08-123 456 78",
        "08-465 004 37",
        "031-12 34 56",
        "0046 70 174 06 58",
        "+46 (0)70-174 06 88",
        "070 174 06 23",
    ],
)
def test_swedish_phone_formats_are_contacts(phone):
    assert found(f"Ring {phone} i kväll.") == [(phone, "contact")]


@pytest.mark.parametrize(
    "text",
    [
        "Klockan [00:01:22] började vi.",
        "Det kostade 1 500 kronor.",
        "Hon är född 2009 och går i nian.",
        "Vi var 12 345 deltagare.",
    ],
)
def test_numbers_that_are_not_identifiers_are_left_alone(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mejla leyla.karimi@trappsteget.se i dag.", "leyla.karimi@trappsteget.se"),
        ("Skriv till info@forening-x.org.", "info@forening-x.org"),
        ("Läs på www.ljusglimten-ostersund.se.", "www.ljusglimten-ostersund.se"),
        ("Se https://example.org/sida?id=4 där.", "https://example.org/sida?id=4"),
    ],
)
def test_email_and_urls_are_contacts(text, expected):
    assert found(text) == [(expected, "contact")]


@pytest.mark.parametrize(
    "address",
    [
        "Lärkstigen 7",
        "Storgatan 12B",
        "Tenstagången 12",
        "Ystadvägen 44 B",
        "Kungsgatan 3, lgh 1102",
    ],
)
def test_street_addresses_with_numbers_are_places(address):
    assert found(f"Hon bor på {address} sedan i våras.") == [(address, "place")]


def test_postal_codes_before_a_town_or_after_the_word_postnummer():
    assert ("123 45", "place") in found("Adressen är Storgatan 1, 123 45 Lerum.")
    assert ("12345", "place") in found("Mitt postnummer 12345 stämmer inte.")
    assert found("Det var 123 45 och något.") == []


@pytest.mark.parametrize(
    "date", ["17/2 2009", "14 oktober -81", "3 maj 1951", "1962-04-18", "5/11-98", "den 3 maj"]
)
def test_a_date_after_fodd_is_a_date_of_birth(date):
    text = f"Hon är född {date} och bor här."
    expected = date.removeprefix("den ")
    assert (expected, "date_of_birth") in found(text)


def test_other_exact_dates_are_quasi_identifiers_to_consider():
    items = review("Mötet var 14 oktober 2023 och hon var sexton år.")
    flagged = {(s.text, s.action) for s in items}
    assert ("14 oktober 2023", GENERALISE) in flagged
    assert ("sexton år", GENERALISE) in flagged
    assert all(s.category is Category.OTHER for s in items)


def test_ages_but_not_durations_are_flagged():
    flagged = {
        s.text for s in review("Han var sexton då. Jag har jobbat här i elva år, hon är 16 år.")
    }
    assert "sexton" in flagged and "16 år" in flagged
    assert "elva år" not in flagged


def test_a_rare_job_title_is_flagged_but_a_common_one_is_not():
    flagged = {s.text for s in review("Jag är volontärsamordnare och han är lärare.")}
    assert "volontärsamordnare" in flagged
    assert "lärare" not in flagged


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Skicka det till Ängsvägen 4, 443 31 i Lerum.", "443 31"),
        ("adressen är storgatan 2, 352 30 växjö.", "352 30"),
        ("Postnumret är 12345, postnummer 123 45 alltså.", "123 45"),
    ],
)
def test_postal_codes_after_an_address_or_before_a_town_in_any_case(text, code):
    assert (code, "place") in found(text)


@pytest.mark.parametrize("address", ["storgatan 5", "Gamla Kungsvägen 14 b", "ringvägen 121"])
def test_lowercase_and_two_word_street_addresses(address):
    assert (address, "place") in found(f"hon bor på {address} nu.")


def test_a_date_said_in_words_after_fodd_is_a_date_of_birth():
    spans = found("Han är född tredje maj nittiofem, tror jag.")
    assert ("tredje maj nittiofem", "date_of_birth") in spans


def test_ten_digits_from_zero_are_a_personnummer_when_they_are_one():
    assert found("Hans nummer är 0104121686 tror jag.") == [("0104121686", "id_number")]
    assert found("Ring 0701740645 i morgon.") == [("0701740645", "contact")]
    assert found("Personnummer 0104121686.") == [("0104121686", "id_number")]
