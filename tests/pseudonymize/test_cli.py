"""The command line as docs/design.md gives it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from study.pseudonymize.__main__ import main

TEXT = "[00:00:15] R: Jag heter Emelie Bergqvist. Ring 070-174 06 23. Bos pappa, han var sexton.\n"


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_suggest_prints_json_with_offsets_into_the_file(tmp_path, capsys):
    source = write(tmp_path / "t.txt", TEXT)
    assert main(["suggest", str(source)]) == 0
    items = json.loads(capsys.readouterr().out)
    for item in items:
        assert {"start", "end", "text", "category"} <= item.keys()
        assert TEXT[item["start"] : item["end"]] == item["text"]
    replace = {i["text"]: i["category"] for i in items if i["action"] == "replace"}
    assert replace == {"Emelie Bergqvist": "person", "070-174 06 23": "contact"}
    assert any(i["action"] == "consider generalising" for i in items)


def test_apply_writes_each_file_under_its_name_consistently(tmp_path):
    one = write(tmp_path / "a.txt", TEXT)
    two = write(tmp_path / "b.txt", "Emelie ringde från Floda.\n")
    key = write(tmp_path / "key.csv", "term,category\nEmelie Bergqvist,PER\nFloda,LOC\n")
    out = tmp_path / "out"
    assert main(["apply", str(one), str(two), "--key", str(key), "--out", str(out)]) == 0
    first, second = (out / "a.txt").read_text(), (out / "b.txt").read_text()
    assert "Emelie" not in first + second and "Floda" not in second
    assert first.split("heter ")[1].split()[0] == second.split()[0]
    assert "070-174 06 23" in first  # not in the key and suggestions not accepted
    assert (
        main(["apply", str(one), "--key", str(key), "--accept-suggestions", "--out", str(out)]) == 0
    )
    assert "070-174 06 23" not in (out / "a.txt").read_text()


def test_failures_exit_non_zero_with_one_line(tmp_path, capsys):
    good = write(tmp_path / "t.txt", TEXT)
    bad_key = write(tmp_path / "bad.csv", "Emelie,alien\n")
    latin1 = write(tmp_path / "l.txt", "Jag heter Åsa".encode("latin-1"))
    cases = [
        ["suggest", str(tmp_path / "missing.txt")],
        ["apply", str(good), "--key", str(bad_key), "--out", str(tmp_path / "o")],
        ["suggest", str(latin1)],
    ]
    for argv in cases:
        assert main(argv) == 1
        error = capsys.readouterr().err
        assert error.startswith("error: ") and error.count("\n") == 1


def test_the_module_runs_as_a_command(tmp_path):
    source = write(tmp_path / "t.txt", TEXT)
    done = subprocess.run(
        [sys.executable, "-m", "study.pseudonymize", "suggest", str(source)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)
    missing = subprocess.run(
        [sys.executable, "-m", "study.pseudonymize", "apply", str(source), "--out", "x"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
