"""The registry of every sealing context: the associated data each sealed value is bound to.

A value sealed with `age.seal` opens only with the same key *and* the same context, so the
context says what the value is and whose it is: a sealed study key copied onto another
study's row, or a code-key entry moved to another position, does not open. Every context
the application seals with is built here, and nowhere else:

=======================  ==========================================  =====================
purpose                  fields, in order                            sealed by
=======================  ==========================================  =====================
study-key/v1             study                                       a master key
respondent-identity/v1   study, respondent, recipient                the study key
study-sealed/v1          study, purpose                              the study key
code-key-state/v1        study                                       the study key
code-key-entry/v1        study, generation, position                 the study key
sealed-session/v1        name, bound_to (bare values, no labels)     a SECRET_KEY derivative
=======================  ==========================================  =====================

The bytes are ``intervjustudie/<purpose>`` followed by each field after a NUL byte. They
are part of every sealed value already stored: changing one function's output makes those
values unreadable, so a new layout needs a new purpose (``…/v2``), never an edit here.
tests/vault/test_contexts.py pins each context's bytes.
"""

from __future__ import annotations

_APPLICATION = "intervjustudie"

#: Every purpose a context is built for, as it appears in the bytes.
PURPOSES = (
    "study-key/v1",
    "respondent-identity/v1",
    "study-sealed/v1",
    "code-key-state/v1",
    "code-key-entry/v1",
    "sealed-session/v1",
)


def _build(purpose: str, *fields: object) -> bytes:
    assert purpose in PURPOSES, purpose
    parts = [f"{_APPLICATION}/{purpose}", *(str(field) for field in fields)]
    # A NUL inside a field would let two different field lists give the same bytes.
    if any("\0" in part for part in parts):
        raise ValueError("a sealing context's field may not contain a NUL byte")
    return "\0".join(parts).encode()


def study_key(study_id: int) -> bytes:
    """Bind a study's key, sealed by a master key, to its study."""
    return _build("study-key/v1", f"study={study_id}")


def respondent_identity(study_id: int, respondent_id: int, recipient: str) -> bytes:
    """Bind a respondent's private key, sealed by the study key, to them and their public key."""
    return _build(
        "respondent-identity/v1",
        f"study={study_id}",
        f"respondent={respondent_id}",
        f"recipient={recipient}",
    )


def study_sealed(study_id: int, purpose: str) -> bytes:
    """Bind a small secret sealed by the study key (a withdrawal's reason) to what it is for."""
    return _build("study-sealed/v1", f"study={study_id}", f"purpose={purpose}")


def code_key_state(study_id: int) -> bytes:
    """Bind a code key's state (seed, generation, row count) to its study."""
    return _build("code-key-state/v1", f"study={study_id}")


def code_key_entry(study_id: int, generation: int, position: int) -> bytes:
    """Bind one code-key row to its study, the save that wrote it and its place in it."""
    return _build(
        "code-key-entry/v1",
        f"study={study_id}",
        f"generation={generation}",
        f"position={position}",
    )


def sealed_session(name: str, bound_to: str) -> bytes:
    """Bind a value kept in the session cookie to its name and to what it belongs to."""
    return _build("sealed-session/v1", name, bound_to)
