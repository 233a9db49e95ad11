"""The layout rules the design keeps: one module alone imports each heavy dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: A heavy dependency → the one module under study/ that may import it.
SOLE_IMPORTERS = {
    "cryptography": "study/vault/age.py",
    "docx": "study/appendices/word.py",
    "weasyprint": "study/pdf.py",
}


def importers_of(package: str) -> set[str]:
    """Return the modules under study/ that import the package or one of its modules."""
    found = set()
    for path in sorted((ROOT / "study").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name == package or name.startswith(f"{package}.") for name in names):
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize(("package", "module"), sorted(SOLE_IMPORTERS.items()))
def test_one_module_alone_imports_a_heavy_dependency(package, module):
    assert importers_of(package) == {module}
