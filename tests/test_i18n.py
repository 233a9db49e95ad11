"""Languages: Swedish by default, English complete, and a catalog with nothing missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "study" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def test_every_interface_string_has_a_swedish_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "--ignore-dirs=.venv .* _* tests bench", "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = wanted - translated
    assert not missing, (
        f"{len(missing)} strings lack a Swedish translation, e.g. {sorted(map(str, missing))[:5]}"
    )


def test_placeholders_survive_translation():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalog:
        if not (message.id and message.string):
            continue
        # A plural message has its forms as tuples; each translated form keeps the placeholders.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(placeholder.findall(ids[-1]))
        for string in strings:
            assert sorted(placeholder.findall(string)) == wanted, message.id


def test_the_interface_is_swedish_by_default_and_english_on_request(client):
    page = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    assert page.html["lang"] == "sv"
    assert page.select_one("main h1").get_text(strip=True) == "Logga in"
    switch = page.select_one('.languages a[hreflang="en"]')["href"]
    client.get(switch)
    page = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    assert page.html["lang"] == "en"
    assert page.select_one("main h1").get_text(strip=True) == "Log in"


def test_the_language_switch_only_goes_back_to_this_site(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_form_errors_follow_the_language(client):
    client.get("/language/en")
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your e-mail address." in page
    client.get("/language/sv")
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your e-mail address." not in page
