"""How a self-review document reads on the review path: items, what is missing, what blocks."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ..review.documents import Blocker, Item, StepDocument, register
from . import questions, rules, services

#: How yes / no / unsure answers read.
ANSWER_WORDS = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Unsure")}


#: How each review route reads.
ROUTE_LABELS = {
    "student_exemption": _l(
        "Student exemption: the supervisor's review is enough (no ethical review under the law)."
    ),
    "ethics_council": _l("The department's ethics council should review the study."),
    "ethical_review_authority": _l(
        "An application to Etikprövningsmyndigheten (the Swedish Ethical Review Authority) is "
        "needed."
    ),
}
#: How each severity of warning reads.
SEVERITY_LABELS = {
    "information": _l("Note: "),
    "warning": _l("Warning: "),
    "blocking": _l("Needs the supervisor's acknowledgement: "),
}


def all_rules() -> dict[str, rules.Rule]:
    """Return every rule by key, the institution's own included."""
    return {rule.key: rule for rule in rules.institution_rules(True)}


def answer_text(question: questions.Question, answer: dict | None) -> str:
    """Return an answer as a reader sees it: the chosen words, then the explanation."""
    if not answer:
        return ""
    value = answer.get("value")
    labels = {option.value: str(option.label) for option in question.options}
    if question.kind is questions.Kind.YES_NO_UNSURE:
        shown = labels.get(value) or str(ANSWER_WORDS.get(value, value))
    elif question.kind is questions.Kind.MULTI:
        shown = ", ".join(labels.get(v, v) for v in value or [])
    elif question.kind is questions.Kind.CHOICE:
        shown = labels.get(value, value)
    elif question.kind is questions.Kind.DATE and value:
        shown = format_date(date.fromisoformat(value), "long")
    else:
        shown = str(value or "")
    explanation = (answer.get("explanation") or "").strip()
    return f"{shown} – {explanation}" if explanation and shown else shown or explanation


def items(document: dict) -> list[Item]:
    """Return the document's questions with their answers and the warnings shown at them."""
    given = document.get("answers", {})
    by_key = all_rules()
    warned: dict[str, list] = {}
    for key in document.get("warnings", []):
        rule = by_key.get(key)
        for question_key in rule.questions if rule else ():
            warned.setdefault(question_key, []).append(rule.message)
    titles = {section.key: section.title for section in questions.SECTIONS}
    return [
        Item(
            key=question.key,
            label=question.text,
            text=answer_text(question, given.get(question.key)),
            warnings=tuple(warned.get(question.key, ())),
            group=titles[question.section],
        )
        for question in questions.visible(given)
    ]


def incomplete(document: dict) -> list:
    """Return what must be answered before the self-review can be submitted."""
    return [
        _l("answer “%(question)s”", question=question.text)
        for question in questions.missing(document.get("answers", {}))
    ]


def blockers(document: dict) -> list[Blocker]:
    """Return the blocking warnings of a document, which the supervisor must acknowledge.

    They are read from the answers under today's rules, so that a ban on sensitive data
    set after a version was submitted applies when it is decided.
    """
    found = rules.blocking(
        document.get("answers", {}), sensitive_data_forbidden=services.sensitive_data_forbidden()
    )
    return [Blocker(rule.key, rule.message, rule.acknowledgeable) for rule in found]


SELF_REVIEW = register(
    StepDocument(
        step=services.STEP,
        edit_endpoint="ethics.overview",
        current=services.document,
        items=items,
        incomplete=incomplete,
        blockers=blockers,
        pdf_endpoint="ethics.summary_pdf",
    )
)


def summary_context(session, study, version, document: dict, history: list) -> dict:
    """Return the plain values the summary PDF is rendered from.

    :param history: (version, decision or None) pairs, oldest first, up to the version shown.
    """
    from ..review.services import names

    people = names(
        session,
        [v.submitted_by for v, _d in history] + [d.decided_by for _v, d in history if d],
    )
    by_key = all_rules()
    return {
        "study": {
            "title": study.title,
            "university": study.university,
            "department": study.department,
        },
        "version": None
        if version is None
        else {
            "number": version.number,
            "submitted_on": version.submitted_at.date(),
            "content_hash": version.content_hash,
        },
        "items": items(document),
        "warnings": [
            {"severity": by_key[k].severity.value, "message": by_key[k].message}
            for k in document.get("warnings", [])
            if k in by_key
        ],
        "route": ROUTE_LABELS.get(document.get("route"), ""),
        "decisions": [
            {
                "number": v.number,
                "submitted_on": v.submitted_at.date(),
                "submitted_by": people.get(v.submitted_by, ""),
                "outcome": d.outcome.value if d else None,
                "decided_on": d.decided_at.date() if d else None,
                "decided_by": people.get(d.decided_by, "") if d else "",
                "acknowledged": len(d.acknowledged_keys) if d else 0,
                "comment": d.comment if d else "",
            }
            for v, d in history
        ],
        "severity_labels": SEVERITY_LABELS,
    }
