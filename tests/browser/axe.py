"""Accessibility checks in the browser tests: axe-core's WCAG 2.0/2.1 A and AA rules on a page.

axe-core comes from the npm registry, as `make test` fetches the age test vectors: the first
check that finds no `.venv/axe-core/axe.min.js` runs `npm pack axe-core@AXE_VERSION` into
that folder and takes the one file it needs out of the tarball. Without npm the check skips
with one line (and fails in CI, which installs npm).
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from functools import cache
from pathlib import Path

from ..conftest import require

#: The axe-core release the checks run; a different one in .venv/axe-core is fetched anew.
AXE_VERSION = "4.10.2"
AXE_DIR = Path(__file__).resolve().parents[2] / ".venv" / "axe-core"
AXE_SCRIPT = AXE_DIR / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: what Swedish public-sector services must meet (DOS-lagen).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: How many of a violation's elements the failure names.
SHOWN_TARGETS = 3

# How axe gets into a page under the app's Content-Security-Policy, "default-src 'self'"
# (study/security.py: no inline scripts, no eval):
# - page.add_script_tag(content=…) adds an inline <script>, which Chromium refuses ("Executing
#   inline script violates the following Content Security Policy directive"): axe never loads.
# - page.evaluate(source) hands the script to Chromium over the DevTools protocol, not as a
#   <script> element, so the inline-script rule does not apply (Playwright's own evaluate works
#   this way under any policy). That is what is used here.
# - axe.run() then runs under the page's policy as served: eval and new Function are refused in
#   the page outside the evaluate call itself, and axe.run() (4.10) evaluates no strings. The
#   context keeps its CSP (no bypass_csp), so the pages are checked with the headers they have.
_LOADED = """() => typeof window.axe !== "undefined" && window.axe.version"""
_RUN = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.map((t) => [].concat(t).join(" >>> ")).join(" ")),
  }));
}"""


def _installed() -> bool:
    """Tell whether the pinned axe-core is in .venv/axe-core (its banner names the version)."""
    if not AXE_SCRIPT.exists():
        return False
    with AXE_SCRIPT.open(encoding="utf-8") as script:
        return f"axe v{AXE_VERSION}" in script.read(200)


def _fetch() -> None:
    """Fetch axe-core from the npm registry and keep axe.min.js from its tarball."""
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["npm", "pack", "--silent", f"axe-core@{AXE_VERSION}"],
            cwd=AXE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        require(False, f"npm pack axe-core@{AXE_VERSION} timed out: accessibility checks skipped")
    last = (done.stderr.strip().splitlines() or [""])[-1]
    require(
        done.returncode == 0,
        f"npm pack axe-core@{AXE_VERSION} failed ({last}): accessibility checks skipped",
    )
    tarball = AXE_DIR / f"axe-core-{AXE_VERSION}.tgz"
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None, f"{tarball} has no package/axe.min.js"
        source = member.read()
    # Written whole and then renamed: a check running alongside never reads half a file.
    partial = AXE_SCRIPT.with_suffix(".js.part")
    partial.write_bytes(source)
    partial.replace(AXE_SCRIPT)
    tarball.unlink()


@cache
def axe_source() -> str:
    """Return axe-core's script, fetching it once; skip (fail in CI) where npm is missing."""
    if not _installed():
        require(
            shutil.which("npm") is not None,
            f"npm not found: accessibility checks skipped (apt-get install npm, or put "
            f"axe-core {AXE_VERSION}'s axe.min.js at {AXE_SCRIPT})",
        )
        _fetch()
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it stands."""
    source = axe_source()
    if page.evaluate(_LOADED) != AXE_VERSION:
        # A string, not a function: Playwright evaluates it as a script (see the note above).
        page.evaluate(source)
    assert page.evaluate(_LOADED) == AXE_VERSION, "axe-core did not load into the page"
    return page.evaluate(_RUN, list(WCAG_TAGS))


def describe(found: list[dict]) -> str:
    """Return one line a violation: its rule, impact and help, and the first elements."""
    lines = []
    for violation in found:
        targets = violation["targets"]
        shown = ", ".join(targets[:SHOWN_TARGETS])
        more = f" (and {len(targets) - SHOWN_TARGETS} more)" if len(targets) > SHOWN_TARGETS else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}: {shown}{more}"
        )
    return "\n".join(lines)


def assert_accessible(page, *, context: str) -> None:
    """Fail, listing each violation, if axe-core finds the page breaks a WCAG A or AA rule.

    :param context: what the page is ("the letter's editor, Arabic"), named in the failure.
    """
    found = violations(page)
    assert not found, (
        f"{len(found)} accessibility violation(s) on {context} ({page.url}):\n{describe(found)}"
    )
