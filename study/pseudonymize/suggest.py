"""Suggestions: what in a transcript should be pseudonymized, each with category and reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import patterns
from .codekey import Category, CodeKey
from .discourse import lowercase_names, lowercase_organisations
from .entities import capitalised_candidates, speaker_labels
from .evidence import lowercase_tokens
from .lowercase import lowercase_candidates, lowercase_context_candidates
from .matcher import Term, TermMatcher
from .organisations import compound_organisations, known_organisation_candidates
from .quasi import find_quasi_identifiers
from .text import LineStyle, term_form, without_overlaps
from .words import Spans, definite_noun

REPLACE = "replace"
GENERALISE = "consider generalising"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span to pseudonymize (or to consider generalising) with the term the key would get."""

    start: int
    end: int
    text: str
    category: Category
    reason: str
    term: str  # base form for the key: "Bo" for "Bos"
    in_key: bool = False
    action: str = REPLACE

    def as_json(self) -> dict[str, object]:
        """Return the suggestion as a JSON-ready dict (``start, end, text, category`` first)."""
        data = asdict(self)
        data["category"] = self.category.value
        return data


def suggest(text: str, key: CodeKey | None = None) -> list[Suggestion]:
    """Return what in ``text`` must be pseudonymized: key terms, patterns and likely names."""
    key = key or CodeKey()
    detections = patterns.find_identifiers(text) + patterns.find_birth_dates(text)
    detections = without_overlaps(detections)
    blocked = Spans([(d.start, d.end) for d in detections] + speaker_labels(text))
    style = LineStyle(text)
    candidates = known_organisation_candidates(text, blocked)
    candidates += compound_organisations(text, blocked)
    candidates += capitalised_candidates(text, blocked, style)
    if style.any_lowercase:
        # Only where a line is written in lowercase: capitals are the evidence elsewhere, so
        # the finders below read the text with every other line blanked.
        lower_text = style.lowercase_lines()
        lowercase = lowercase_candidates(lower_text, blocked)
        lowercase += lowercase_context_candidates(lower_text, blocked)
        tokens = lowercase_tokens(lower_text, blocked)
        lowercase += lowercase_organisations(lower_text, tokens)
        persons = [entry.term for entry in key if entry.category is Category.PERSON]
        persons += [c.term for c in candidates + lowercase if c.category is Category.PERSON]
        lowercase += lowercase_names(lower_text, tokens, persons)
        candidates += lowercase

    terms = [Term(entry.term, entry.category, known=True) for entry in key]
    reasons = {term_form(entry.term): "i kodnyckeln" for entry in key}
    for candidate in candidates:
        form = term_form(candidate.term)
        if form not in reasons:
            reasons[form] = candidate.reason
            # A unit named like an ordinary noun ("Kvarnen") is the noun where a capitalised
            # line writes it in lowercase.
            unit = candidate.category is Category.ORGANISATION and definite_noun(candidate.term)
            terms.append(Term(candidate.term, candidate.category, ordinary=unit or None))

    found = [
        Suggestion(
            d.start, d.end, text[d.start : d.end], d.category, d.reason, text[d.start : d.end]
        )
        for d in detections
    ]
    for match in TermMatcher(terms).find(text, style):
        if blocked.overlaps(match.start, match.end) and not _is_key_match(key, match.variant.term):
            continue
        term = match.variant.term
        found.append(
            Suggestion(
                match.start,
                match.end,
                text[match.start : match.end],
                match.variant.category,
                _reason(reasons, term, match.variant.inflection),
                term,
                in_key=key.get(term) is not None,
            )
        )
    # Every candidate stands where its own evidence was ("heter saga"): the matcher, which sees
    # the word alone, may not find it there again. Where the matcher found it too, the longer
    # span wins, and on a tie the matcher's, whose reason names the inflection it matched.
    found += [
        Suggestion(
            c.start,
            c.end,
            text[c.start : c.end],
            c.category,
            c.reason,
            c.term,
            in_key=key.get(c.term) is not None,
        )
        for c in candidates
        if not blocked.overlaps(c.start, c.end)
    ]
    return without_overlaps(found)


def review(text: str, key: CodeKey | None = None) -> list[Suggestion]:
    """Return the suggestions and the quasi-identifiers together, in text order."""
    found = suggest(text, key) + find_quasi_identifiers(text)
    return sorted(found, key=lambda s: (s.start, s.end))


def _is_key_match(key: CodeKey, term: str) -> bool:
    """Tell whether the term came from the key (key terms win over pattern spans)."""
    return key.get(term) is not None


def _reason(reasons: dict[str, str], term: str, inflection: str) -> str:
    """Return the reason for a match, with the inflection it was found in."""
    reason = reasons.get(term_form(term), "")
    if inflection and term_form(term) in reasons:
        return f"{reason} ({inflection} av {term})"
    return reason


__all__ = ["GENERALISE", "REPLACE", "Category", "Suggestion", "review", "suggest"]
