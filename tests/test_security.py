"""Request-wide protection: cookies, headers, CSRF, rate limits, error pages."""

from __future__ import annotations

import os
import socket

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from study.accounts.models import Role, User
from study.db import get_session

from .conftest import make_app, require


def test_outside_debug_the_session_cookie_is_host_bound_and_secure(
    app_config, monkeypatch, tmp_path, make_user
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "prod"))
    production = make_app({**app_config, "TESTING": False, "EXTERNAL_URL": "https://localhost"})
    assert production.config["SESSION_COOKIE_NAME"] == "__Host-session"
    client = production.test_client()
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery"},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert "Strict-Transport-Security" in response.headers
    production.extensions["db_engine"].dispose()


def test_the_instance_secret_key_is_private(app_config, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "fresh"))
    application = make_app({**app_config, "SECRET_KEY": None})
    key_file = tmp_path / "fresh" / "secret_key"
    assert application.config["SECRET_KEY"] == key_file.read_text().strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    application.extensions["db_engine"].dispose()


def test_an_instance_folder_from_the_checkout_is_made_private(app_config, monkeypatch, tmp_path):
    checkout = tmp_path / "checkout-instance"
    checkout.mkdir(mode=0o755)
    monkeypatch.setenv("INSTANCE_PATH", str(checkout))
    make_app(app_config).extensions["db_engine"].dispose()
    assert checkout.stat().st_mode & 0o777 == 0o700


def test_every_page_has_a_strict_content_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for tag in page.select("[src], link[href]"):
        url = tag.get("src") or tag.get("href")
        assert url.startswith("/"), f"asset from elsewhere: {url}"


def test_every_form_needs_its_csrf_token(app_config, monkeypatch, tmp_path, make_user):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "csrf"))
    application = make_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = application.test_client()
    posts = sorted({r.rule for r in application.url_map.iter_rules() if "POST" in r.methods})
    for rule in posts:
        url = (
            rule.replace("<int:study_id>", "1")
            .replace("<int:user_id>", "1")
            .replace("<int:respondent_id>", "1")
            .replace("<int:transcript_id>", "1")
            .replace("<int:export_id>", "1")
            .replace("<int:active>", "1")
            .replace("<token>", "x")
        )
        response = client.post(url, data={"email": "a@example.org"})
        assert response.status_code == 400, rule
        assert BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
            ".error-page h1"
        ), rule
    application.extensions["db_engine"].dispose()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("url", "code"), [("/finns-inte", 404), ("/admin/users", 403)])
def test_error_pages_are_in_the_apps_style_and_language(client, auth, make_user, lang, url, code):
    auth.login(make_user())
    client.get(f"/language/{lang}")
    response = client.get(url)
    assert response.status_code == code
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["lang"] == lang
    assert page.select_one(".error-page h1").get_text(strip=True)
    assert page.select_one("link[rel=stylesheet]")


ERROR_TITLES = {
    413: {"sv": "För stor", "en": "Too large"},
    500: {"sv": "Något gick fel", "en": "Something went wrong"},
}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_too_large_request_gets_the_413_page(client, lang):
    client.get(f"/language/{lang}")
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["lang"] == lang
    assert ERROR_TITLES[413][lang] in page.select_one(".error-page h1").get_text()
    assert page.select_one("link[rel=stylesheet]")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_unexpected_error_gets_the_500_page_and_nothing_is_kept(
    app_config, monkeypatch, tmp_path, lang
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "boom"))
    application = make_app(
        {**app_config, "TESTING": False, "DEBUG": False, "EXTERNAL_URL": "https://localhost"}
    )

    @application.get("/boom")
    def boom():
        db = get_session()
        db.add(User(email="half@example.org", name="Half", password_hash="x"))
        db.flush()
        raise RuntimeError("boom")

    client = application.test_client()
    client.get(f"/language/{lang}", base_url="https://localhost")
    response = client.get("/boom", base_url="https://localhost")
    assert response.status_code == 500
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["lang"] == lang
    assert ERROR_TITLES[500][lang] in page.select_one(".error-page h1").get_text()
    with Session(application.extensions["db_engine"]) as db:
        assert db.exec(select(User).where(User.email == "half@example.org")).first() is None
    application.extensions["db_engine"].dispose()


def limited_app(app_config, storage: str):
    return make_app(
        {**app_config, "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": storage}
    )


def test_log_in_attempts_are_rate_limited(app_config, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "rl"))
    application = limited_app(app_config, "memory://")
    client = application.test_client()
    codes = [
        client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    application.extensions["db_engine"].dispose()


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_rate_limits_can_live_in_redis_for_several_workers(app_config, monkeypatch, tmp_path):
    require(redis_reachable(), "Redis is not running at 127.0.0.1:6379")
    import redis

    redis.Redis().flushdb()
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "redis"))
    first = limited_app(app_config, "redis://127.0.0.1:6379")
    second = limited_app(app_config, "redis://127.0.0.1:6379")
    data = {"email": f"redis-{os.getpid()}@example.org", "password": "x"}
    codes = [first.test_client().post("/login", data=data).status_code for _ in range(2)]
    codes += [second.test_client().post("/login", data=data).status_code for _ in range(2)]
    assert codes == [400, 400, 400, 429]
    for application in (first, second):
        application.extensions["db_engine"].dispose()
    redis.Redis().flushdb()


def test_outside_development_mail_is_neither_printed_nor_kept(
    app_config, monkeypatch, tmp_path, make_user, capsys
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "prod"))
    application = make_app(
        {**app_config, "TESTING": False, "DEBUG": False, "EXTERNAL_URL": "https://localhost"}
    )
    user = make_user()
    client = application.test_client()
    client.post("/password/forgot", data={"email": user.email}, base_url="https://localhost")
    assert len(application.extensions["outbox"]) == 0
    assert "/password/reset/" not in capsys.readouterr().out
    admin = make_user(Role.ADMIN)
    client.post(
        "/login",
        data={"email": admin.email, "password": "correct horse battery"},
        base_url="https://localhost",
    )
    assert client.get("/admin/outbox", base_url="https://localhost").status_code == 404
    application.extensions["db_engine"].dispose()


def test_behind_a_proxy_each_visitor_has_their_own_rate_limit(app_config, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "proxied"))
    application = make_app({**app_config, "LOGIN_RATE_LIMIT": "2 per minute", "PROXY_HOPS": 1})
    client = application.test_client()

    def attempt(address: str) -> int:
        return client.post(
            "/login",
            data={"email": f"{address}@example.org", "password": "x"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("10.0.0.1") for _ in range(3)][-1] == 429
    assert attempt("10.0.0.2") == 400
    application.extensions["db_engine"].dispose()
