"""Where code key terms came from: the respondents whose material gave rise to them.

A respondent who withdraws takes back the terms only their transcripts produced; terms
other respondents' material also produced, and terms added by hand, stay.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from study.pseudonymize.codekey import Category, CodeKey, MemoryKeyStore
from study.pseudonymize.models import CodeKeyRow
from study.pseudonymize.store import SealedKeyStore
from study.vault import contexts
from study.vault.age import new_wrapping_key, seal

SARA, AHMED = 1, 2


def _key_from_two_interviews() -> CodeKey:
    key = CodeKey(seed="s3cret")
    key.add("Sara Lindqvist", Category.PERSON, source=SARA)
    key.add("Lerum", Category.PLACE, "[ort]", source=SARA)
    key.add("Ahmed", Category.PERSON, source=AHMED)
    key.add("Göteborg", Category.PLACE, source=SARA)
    key.add("Göteborg", Category.PLACE, source=AHMED)
    key.add("Röda Korset", Category.ORGANISATION)  # by hand
    return key


def test_a_term_found_in_a_transcript_remembers_whose_it_was() -> None:
    key = CodeKey()
    entry = key.add("Sara Lindqvist", Category.PERSON, source=SARA)
    assert entry.sources == {SARA}


def test_a_term_added_by_hand_has_no_sources() -> None:
    key = CodeKey()
    assert key.add("Röda Korset", Category.ORGANISATION).sources == set()


def test_a_known_term_found_in_another_transcript_gains_that_source() -> None:
    key = CodeKey()
    first = key.add("Göteborg", Category.PLACE, "[storstad]", source=SARA)
    again = key.add("GÖTEBORG", Category.PLACE, source=AHMED)
    assert again is first and len(key) == 1
    assert first.sources == {SARA, AHMED} and first.pseudonym == "[storstad]"


def test_a_hand_added_term_later_found_in_a_transcript_records_the_source() -> None:
    key = CodeKey()
    key.add("Lerum", Category.PLACE, "[ort]")
    entry = key.add("Lerum", Category.PLACE, source=SARA)
    assert entry.sources == {SARA} and entry.pseudonym == "[ort]"


def test_entries_given_to_a_key_merge_their_sources() -> None:
    key = _key_from_two_interviews()
    merged = CodeKey([*key.entries, *_key_from_two_interviews().entries])
    assert {e.term: e.sources for e in merged} == {e.term: e.sources for e in key}


def test_a_term_only_one_respondents_transcript_gave_rise_to_goes_with_their_withdrawal() -> None:
    key = _key_from_two_interviews()

    removed = key.forget_source(SARA)

    assert [e.term for e in removed] == ["Sara Lindqvist", "Lerum"]
    assert [e.term for e in key] == ["Ahmed", "Göteborg", "Röda Korset"]
    assert key.get("sara lindqvist") is None and key.get("Lerum") is None


def test_a_term_another_respondent_also_gave_rise_to_stays_but_forgets_the_withdrawn() -> None:
    key = _key_from_two_interviews()
    key.forget_source(SARA)
    assert key.get("Göteborg").sources == {AHMED}

    removed = key.forget_source(AHMED)

    assert [e.term for e in removed] == ["Ahmed", "Göteborg"]
    assert [e.term for e in key] == ["Röda Korset"]


def test_a_term_added_by_hand_survives_every_withdrawal() -> None:
    key = _key_from_two_interviews()
    key.forget_source(SARA)
    key.forget_source(AHMED)
    entry = key.get("Röda Korset")
    assert entry is not None and entry.sources == set()


def test_withdrawing_someone_who_gave_rise_to_nothing_changes_nothing() -> None:
    key = _key_from_two_interviews()
    before = key.fingerprint()
    assert key.forget_source(99) == []
    assert key.fingerprint() == before


def test_a_removed_term_can_be_added_again_by_someone_else() -> None:
    key = _key_from_two_interviews()
    key.forget_source(SARA)
    entry = key.add("Lerum", Category.PLACE, source=AHMED)
    assert entry.sources == {AHMED} and entry.pseudonym is None and len(key) == 4


def test_csv_knows_nothing_of_sources() -> None:
    key = _key_from_two_interviews()
    assert key.rows()[0] == ("Sara Lindqvist", "person", "")
    assert all(e.sources == set() for e in CodeKey.from_rows(key.rows()))


def test_the_memory_store_keeps_sources_apart_from_the_key_it_was_given() -> None:
    key = _key_from_two_interviews()
    store = MemoryKeyStore()
    store.save(key)
    key.forget_source(SARA)

    loaded = store.load()

    assert loaded.get("Sara Lindqvist").sources == {SARA}
    assert loaded.get("Göteborg").sources == {SARA, AHMED}


@pytest.fixture
def store(make_user, make_study, session) -> SealedKeyStore:
    study = make_study(make_user())
    return SealedKeyStore(session, study.id, new_wrapping_key())


def test_sources_survive_a_save_and_a_load(session, store) -> None:
    store.save(_key_from_two_interviews())
    session.commit()

    loaded = store.load()

    assert {e.term: e.sources for e in loaded} == {
        "Sara Lindqvist": {SARA},
        "Lerum": {SARA},
        "Ahmed": {AHMED},
        "Göteborg": {SARA, AHMED},
        "Röda Korset": set(),
    }
    assert loaded.fingerprint() == _key_from_two_interviews().fingerprint()


def test_a_withdrawal_saved_stays_withdrawn(session, store) -> None:
    key = _key_from_two_interviews()
    store.save(key)
    session.commit()

    key = store.load()
    key.forget_source(SARA)
    store.save(key)
    session.commit()

    assert [e.term for e in store.load()] == ["Ahmed", "Göteborg", "Röda Korset"]
    assert len(session.exec(select(CodeKeyRow)).all()) == 3


def test_a_row_sealed_before_sources_were_recorded_still_loads(session, store) -> None:
    key = _key_from_two_interviews()
    store.save(key)
    session.commit()
    rows = session.exec(select(CodeKeyRow).order_by(CodeKeyRow.position)).all()
    for row, (term, category, pseudonym) in zip(rows, key.rows(), strict=True):
        old = json.dumps([term, category, pseudonym], ensure_ascii=False).encode()
        context = contexts.code_key_entry(store.study_id, row.generation, row.position)
        row.sealed_entry = seal(store._study_key, old, context)
        session.add(row)
    session.commit()

    loaded = store.load()

    assert loaded.fingerprint() == key.fingerprint()
    assert all(e.sources == set() for e in loaded)
    assert loaded.forget_source(SARA) == [] and len(loaded) == 5
