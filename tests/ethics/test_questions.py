"""The self-review's questions: a consistent table, follow-ups, answer checks and progress."""

from __future__ import annotations

import pytest

from study.ethics.questions import (
    MAX_TEXT,
    QUESTIONS,
    QUESTIONS_BY_KEY,
    SECTIONS,
    SECTIONS_BY_KEY,
    Kind,
    clean_answer,
    missing,
    needs_explanation,
    progress,
    visible,
)
from study.ethics.rules import institution_rules

#: The keys later steps and stored answers rely on.
STABLE_KEYS = {
    "respondents",
    "recruitment",
    "contact_source",
    "minors",
    "dependency",
    "sensitive_data",
    "sensitive_categories",
    "criminal_offences",
    "risk_of_harm",
    "support",
    "deception",
    "recording",
    "storage",
    "access",
    "retention_date",
    "destruction",
    "withdrawal",
    "publication",
    "phd_continuation",
    "transfer_outside_eea",
    "legal_basis",
}
OPTION_KINDS = {Kind.YES_NO_UNSURE, Kind.CHOICE, Kind.MULTI}


def first_answer(question):
    """Return a plain answer to a question: "no" where it can, else the first option."""
    if question.kind is Kind.TEXT:
        return {"value": "Some text.", "explanation": ""}
    if question.kind is Kind.DATE:
        return {"value": "2027-06-30", "explanation": ""}
    values = [option.value for option in question.options]
    value = "no" if "no" in values else values[0]
    return {"value": [value] if question.kind is Kind.MULTI else value, "explanation": ""}


def plain_answers():
    """Return an answer to every question shown when nothing raises a concern."""
    return {q.key: first_answer(q) for q in visible({})}


def test_question_keys_are_unique_and_stable():
    keys = [question.key for question in QUESTIONS]
    assert len(keys) == len(set(keys)) == len(QUESTIONS_BY_KEY)
    assert STABLE_KEYS <= set(keys)


def test_sections_are_the_four_requirements_and_data_protection_in_order():
    assert [section.key for section in SECTIONS] == [
        "informationskravet",
        "samtyckeskravet",
        "konfidentialitetskravet",
        "nyttjandekravet",
        "gdpr",
    ]
    assert len(SECTIONS_BY_KEY) == len(SECTIONS)


def test_every_section_has_questions_and_every_question_a_section():
    used = {question.section for question in QUESTIONS}
    assert used == SECTIONS_BY_KEY.keys()


def test_questions_follow_their_sections_order():
    order = [section.key for section in SECTIONS]
    positions = [order.index(question.section) for question in QUESTIONS]
    assert positions == sorted(positions)


def test_every_rule_is_shown_at_questions_that_exist():
    for rule in institution_rules(sensitive_data_forbidden=True):
        assert set(rule.questions) <= QUESTIONS_BY_KEY.keys(), rule.key


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_a_question_is_consistent(question):
    values = [option.value for option in question.options]
    assert len(values) == len(set(values))
    assert bool(values) == (question.kind in OPTION_KINDS)
    if question.kind is Kind.YES_NO_UNSURE:
        assert values == ["yes", "no", "unsure"]
    assert question.explain_when <= set(values)
    assert (question.explain_label is None) == (not question.explain_when)
    assert question.default is None or question.default in values


def test_the_usual_legal_basis_is_the_public_interest():
    assert QUESTIONS_BY_KEY["legal_basis"].default == "public_interest"


@pytest.mark.parametrize(
    "follow_up, asked_by",
    [("sensitive_categories", "sensitive_data"), ("support", "risk_of_harm")],
)
def test_a_follow_up_is_shown_only_when_the_answer_makes_it_relevant(follow_up, asked_by):
    def shown(value):
        answers = {asked_by: {"value": value, "explanation": "Explained."}}
        return follow_up in [q.key for q in visible(answers)]

    assert not shown("")
    assert not shown("no")
    assert shown("yes")
    assert shown("unsure")


def test_visible_questions_keep_the_table_order():
    answers = {"sensitive_data": {"value": "yes", "explanation": "Health."}}
    keys = [q.key for q in visible(answers)]
    assert keys == [q.key for q in QUESTIONS if q.key != "support"]


