"""The rules table: each rule fires on its answers and only then, and the review route."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from study.ethics.questions import QUESTIONS_BY_KEY
from study.ethics.rules import (
    RULES,
    Consequence,
    Route,
    Severity,
    blocking,
    consequences,
    institution_rules,
    outcome,
    triggered,
)

ALL_RULES = institution_rules(sensitive_data_forbidden=True)


def given(**values):
    """Return answers with these values and an explanation wherever one may be asked."""
    return {key: {"value": value, "explanation": "Explained."} for key, value in values.items()}


#: For every rule: answers that trigger it, and nearby answers that do not.
CASES = {
    "minors_under_15": (given(minors="under_15"), given(minors="aged_15_17")),
    "minors_15_17": (given(minors="aged_15_17"), given(minors="no")),
    "dependency": (given(dependency="yes"), given(dependency="no")),
    "sensitive_data": (given(sensitive_data="yes"), given(sensitive_data="no")),
    "criminal_offences": (given(criminal_offences="yes"), given(criminal_offences="no")),
    "risk_of_harm": (given(risk_of_harm="yes"), given(risk_of_harm="no")),
    "deception": (given(deception="yes"), given(deception="no")),
    "recording_audio": (given(recording="audio"), given(recording="notes")),
    "recording_video": (given(recording="video"), given(recording="audio")),
    "contact_from_register": (given(contact_source="register"), given(contact_source="self")),
    "transfer_outside_eea": (given(transfer_outside_eea="yes"), given(transfer_outside_eea="no")),
    "publication": (given(publication="yes"), given(publication="no")),
    "phd_continuation": (given(phd_continuation="yes"), given(phd_continuation="no")),
    "unsure_answers": (given(publication="unsure"), given(publication="yes")),
    "withdrawal_keep_data": (given(withdrawal="keep_analysed"), given(withdrawal="destroy")),
    "legal_basis_consent": (given(legal_basis="consent"), given(legal_basis="public_interest")),
    "consent_basis_keeps_data": (
        given(legal_basis="consent", withdrawal="keep_analysed"),
        given(legal_basis="consent", withdrawal="destroy"),
    ),
    "sensitive_data_forbidden": (
        given(criminal_offences="yes"),
        given(sensitive_data="no", criminal_offences="no"),
    ),
}

#: Answers that raise no concern at all.
QUIET = given(
    minors="no",
    dependency="no",
    sensitive_data="no",
    criminal_offences="no",
    risk_of_harm="no",
    deception="no",
    recording="notes",
    contact_source="self",
    transfer_outside_eea="no",
    publication="no",
    phd_continuation="no",
    withdrawal="destroy",
    legal_basis="public_interest",
)

#: Questions where "Not sure" must act as "Yes".
YES_NO_UNSURE_CONCERNS = (
    "dependency",
    "sensitive_data",
    "criminal_offences",
    "risk_of_harm",
    "transfer_outside_eea",
    "publication",
    "phd_continuation",
)


def test_every_rule_has_a_case_and_every_case_a_rule():
    keys = [rule.key for rule in ALL_RULES]
    assert len(keys) == len(set(keys)), "rule keys must be unique"
    assert set(CASES) == set(keys)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.key)
def test_a_rule_fires_on_its_answers_and_not_on_nearby_ones(rule):
    fires, quiet = CASES[rule.key]
    assert rule.condition(fires)
    assert not rule.condition(quiet)
    assert rule in triggered(fires, sensitive_data_forbidden=True)
    assert rule not in triggered(quiet, sensitive_data_forbidden=True)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.key)
def test_a_rule_is_shown_at_questions_that_exist(rule):
    assert rule.questions
    assert set(rule.questions) <= QUESTIONS_BY_KEY.keys()


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.key)
def test_a_rule_that_points_to_a_route_names_its_reason(rule):
    assert (rule.route is None) == (rule.reason is None)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.key)
def test_a_rule_reads_empty_answers_as_no_concern(rule):
    assert not rule.condition({})


def test_answers_that_raise_no_concern_trigger_nothing():
    assert triggered(QUIET, sensitive_data_forbidden=True) == []
    assert consequences(QUIET) == frozenset()
    assert blocking(QUIET) == []


@pytest.mark.parametrize("key", YES_NO_UNSURE_CONCERNS)
def test_not_sure_counts_as_yes(key):
    def keys(answers):
        return {rule.key for rule in triggered(answers, sensitive_data_forbidden=True)}

    unsure = keys({**QUIET, **given(**{key: "unsure"})})
    yes = keys({**QUIET, **given(**{key: "yes"})})
    assert unsure == yes | {"unsure_answers"}
    assert yes, "a yes here raises a concern"


def test_children_under_15_need_guardians_and_a_letter_for_their_age():
    answers = {**QUIET, **given(minors="under_15")}
    assert consequences(answers) == {Consequence.GUARDIAN_CONSENT, Consequence.CHILD_LETTER}
    assert [rule.key for rule in blocking(answers)] == ["minors_under_15"]


def test_consequences_gather_from_every_triggered_rule():
    answers = {**QUIET, **given(recording="video", dependency="yes", risk_of_harm="unsure")}
    assert consequences(answers) == {
        Consequence.CONSENT_ITEM_VIDEO,
        Consequence.LETTER_EXPLAINS_DEPENDENCY,
        Consequence.LETTER_SUPPORT,
    }


def test_sensitive_data_and_criminal_offences_block_until_the_supervisor_acknowledges():
    answers = {**QUIET, **given(sensitive_data="yes", criminal_offences="unsure")}
    rules = blocking(answers)
    assert [rule.key for rule in rules] == ["sensitive_data", "criminal_offences"]
    assert all(rule.acknowledgeable for rule in rules)


@pytest.mark.parametrize("key", ["sensitive_data", "criminal_offences"])
def test_where_the_university_forbids_sensitive_data_only_another_answer_clears_it(key):
    answers = {**QUIET, **given(**{key: "yes"})}
    assert "sensitive_data_forbidden" not in {rule.key for rule in blocking(answers)}
    forbidden = [
        rule
        for rule in blocking(answers, sensitive_data_forbidden=True)
        if rule.key == "sensitive_data_forbidden"
    ]
    assert len(forbidden) == 1
    assert forbidden[0].acknowledgeable is False
    assert blocking(QUIET, sensitive_data_forbidden=True) == []


def test_the_ban_adds_one_rule_to_the_table():
    assert institution_rules(False) == RULES
    assert institution_rules(True)[: len(RULES)] == RULES
    assert [rule.key for rule in institution_rules(True)[len(RULES) :]] == [
        "sensitive_data_forbidden"
    ]


def test_only_blocking_rules_may_refuse_acknowledgement():
    for rule in ALL_RULES:
        assert rule.acknowledgeable or rule.severity is Severity.BLOCKING


def test_a_study_without_triage_reasons_stays_with_the_supervisor():
    result = outcome({**QUIET, **given(recording="audio", transfer_outside_eea="yes")})
    assert result.route is Route.STUDENT_EXEMPTION
    assert len(result.reasons) == 1
    assert outcome({}).route is Route.STUDENT_EXEMPTION


@pytest.mark.parametrize(
    "key, value",
    [
        ("sensitive_data", "yes"),
        ("criminal_offences", "yes"),
        ("minors", "under_15"),
        ("minors", "aged_15_17"),
        ("dependency", "yes"),
        ("risk_of_harm", "unsure"),
        ("deception", "yes"),
    ],
)
def test_each_triage_reason_sends_the_study_to_the_ethics_council(key, value):
    answers = {**QUIET, **given(**{key: value})}
    result = outcome(answers)
    assert result.route is Route.ETHICS_COUNCIL
    (rule,) = [rule for rule in triggered(answers) if rule.route]
    assert result.reasons == (rule.reason,)


@pytest.mark.parametrize("key", ["publication", "phd_continuation"])
def test_losing_the_student_exemption_sends_the_study_to_the_authority(key):
    result = outcome({**QUIET, **given(**{key: "yes"})})
    assert result.route is Route.ETHICAL_REVIEW_AUTHORITY
    assert len(result.reasons) == 1


def test_the_authority_route_names_every_reason_the_heaviest_first():
    answers = {
        **QUIET,
        **given(sensitive_data="yes", criminal_offences="yes", publication="unsure"),
    }
    result = outcome(answers, sensitive_data_forbidden=True)
    by_key = {rule.key: rule for rule in ALL_RULES}
    assert result.route is Route.ETHICAL_REVIEW_AUTHORITY
    assert result.reasons == (
        by_key["publication"].reason,
        by_key["sensitive_data"].reason,
        by_key["criminal_offences"].reason,
    )


def test_every_message_renders(app):
    with app.test_request_context():
        for rule in ALL_RULES:
            assert str(rule.message).strip()
            assert rule.reason is None or str(rule.reason).strip()
        with force_locale("en"):
            assert "education" in str(outcome({}).reasons[0])
        with force_locale("sv"):
            assert "utbildning" in str(outcome({}).reasons[0])
