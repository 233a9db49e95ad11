"""The code key: CSV in and out, and the storage interface."""

from __future__ import annotations

import io

import pytest

from study.pseudonymize.codekey import (
    Category,
    CodeKey,
    CodeKeyError,
    CsvKeyStore,
    MemoryKeyStore,
)


def test_a_key_reads_term_category_and_optional_pseudonym():
    key = CodeKey.from_csv(io.StringIO("term,category,pseudonym\nSara,PER,Ilse\nLerum,place\n"))
    assert [(e.term, e.category, e.pseudonym) for e in key] == [
        ("Sara", Category.PERSON, "Ilse"),
        ("Lerum", Category.PLACE, None),
    ]


def test_a_key_round_trips_through_csv(tmp_path):
    key = CodeKey.from_csv(io.StringIO('Emelie Bergqvist,person,Ilse Holm\n"Ek, AB",ORG,\n'))
    path = tmp_path / "key.csv"
    key.to_csv(path)
    again = CodeKey.from_csv(path)
    assert again.rows() == key.rows()


@pytest.mark.parametrize(
    "content",
    ["Sara\n", "Sara,alien\n", ",PER\n", "Sara,PER,Ilse,extra\n", "Sara,PER\nsara,LOC\n"],
)
def test_a_malformed_key_is_refused_with_the_row(content):
    with pytest.raises(CodeKeyError, match="row"):
        CodeKey.from_csv(io.StringIO(content))


def test_terms_are_case_insensitive_and_added_once():
    key = CodeKey()
    first = key.add("Leyla", Category.PERSON)
    assert key.add("LEYLA", Category.PERSON) is first
    assert key.get("leyla") is first and len(key) == 1


def test_stores_keep_the_key(tmp_path):
    key = CodeKey(seed="s")
    key.add("Sara", Category.PERSON, "Ilse")
    for store in (CsvKeyStore(tmp_path / "k.csv", seed="s"), MemoryKeyStore()):
        store.save(key)
        assert store.load().rows() == key.rows()
    assert CsvKeyStore(tmp_path / "missing.csv").load().rows() == []