@pytest.mark.parametrize(
    "key, value, explanation",
    [
        ("minors", "sometimes", ""),
        ("dependency", "maybe", ""),
        ("deception", "unsure", ""),
        ("sensitive_categories", ["health", "hobbies"], ""),
        ("sensitive_categories", [1], ""),
        ("sensitive_categories", {"health": True}, ""),
        ("retention_date", "2027-13-01", ""),
        ("retention_date", "2027-02-30", ""),
        ("retention_date", "20270630", ""),
        ("retention_date", "30/06/2027", ""),
        ("respondents", "x" * (MAX_TEXT + 1), ""),
        ("respondents", 42, ""),
        ("dependency", "yes", "x" * (MAX_TEXT + 1)),
    ],
)
def test_an_answer_that_cannot_be_right_is_refused_with_a_message(key, value, explanation):
    with pytest.raises(ValueError) as refused:
        clean_answer(QUESTIONS_BY_KEY[key], value, explanation)
    assert type(refused.value.args[0]).__name__ == "LazyString"


def test_the_length_message_names_the_limit(app):
    with app.test_request_context():
        with pytest.raises(ValueError) as refused:
            clean_answer(QUESTIONS_BY_KEY["storage"], "x" * (MAX_TEXT + 1), "")
        assert str(MAX_TEXT) in str(refused.value.args[0])


def test_an_answer_is_normalised():
    storage = QUESTIONS_BY_KEY["storage"]
    assert clean_answer(storage, "  The vault.\r\nNowhere else. ", "Ignored") == {
        "value": "The vault.\nNowhere else.",
        "explanation": "",
    }
    categories = QUESTIONS_BY_KEY["sensitive_categories"]
    assert clean_answer(categories, ["sex_life", "health", "health", ""], "") == {
        "value": ["health", "sex_life"],
        "explanation": "",
    }
    assert clean_answer(categories, "health", "")["value"] == ["health"]
    date = QUESTIONS_BY_KEY["retention_date"]
    assert clean_answer(date, " 2027-06-30 ", "")["value"] == "2027-06-30"


def test_an_empty_answer_is_allowed_and_stays_unanswered():
    for question in QUESTIONS:
        answer = clean_answer(question, None, "")
        assert answer["value"] in ("", [])
        assert question in missing({question.key: answer}) or question not in visible({})


def test_an_explanation_is_kept_only_where_the_answer_asks_for_one():
    dependency = QUESTIONS_BY_KEY["dependency"]
    kept = clean_answer(dependency, "yes", " Someone else asks them. ")
    assert kept == {"value": "yes", "explanation": "Someone else asks them."}
    assert clean_answer(dependency, "no", "Someone else asks them.")["explanation"] == ""


@pytest.mark.parametrize(
    "key, value, needed",
    [
        ("dependency", "yes", True),
        ("dependency", "unsure", True),
        ("dependency", "no", False),
        ("deception", "yes", True),
        ("recording", "video", True),
        ("recording", "audio", False),
        ("contact_source", "register", True),
        ("contact_source", "self", False),
        ("legal_basis", "other", True),
        ("legal_basis", "public_interest", False),
        ("withdrawal", "keep_analysed", True),
        ("respondents", "Teachers.", False),
    ],
)
def test_which_answers_need_an_explanation(key, value, needed):
    answer = {"value": value, "explanation": ""}
    assert needs_explanation(QUESTIONS_BY_KEY[key], answer) is needed


def test_nothing_is_missing_from_plain_answers():
    assert missing(plain_answers()) == []


def test_every_shown_required_question_is_missing_at_first():
    assert missing({}) == [q for q in visible({}) if q.required]


def test_a_yes_without_its_explanation_is_missing():
    answers = {**plain_answers(), "dependency": {"value": "yes", "explanation": "  "}}
    assert [q.key for q in missing(answers)] == ["dependency"]
    answers["dependency"]["explanation"] = "A colleague makes the first contact."
    assert missing(answers) == []


def test_a_follow_up_becomes_missing_when_it_is_shown():
    answers = {**plain_answers(), "risk_of_harm": {"value": "unsure", "explanation": "Grief."}}
    assert [q.key for q in missing(answers)] == ["support"]


def test_progress_counts_answered_and_shown_questions_per_section():
    assert list(progress({})) == [section.key for section in SECTIONS]
    assert all(done == 0 for done, _total in progress({}).values())
    complete = progress(plain_answers())
    assert all(done == total > 0 for done, total in complete.values())
    answers = {
        **plain_answers(),
        "sensitive_data": {"value": "yes", "explanation": "Health."},
        "criminal_offences": {"value": "", "explanation": ""},
    }
    done, total = progress(answers)["gdpr"]
    assert (done, total) == (complete["gdpr"][0] - 1, complete["gdpr"][1] + 1)
