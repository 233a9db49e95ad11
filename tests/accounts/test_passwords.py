"""The password check: common, guessable, Swedish, published and personal passwords."""

from __future__ import annotations

import time
from importlib import resources

import pytest
from zxcvbn import matching

from study.accounts import passwords, services
from study.demo import DEMO_ACCOUNTS
from study.errors import UserError

TOO_COMMON, PERSONAL = passwords.TOO_COMMON, passwords.PERSONAL
SARA = ("sara.svensson@example.org", "Sara Svensson")


@pytest.mark.parametrize(
    "password",
    [
        # In zxcvbn's lists or its patterns: sequences, keyboard rows, repeats.
        "1234567890",
        "password12",
        "qwertyuiop",
        "abc123abc123",
        "hejhejhejhej",
        # Swedish, which zxcvbn's English lists miss.
        "Lösenord123",
        "losenord123",
        "sommaren2024",
        "Stockholm1234",
        "Göteborg2024",
        "malmö12345",
        "hemligt123",
        "kärlek1234",
        "jagälskardig1",
        "kalleanka123",
        "Hammarby1897",
        "fotboll1234",
    ],
)
def test_common_and_guessable_passwords_are_refused(password):
    assert passwords.weakness(password) is TOO_COMMON
    assert passwords.weakness(password, SARA) is TOO_COMMON


ACCEPTED = [
    "correct horse battery",
    "ett långt lösenord",
    "handledarens lösenord",
    "kalle anka 123",
    # The other passwords the test suite chooses.
    "tio tecken!",
    "ett nytt lösenord",
    "nytt lösenord 2",
    "inkräktarens lösen",
    "ett annat lösen",
    "handledarens lösen",
    "någon annans gissning",
    "mitt eget långa lösen",
]


@pytest.mark.parametrize("password", ACCEPTED)
@pytest.mark.parametrize(
    "user_inputs",
    [
        (),
        ("student1@example.org", "Student 1"),
        ("sara@example.org", "Sara Student"),
        # The browser journey's supervisor chooses "handledarens lösenord".
        ("hanna@example.org", "Hanna Handledare"),
        ("nora@example.org", "Nora Nilsson"),
        SARA,
    ],
)
def test_passphrases_are_accepted(password, user_inputs):
    assert passwords.weakness(password, user_inputs) is None


@pytest.mark.parametrize(
    "password",
    [
        "sarasvensson1",
        "mitt namn är sara svensson",
        "sara.svensson@example.org",
        "SARA.SVENSSON rules the world",
        "nossnevs aras 12",
    ],
)
def test_passwords_built_from_the_name_or_address_are_refused(password):
    assert passwords.weakness(password, SARA) is PERSONAL
    assert passwords.weakness(password) is not PERSONAL


def test_one_word_of_the_name_refuses_only_a_weak_password_that_holds_it():
    assert passwords.weakness("Svensson-Ek rules the world", SARA) is None
    assert passwords.weakness("Svensson2024!", SARA) is PERSONAL


def test_a_short_name_refuses_only_a_weak_password_that_holds_it():
    anna = ("a.b@example.org", "Anna")
    assert passwords.weakness("anna12345678", anna) is PERSONAL
    # "annat" holds "anna", but the passphrase is strong.
    assert passwords.weakness("ett annat lösen", anna) is None


def test_the_address_domain_alone_is_not_personal():
    # "göteborg" holds "org": the password is refused as common, not as the user's own.
    assert passwords.weakness("Göteborg2024", ("x@example.org", "X")) is TOO_COMMON


def test_the_local_part_of_the_address_counts():
    assert passwords.weakness("kalle anka 123", ("kalle.anka@example.org", "K A")) is PERSONAL
    assert passwords.weakness("kalle anka 123", iter(["kalle.anka@example.org"])) is PERSONAL
    assert passwords.weakness("Kalle2024!", iter(["kalle.anka@example.org"])) is PERSONAL


@pytest.mark.parametrize("password", [row[3] for row in DEMO_ACCOUNTS])
def test_the_demo_passwords_are_always_refused(password):
    assert password in passwords.PUBLISHED
    assert passwords.weakness(password) is TOO_COMMON
    assert passwords.weakness(password.upper()) is TOO_COMMON
    assert passwords.weakness(f" {password} ") is TOO_COMMON
    assert passwords.weakness(f"{password}2") is TOO_COMMON


def test_the_swedish_list_ships_with_the_package():
    data = resources.files("study.accounts").joinpath("data", "common_passwords_sv.txt")
    text = data.read_text(encoding="utf-8")
    assert text.startswith("#")
    words = passwords.common_passwords_sv()
    assert len(words) >= 300
    assert len(words) == len(set(words))
    assert all(word == word.strip().lower() and not word.startswith("#") for word in words)
    assert {"lösenord", "sommar", "hemligt", "hejsan", "stockholm", "göteborg"} <= set(words)


def test_the_swedish_list_joins_zxcvbn_once(monkeypatch):
    passwords.weakness("ett långt lösenord")
    ranked = matching.RANKED_DICTIONARIES[passwords.SWEDISH]
    assert ranked["lösenord"] < ranked["göteborg"]
    assert all(word in ranked for word in passwords.PUBLISHED)
    added = []
    monkeypatch.setattr(matching, "add_frequency_lists", added.append)
    passwords.weakness("ett annat lösen")
    assert added == []


def test_the_user_inputs_stay_with_their_check():
    # zxcvbn's own entry point would leave them in its shared dictionaries for the next check.
    passwords.weakness("kalle anka 123", ("kalle.anka@example.org", "Kalle Anka"))
    assert "kalleanka" not in matching.RANKED_DICTIONARIES.get("user_inputs", {})
    assert passwords.weakness("kalle anka 123") is None


@pytest.mark.parametrize(
    "password",
    [
        "4@8({[<3691!|7|0$5+7%2" * 12,
        "a" * passwords.MAX_LENGTH,
        "Lösenord" * 32,
        "correct horse battery " * 11,
    ],
)
def test_long_passwords_are_checked_quickly(password):
    started = time.perf_counter()
    passwords.weakness(password, SARA)
    assert time.perf_counter() - started < 2


def test_the_rules_refuse_with_the_message_on_the_password_field():
    with pytest.raises(UserError) as refused:
        services.check_password_rules("Stockholm1234", *SARA)
    assert refused.value.message is TOO_COMMON and refused.value.field == "password"
    with pytest.raises(UserError) as refused:
        services.check_password_rules("sara svensson 1", *SARA)
    assert refused.value.message is PERSONAL
    services.check_password_rules("correct horse battery", *SARA)
