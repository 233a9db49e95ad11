"""The code key in the database: sealed by the study key, stable across loads, bound to its study."""

from __future__ import annotations

import pytest
from sqlmodel import select

from study.audit import AuditEvent
from study.pseudonymize.codekey import Category, CodeKey, PseudonymStyle
from study.pseudonymize.models import CodeKeyRow, CodeKeySettings
from study.pseudonymize.pseudonyms import assign_pseudonyms
from study.pseudonymize.store import SealedKeyStore
from study.pseudonymize.vaulted import code_key_store
from study.vault.age import AgeError
from study.vault.service import get_vault


@pytest.fixture
def studies(make_user, make_study):
    owner = make_user()
    return make_study(owner, title="A"), make_study(owner, title="B")


@pytest.fixture
def store_for(app, session):
    def make(study) -> SealedKeyStore:
        with app.app_context():
            return code_key_store(get_vault(session), study.id, actor_id=None)

    return make


def _key(seed: str = "") -> CodeKey:
    key = CodeKey(seed=seed or "s3cret", style=PseudonymStyle.ROLES)
    key.add("Sara Lindqvist", Category.PERSON)
    key.add("Göteborg", Category.PLACE, "[storstad]")
    key.add("Röda Korset", Category.ORGANISATION)
    return key


def test_a_saved_key_loads_back_the_same(session, studies, store_for) -> None:
    store = store_for(studies[0])
    store.save(_key())
    session.commit()

    loaded = store_for(studies[0]).load()

    assert loaded.fingerprint() == _key().fingerprint()
    assert loaded.seed == "s3cret" and loaded.style is PseudonymStyle.ROLES


def test_nothing_readable_is_stored(session, studies, store_for) -> None:
    store_for(studies[0]).save(_key())
    session.commit()
    stored = b"".join(r.sealed_entry for r in session.exec(select(CodeKeyRow)).all())
    stored += session.get(CodeKeySettings, studies[0].id).sealed_state
    for secret in ("Sara", "Lindqvist", "Göteborg", "storstad", "Röda", "s3cret"):
        assert secret.encode() not in stored


def test_a_new_study_gets_an_empty_key_with_a_secret_seed(studies, store_for) -> None:
    first, second = store_for(studies[0]).load(), store_for(studies[1]).load()
    assert len(first) == 0 and len(first.seed) >= 32 and first.seed != second.seed


def test_pseudonyms_stay_the_same_across_saves_and_loads(session, studies, store_for) -> None:
    store = store_for(studies[0])
    key = store.load()
    key.add("Sara Lindqvist", Category.PERSON)
    key.add("Ahmed", Category.PERSON)
    assign_pseudonyms(key)
    store.save(key)
    session.commit()

    again = store_for(studies[0]).load()
    assign_pseudonyms(again)
    assert again.fingerprint() == key.fingerprint()


def test_saving_replaces_the_rows(session, studies, store_for) -> None:
    store = store_for(studies[0])
    store.save(_key())
    smaller = CodeKey(seed="s3cret")
    smaller.add("Per", Category.PERSON, "Olle")
    store.save(smaller)
    session.commit()
    assert [e.term for e in store_for(studies[0]).load()] == ["Per"]
    assert len(session.exec(select(CodeKeyRow)).all()) == 1


def test_rows_moved_to_another_study_do_not_open(session, studies, store_for) -> None:
    store_for(studies[0]).save(_key())
    store_for(studies[1]).save(_key(seed="other"))
    session.commit()
    for row in session.exec(select(CodeKeyRow)).all():
        if row.study_id == studies[1].id:
            session.delete(row)
        else:
            row.study_id = studies[1].id
            session.add(row)
    session.commit()

    with pytest.raises(AgeError, match="does not open"):
        store_for(studies[1]).load()


def _saved_twice(session, study, store_for) -> None:
    store = store_for(study)
    store.save(_key())
    session.commit()
    store.save(_key())
    session.commit()


def test_a_dropped_row_is_detected(session, studies, store_for) -> None:
    _saved_twice(session, studies[0], store_for)
    session.delete(session.exec(select(CodeKeyRow)).first())
    session.commit()
    with pytest.raises(AgeError, match="do not match"):
        store_for(studies[0]).load()


def test_swapped_rows_are_detected(session, studies, store_for) -> None:
    _saved_twice(session, studies[0], store_for)
    first, second = session.exec(select(CodeKeyRow).order_by(CodeKeyRow.position)).all()[:2]
    first.sealed_entry, second.sealed_entry = second.sealed_entry, first.sealed_entry
    session.add_all([first, second])
    session.commit()
    with pytest.raises(AgeError, match="does not open"):
        store_for(studies[0]).load()


def test_rows_from_an_earlier_save_do_not_come_back(session, studies, store_for) -> None:
    store = store_for(studies[0])
    store.save(_key())
    session.commit()
    earlier = [(r.position, r.generation, r.sealed_entry) for r in session.exec(select(CodeKeyRow))]
    store.save(_key())
    session.commit()
    for row, (_position, generation, sealed) in zip(
        session.exec(select(CodeKeyRow).order_by(CodeKeyRow.position)).all(), earlier, strict=True
    ):
        row.sealed_entry, row.generation = sealed, generation
        session.add(row)
    session.commit()
    with pytest.raises(AgeError):
        store_for(studies[0]).load()


def test_opening_the_code_key_is_audited(session, studies, store_for) -> None:
    store = store_for(studies[0])
    store.save(_key())
    session.commit()
    store.load()
    session.commit()
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-1] == "code_key.opened"
