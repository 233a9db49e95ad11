"""Password guessing against one address slows down; its owner is never locked out."""

from __future__ import annotations

import re

import pytest

from study.accounts import throttle

WRONG = "fel lösenord!"


def attempt(client, email: str, password: str = WRONG, ip: str = "127.0.0.1"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_the_first_mistakes_cost_nothing_and_then_each_one_waits_longer():
    assert [throttle.delay_for(n) for n in range(throttle.FREE_FAILURES)] == [0] * 5
    delays = [throttle.delay_for(n) for n in range(throttle.FREE_FAILURES, 30)]
    assert delays == sorted(delays) and delays[0] >= 1
    assert max(delays) == throttle.MAX_DELAY_SECONDS <= 15 * 60


@pytest.mark.parametrize(
    "spelling",
    [
        "OWNER@EXAMPLE.ORG",
        "owner@ｅｘａｍｐｌｅ.ｏｒｇ",  # fullwidth letters in the domain
        "ｏｗｎｅｒ@example.org",  # fullwidth letters in the local part
    ],
)
def test_spelling_the_address_differently_counts_against_the_same_account(
    client, make_user, spelling
):
    owner = make_user(email="owner@example.org")
    for _ in range(throttle.FREE_FAILURES + 1):
        attempt(client, spelling)
    # The right password, in yet another spelling, must wait like every other attempt.
    response = attempt(client, "Owner@Example.Org", "correct horse battery")
    assert response.status_code == 400
    assert "Vänta" in response.get_data(as_text=True)
    assert client.get("/studies").status_code == 302
    assert owner.email == "owner@example.org"


def test_failures_spread_over_many_addresses_still_count_for_the_account(app, make_user):
    make_user(email="owner@example.org")
    for n in range(throttle.FREE_FAILURES + 1):
        attempt(app.test_client(), "owner@example.org", ip=f"10.0.0.{n + 1}")
    assert throttle.seconds_to_wait("owner@example.org") > 0


def test_the_owner_gets_back_in_at_once_through_a_reset_link(app, client, make_user):
    owner = make_user(email="owner@example.org")
    for n in range(10):
        attempt(app.test_client(), owner.email, ip=f"10.0.1.{n + 1}")
    wait = throttle.seconds_to_wait(owner.email)
    assert 0 < wait <= throttle.MAX_DELAY_SECONDS
    client.post("/password/forgot", data={"email": owner.email})
    link = re.search(r"http://localhost(/password/reset/\S+)", app.extensions["outbox"][0].body)
    new = {"password": "ett nytt lösenord", "confirm": "ett nytt lösenord"}
    assert client.post(link.group(1), data=new).status_code == 302
    assert throttle.seconds_to_wait(owner.email) == 0
    client.post("/logout")
    assert attempt(client, owner.email, "ett nytt lösenord").status_code == 302


def test_ten_wrong_passwords_do_not_lock_the_owner_out_for_an_hour(app, make_user):
    owner = make_user(email="owner@example.org")
    for n in range(10):
        attempt(app.test_client(), owner.email, ip=f"10.0.2.{n + 1}")
    assert throttle.seconds_to_wait(owner.email) <= 2 ** (10 - throttle.FREE_FAILURES)


def test_a_wait_is_the_same_for_an_address_without_an_account(client):
    for _ in range(throttle.FREE_FAILURES + 1):
        attempt(client, "ingen@example.org")
    assert throttle.seconds_to_wait("ingen@example.org") > 0


def test_a_successful_log_in_clears_the_count(client, make_user):
    owner = make_user(email="owner@example.org")
    for _ in range(throttle.FREE_FAILURES - 1):
        attempt(client, owner.email)
    assert attempt(client, owner.email, "correct horse battery").status_code == 302
    client.post("/logout")
    for _ in range(throttle.FREE_FAILURES - 1):
        attempt(client, owner.email)
    assert throttle.seconds_to_wait(owner.email) == 0
