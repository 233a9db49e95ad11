"""Benchmark: apply and suggest on a 1 MB transcript with a 1,000-term key, against one regex.

Run as ``.venv/bin/python bench/pseudonymize.py``. Everything is generated here; nothing is
read from ../shared.
"""

from __future__ import annotations

import random
import re
import time

from study.pseudonymize import lexicon
from study.pseudonymize.apply import apply, pseudonymize
from study.pseudonymize.codekey import Category, CodeKey
from study.pseudonymize.pseudonyms import assign_pseudonyms
from study.pseudonymize.suggest import suggest

TARGET_BYTES = 1_000_000
KEY_SIZE = 1_000
APPLY_TARGET_S = 0.2
SPEEDUP_TARGET = 5.0
SUGGEST_TARGET_S = 2.0

UTTERANCES = [
    "R: Jag heter {person} och jobbar på {org} i {place}. Det är ju en balansgång, liksom.",
    "I: Kan du ge ett exempel på när relationen har gjort skillnad?",
    "R: Mm. Vi hade en kille, {first}, han var sexton då. {first}s pappa bodde i {place}.",
    "R: Min chef, {person}, tyckte att jag skulle sätta gränser. Per vecka blir det mycket.",
    "R: Ring mig på 070-174 06 {nn} eller mejla {mail}@exempel.se om det är något.",
    "R: en ungdom får en viss summa per månad och den kan jag inte ändra. vi ska bo där.",
    "R: Det finns en stig bakom centrum där de brukar sitta, och {first} brukar vara där.",
    "R: Vi samarbetar med {org} och med Försäkringskassan, men {person} håller i allt.",
    "I: Hur ser ditt handlingsutrymme ut när det gäller dokumentationen i journalen?",
    "R: Hon bor hos mormor i {place}, på Lärkstigen {n}. Född 3 maj 1951, sa hon.",
]


def build_key(rng: random.Random) -> CodeKey:
    """A 1,000-term key: full names, first names, places and organisations."""
    firsts = sorted(name.name for name in lexicon.first_names().values())
    surnames = sorted(lexicon.surnames())
    places = sorted(name for name in lexicon.places() if " " not in name)
    key = CodeKey(seed="bench")
    while len(key) < KEY_SIZE:
        kind = rng.random()
        if kind < 0.5:
            term = f"{rng.choice(firsts)} {rng.choice(surnames).capitalize()}"
            key.add(term, Category.PERSON)
        elif kind < 0.7:
            key.add(rng.choice(firsts), Category.PERSON)
        elif kind < 0.85:
            key.add(rng.choice(places).capitalize(), Category.PLACE)
        else:
            key.add(f"Föreningen {rng.choice(surnames).capitalize()}gården", Category.ORGANISATION)
    return key


def build_text(rng: random.Random, key: CodeKey) -> str:
    """About 1 MB of transcript-like text mentioning the key's terms."""
    people = [e.term for e in key if e.category is Category.PERSON]
    places = [e.term for e in key if e.category is Category.PLACE]
    orgs = [e.term for e in key if e.category is Category.ORGANISATION]
    lines, size, second = [], 0, 0
    while size < TARGET_BYTES:
        person = rng.choice(people)
        line = rng.choice(UTTERANCES).format(
            person=person,
            first=person.split()[0],
            place=rng.choice(places),
            org=rng.choice(orgs),
            nn=rng.randint(5, 99),
            n=rng.randint(1, 60),
            mail=person.split()[0].lower(),
        )
        second += rng.randint(3, 30)
        stamp = f"[{second // 3600:02}:{second // 60 % 60:02}:{second % 60:02}]"
        lines.append(f"{stamp} {line}")
        size += len(lines[-1].encode()) + 1
    return "\n".join(lines) + "\n"


def timed(action, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Print the figures with their targets and ratios."""
    rng = random.Random(20240601)
    key = build_key(rng)
    text = build_text(rng, key)
    assign_pseudonyms(key)
    mapping = {e.term.lower(): e.pseudonym or "" for e in key}
    terms = sorted(mapping, key=len, reverse=True)
    regex = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b", re.IGNORECASE)

    started = time.perf_counter()
    result = pseudonymize(text, key)  # first call builds and caches the automaton
    cold = time.perf_counter() - started
    apply_s = timed(lambda: apply(text, key))
    regex_s = timed(lambda: regex.sub(lambda m: mapping[m.group().lower()], text), repeat=1)
    suggest_s = timed(lambda: suggest(text, key), repeat=1)

    print(
        f"text: {len(text.encode()) / 1e6:.2f} MB, {text.count(chr(10))} lines; key: {len(key)} terms"
    )
    print(f"replacements made: {len(result.replacements)}")
    print(f"apply (first call, builds automaton): {cold:.3f} s")
    print(
        f"apply (cached automaton):             {apply_s:.3f} s   target <= {APPLY_TARGET_S} s  "
        f"{'OK' if apply_s <= APPLY_TARGET_S else 'MISSED'}"
    )
    print(
        f"one compiled regex, same terms:       {regex_s:.3f} s   "
        f"apply is {regex_s / apply_s:.1f}x faster, target >= {SPEEDUP_TARGET}x  "
        f"{'OK' if regex_s / apply_s >= SPEEDUP_TARGET else 'MISSED'}"
    )
    print(
        f"suggest:                              {suggest_s:.3f} s   target <= {SUGGEST_TARGET_S} s  "
        f"{'OK' if suggest_s <= SUGGEST_TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
