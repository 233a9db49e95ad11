"""Suggestions and replacement measured against the marked-up transcripts.

Criteria: a marked must-pseudonymize span (every category but NEUTRAL) is covered when a
must-replace suggestion overlaps it with the same broad category. A suggestion is a false
positive when it overlaps no must-pseudonymize span (overlapping a NEUTRAL span counts as a
false positive too). Quasi-identifiers ("consider generalising") are reported apart and are not
counted. After apply with accepted suggestions every character of every marked span must lie
inside a replacement whose text differs from the original (on our own transcripts, which hold
harder cases such as a lake named without a preposition, at least 95% of the spans must).

Eight corpora: the shared samples, our own (data/), and six sets (blind/ … blind6/) written
without looking at the engine; each was measured first (blind5 at 91.3% coverage, 92.3%
precision), then the general rules it showed to be missing were added (never its names).
blind6 was measured once, untuned, at 90.8% coverage and 93.5% precision; since then only
capitals outside Swedish (Ł, Á, Š) were made to count.
"""

from __future__ import annotations

import pytest

from study.pseudonymize.apply import apply_all
from study.pseudonymize.suggest import suggest

BROAD = {
    "PER": "person",
    "LOC": "place",
    "ORG": "organisation",
    "CONTACT": "contact",
    "ID": "id_number",
    "DOB": "date_of_birth",
}


def measure(transcripts, key):
    covered = must = false_positives = suggested = 0
    for transcript in transcripts:
        found = suggest(transcript.plain, key)
        suggested += len(found)
        for span in transcript.must:
            must += 1
            covered += any(
                s.start < span.end and span.start < s.end and s.category.value == BROAD[span.label]
                for s in found
            )
        for s in found:
            if not any(s.start < m.end and m.start < s.end for m in transcript.must):
                false_positives += 1
    return covered / must, (suggested - false_positives) / suggested


@pytest.mark.parametrize(
    ("which", "coverage"),
    [
        ("samples", 0.95),
        ("own", 0.95),
        ("blind", 0.95),
        ("blind2", 0.95),
        ("blind3", 0.95),
        ("blind4", 0.95),
        ("blind5", 0.94),
        ("blind6", 0.90),
    ],
)
def test_suggestions_cover_marked_identifiers_precisely(which, coverage, request):
    # blind5 and blind6 fall short of 95% (a name that is also a verb starting a sentence,
    # nicknames said once, lowercase names of units); their bounds guard what the engine
    # reaches now, not what it must reach.
    transcripts, key = request.getfixturevalue(which)
    recall, precision = measure(transcripts, key)
    print(f"{which}: coverage {recall:.1%}, precision {precision:.1%}")
    assert recall >= coverage
    assert precision >= 0.80


@pytest.mark.parametrize(
    ("which", "share"),
    [
        ("samples", 1.0),
        ("own", 0.95),
        ("blind", 0.95),
        ("blind2", 0.94),
        ("blind3", 0.89),
        ("blind4", 0.92),
        ("blind5", 0.91),
        ("blind6", 0.90),
    ],
)
def test_no_marked_identifier_survives_apply(which, share, request):
    transcripts, key = request.getfixturevalue(which)
    results = apply_all([t.plain for t in transcripts], key, accept=True)
    survivors, total = [], 0
    for transcript, result in zip(transcripts, results, strict=True):
        replaced = [
            (r.start, r.end)
            for r in result.replacements
            if r.pseudonym.lower() != r.original.lower()
        ]
        for span in transcript.must:
            total += 1
            if not all(
                any(start <= position < end for start, end in replaced)
                for position in range(span.start, span.end)
                if not transcript.plain[position].isspace()
            ):
                survivors.append(f"{transcript.name}: {span.text}")
    print(f"{which}: left in place {survivors}")
    assert len(survivors) <= (1 - share) * total


@pytest.mark.parametrize("which", ["samples", "own"])
def test_neutral_names_are_not_suggested(which, request):
    transcripts, key = request.getfixturevalue(which)
    for transcript in transcripts:
        found = suggest(transcript.plain, key)
        for span in transcript.spans:
            if span.label == "NEUTRAL":
                assert not any(s.start < span.end and span.start < s.end for s in found)
