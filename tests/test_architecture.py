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


#: A package under study/ → a package of the application it must never import.
FORBIDDEN_IMPORTS = {
    # The vault seals and stores; pseudonymization builds its code key store from the vault.
    "study/vault": "study.pseudonymize",
}


def imported_modules(path: Path) -> set[str]:
    """Return the absolute names of what the module at path imports, relative imports resolved.

    For `from X import name`, both X and X.name are given, since name may be a module.
    """
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_relative_imports_are_resolved() -> None:
    names = imported_modules(ROOT / "study/consent/withdrawal.py")
    assert {"study.vault.service", "study.pseudonymize.store", "study.audit"} <= names


@pytest.mark.parametrize(("folder", "forbidden"), sorted(FORBIDDEN_IMPORTS.items()))
def test_a_package_does_not_import_what_depends_on_it(folder, forbidden):
    offending = {
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in imported_modules(path)
        if name == forbidden or name.startswith(f"{forbidden}.")
    }
    assert offending == set()
