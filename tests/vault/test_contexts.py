"""Every sealing context keeps its bytes: values sealed under them are stored already."""

from __future__ import annotations

import pytest

from study.vault import contexts

#: Each context, built for sample ids, and the bytes it has always had.
PINNED = {
    "study-key/v1": (
        contexts.study_key(7),
        b"intervjustudie/study-key/v1\x00study=7",
    ),
    "respondent-identity/v1": (
        contexts.respondent_identity(7, 42, "age1qqexample"),
        b"intervjustudie/respondent-identity/v1\x00study=7\x00respondent=42"
        b"\x00recipient=age1qqexample",
    ),
    "study-sealed/v1": (
        contexts.study_sealed(7, "withdrawal-reason"),
        b"intervjustudie/study-sealed/v1\x00study=7\x00purpose=withdrawal-reason",
    ),
    "code-key-state/v1": (
        contexts.code_key_state(7),
        b"intervjustudie/code-key-state/v1\x00study=7",
    ),
    "code-key-entry/v1": (
        contexts.code_key_entry(7, 3, 0),
        b"intervjustudie/code-key-entry/v1\x00study=7\x00generation=3\x00position=0",
    ),
    "sealed-session/v1": (
        contexts.sealed_session("consent_pending", "invitation:5"),
        b"intervjustudie/sealed-session/v1\x00consent_pending\x00invitation:5",
    ),
}


@pytest.mark.parametrize("purpose", sorted(PINNED))
def test_a_context_has_the_bytes_sealed_data_was_bound_to(purpose) -> None:
    built, pinned = PINNED[purpose]
    assert built == pinned


def test_every_registered_context_is_pinned() -> None:
    assert set(PINNED) == set(contexts.PURPOSES)


def test_a_field_with_a_nul_byte_is_refused() -> None:
    # "a\0b" bound to "c" would otherwise be "a" bound to "b\0c".
    with pytest.raises(ValueError, match="NUL"):
        contexts.sealed_session("a\0b", "c")


def test_contexts_of_different_ids_differ() -> None:
    assert contexts.study_key(1) != contexts.study_key(11)
    assert contexts.code_key_entry(1, 2, 3) != contexts.code_key_entry(1, 3, 2)
