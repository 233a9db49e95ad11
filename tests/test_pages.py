"""Pages as every user meets them: errors announced, required fields marked, colours readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from study.accounts.models import Role

STYLESHEET = Path(__file__).resolve().parents[1] / "study" / "static" / "style.css"

# Where the focus ring is drawn (the backgrounds of the page around a control), and the fills
# of controls, which the ring's halo sits against. Every background in style.css is one of them.
SURFACES = ("--paper", "--soft", "--warn-soft", "--bad-soft", "--ok-soft")
CONTROL_FILLS = ("--accent",)
FOCUSABLE = ("a", "button", "input", "select", "textarea", ".error-summary")

# Colour pairs the stylesheet puts together: text needs 4.5:1, borders that identify a
# control or its state need 3:1 (WCAG 1.4.3 and 1.4.11).
TEXT_PAIRS = [
    ("--ink", "--warn-soft"),
    ("--bad", "--bad-soft"),
    ("--ok", "--ok-soft"),
    ("--ink", "--paper"),
    ("--ink", "--soft"),
    ("--muted", "--paper"),
    ("--muted", "--soft"),
    ("--accent", "--paper"),
    ("--accent", "--soft"),
    ("--accent-ink", "--accent"),
    ("--ok", "--paper"),
    ("--warn", "--paper"),
    ("--bad", "--paper"),
]
UI_PAIRS = [
    ("--field-line", "--paper"),
    ("--bad", "--paper"),
    ("--accent", "--paper"),
]


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


# --- Errors --------------------------------------------------------------------------------

REFUSED_FORMS = [
    pytest.param(None, "/login", id="log in"),
    pytest.param(None, "/register", id="register"),
    pytest.param(None, "/password/forgot", id="forgot password"),
    pytest.param(Role.STUDENT, "/studies/new", id="new study"),
    pytest.param(Role.STUDENT, "/account/password", id="change password"),
]


@pytest.mark.parametrize(("role", "url"), REFUSED_FORMS)
@pytest.mark.parametrize(("language", "prefix"), [("sv", "Fel: "), ("en", "Error: ")])
def test_a_refused_form_says_so_first_in_the_title_and_moves_focus_to_the_errors(
    client, auth, make_user, role, url, language, prefix
):
    if role is not None:
        auth.login(make_user(role))
    client.get(f"/language/{language}")
    response = client.post(url, data={})
    assert response.status_code == 400
    html = page(response)
    assert html.title.get_text().startswith(prefix)
    summary = html.select_one(".error-summary")
    assert summary is not None
    assert summary.has_attr("autofocus")
    assert summary["tabindex"] == "-1"
    assert html.select("[autofocus]") == [summary], "only the summary may take the focus"


@pytest.mark.parametrize(("role", "url"), REFUSED_FORMS)
def test_a_form_shown_for_the_first_time_has_no_error_in_its_title(
    client, auth, make_user, role, url
):
    if role is not None:
        auth.login(make_user(role))
    html = page(client.get(url))
    assert not html.title.get_text().startswith("Fel")
    assert html.select_one(".error-summary") is None
    assert not html.select("[autofocus]")


# --- Required fields -----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "marker"), [("sv", "(obligatoriskt)"), ("en", "(required)")])
def test_required_fields_say_so_in_their_label(client, language, marker):
    client.get(f"/language/{language}")
    html = page(client.get("/register"))
    fields = html.select("main form input:not([type=hidden])")
    assert len(fields) == 4
    for field in fields:
        assert field.has_attr("required")
        label = html.select_one(f'label[for="{field["id"]}"]')
        line = label.find_parent(class_="field-label").get_text(" ", strip=True)
        assert line == f"{label.get_text(strip=True)} {marker}"


def test_only_required_fields_are_marked_in_the_plan(client, auth, make_user):
    auth.login(make_user())
    html = page(client.get("/studies/new"))
    marked = {
        line.label["for"]
        for line in html.select("main form .field-label")
        if "(obligatoriskt)" in line.get_text()
    }
    required = {field["id"] for field in html.select("main form [required]")}
    assert marked == required == {"title"}


# --- Dashboard -----------------------------------------------------------------------------


def test_a_new_study_does_not_claim_its_steps_are_approved(client, auth, make_user, make_study):
    student = make_user()
    study = make_study(student)
    auth.login(student)
    html = page(client.get(f"/studies/{study.id}"))
    waiting = html.select("ol.steps > li.status-not_started")
    assert len(waiting) >= 4
    for step in waiting:
        assert "godkänd" not in step.get_text(" ", strip=True).lower(), step
    assert len(html.find_all(string=re.compile("Godkänns av handledaren"))) == 4


def test_a_new_study_in_english_says_which_steps_need_approval(client, auth, make_user, make_study):
    student = make_user()
    study = make_study(student)
    auth.login(student)
    client.get("/language/en")
    html = page(client.get(f"/studies/{study.id}"))
    text = html.select_one("ol.steps").get_text(" ", strip=True)
    assert "Approved by" not in text
    assert text.count("Needs the supervisor's approval.") == 4


# --- Colours -------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    """Relative luminance of a #rgb or #rrggbb colour (WCAG 2.1)."""
    hexa = colour.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    channels = [int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_known_ratios():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#f0b400", "#ffffff") == pytest.approx(1.87, abs=0.01)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def rules() -> list[tuple[list[str], dict[str, str]]]:
    """Each rule of style.css as its selectors and its declarations."""
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    parsed = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        parsed.append(([s.strip() for s in selectors.split(",")], declarations))
    return parsed


def variables() -> dict[str, str]:
    root = [d for selectors, d in rules() if selectors == [":root"]]
    return {name: value for name, value in root[0].items() if name.startswith("--")}


def colour_in(value: str) -> str:
    """The one colour a declaration's value names, through a variable or directly."""
    found = re.search(r"var\((--[\w-]+)\)|(#[0-9a-fA-F]{3,6})\b", value)
    assert found, f"no colour in {value!r}"
    return variables()[found[1]] if found[1] else found[2]


def focus_rule() -> tuple[list[str], dict[str, str]]:
    """The rule that draws the focus ring of links (and, it is checked, every other control)."""
    for selectors, declarations in rules():
        if "a:focus-visible" in selectors:
            return selectors, declarations
    raise AssertionError("style.css has no a:focus-visible rule")


def test_every_focusable_element_shares_the_focus_rule():
    selectors, _declarations = focus_rule()
    assert set(FOCUSABLE) <= {selector.split(":")[0] for selector in selectors}


def test_the_focus_ring_stands_out_on_every_background():
    _selectors, rule = focus_rule()
    width = re.search(r"(\d+(?:\.\d+)?)px", rule["outline"])
    assert width and float(width[1]) >= 2
    ring = colour_in(rule["outline"])
    halo = colour_in(rule["box-shadow"]) if "box-shadow" in rule else None
    for surface in SURFACES:
        assert contrast(ring, variables()[surface]) >= 3, f"focus ring on {surface}"
    if halo is None:
        return  # Between the ring and the control, the offset shows the surface.
    assert contrast(ring, halo) >= 3, "focus ring against its halo"
    for fill in CONTROL_FILLS:
        assert contrast(halo, variables()[fill]) >= 3, f"focus halo against {fill}"


def test_every_background_is_a_surface_or_a_control_fill():
    known = {variables()[name] for name in SURFACES + CONTROL_FILLS}
    for selectors, declarations in rules():
        for name in ("background", "background-color"):
            value = declarations.get(name)
            if value and value not in ("none", "transparent"):
                assert colour_in(value) in known, f"{selectors}: classify {value} in this test"


def test_every_colour_is_a_named_variable():
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    outside_root = re.sub(r":root\s*\{[^}]*\}", "", css)
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b|rgba?\(", outside_root)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_are_readable(text, background):
    colours = variables()
    assert contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize(("line", "background"), UI_PAIRS)
def test_control_borders_are_visible(line, background):
    colours = variables()
    assert contrast(colours[line], colours[background]) >= 3
