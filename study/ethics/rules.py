"""What the self-review's answers imply: warnings, later steps' duties and the review route.

The rules are a table that the pages and the tests both iterate over. Every condition reads
"Not sure" as "Yes": a risk the student cannot yet rule out is treated as present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .questions import QUESTIONS, YES_OR_UNSURE, Answers, Kind, answer_is, answer_value


class Severity(StrEnum):
    """How strongly a rule speaks."""

    INFORMATION = "information"
    WARNING = "warning"
    #: The step can be submitted, but not approved until the supervisor acknowledges it.
    BLOCKING = "blocking"


class Route(StrEnum):
    """Where the study's ethics are reviewed, from the lightest route to the heaviest."""

    #: Work within first- or second-cycle education: the supervisor approves.
    STUDENT_EXEMPTION = "student_exemption"
    #: The department's ethics council reviews the study more fully.
    ETHICS_COUNCIL = "ethics_council"
    #: Research under the Ethical Review Act (2003:460): Etikprövningsmyndigheten.
    ETHICAL_REVIEW_AUTHORITY = "ethical_review_authority"


_ROUTE_ORDER = tuple(Route)


class Consequence(StrEnum):
    """What a later step (letter, consent form, recruitment) must contain or do."""

    GUARDIAN_CONSENT = "guardian_consent"
    CHILD_LETTER = "child_letter"
    #: Respondents aged 15–17 consent themselves; the letter says so, in words for their age.
    YOUNG_PERSON_CONSENT = "young_person_consent"
    LETTER_EXPLAINS_DEPENDENCY = "letter_explains_dependency"
    CONSENT_ITEM_AUDIO = "consent_item_audio"
    CONSENT_ITEM_VIDEO = "consent_item_video"
    LETTER_SENSITIVE_DATA = "letter_sensitive_data"
    LETTER_TRANSFER = "letter_transfer"
    LETTER_SUPPORT = "letter_support"
    LETTER_WITHDRAWAL_CHOICE = "letter_withdrawal_choice"
    #: The letter says where the contact details came from (GDPR art. 14).
    LETTER_CONTACT_SOURCE = "letter_contact_source"
    #: The letter says the results may be published or used in research beyond the thesis.
    LETTER_FURTHER_USE = "letter_further_use"
    #: The letter's rights section follows consent as the legal basis (erasure on withdrawal).
    LETTER_CONSENT_BASIS = "letter_consent_basis"
    #: Respondents are told the withheld purpose after the interview.
    DEBRIEFING = "debriefing"


@dataclass(frozen=True)
class Rule:
    """One concern an answer raises: what it implies and where it is shown."""

    key: str
    condition: Callable[[Answers], bool]
    severity: Severity
    message: LazyString
    #: The questions the message is shown at.
    questions: tuple[str, ...]
    consequences: tuple[Consequence, ...] = ()
    #: The review route this concern sends the study to, if any.
    route: Route | None = None
    #: Only for blocking rules: False where only changing the answer clears the rule.
    acknowledgeable: bool = True
    #: The concern named in short, as a reason for the route.
    reason: LazyString | None = None


@dataclass(frozen=True)
class Outcome:
    """The review route the answers lead to, and why."""

    route: Route
    reasons: tuple[LazyString, ...]


def _yes(key: str) -> Callable[[Answers], bool]:
    """Return a condition: the question was answered "Yes" or "Not sure"."""
    return answer_is(key, *YES_OR_UNSURE)


def _any_unsure(answers: Answers) -> bool:
    """Tell whether a yes/no question was answered "Not sure"."""
    return any(answer_value(answers, key) == "unsure" for key in _UNSURE_QUESTIONS)


def _sensitive_or_criminal(answers: Answers) -> bool:
    """Tell whether the study may hold sensitive data or data on criminal offences."""
    return _yes("sensitive_data")(answers) or _yes("criminal_offences")(answers)


_UNSURE_QUESTIONS = tuple(q.key for q in QUESTIONS if q.kind is Kind.YES_NO_UNSURE)

RULES: tuple[Rule, ...] = (
    Rule(
        "minors_under_15",
        answer_is("minors", "under_15"),
        # Blocking: a child under 15 cannot consent alone, the guardians' consent and the
        # child's assent must both be planned for, and departments often want a fuller
        # review; the supervisor should take that on explicitly, not by default.
        Severity.BLOCKING,
        _l(
            "Respondents under 15: the guardians must consent (both, if there are two) and the "
            "child must agree too; a version of the letter in words for the child's age is "
            "required. The supervisor must accept this explicitly."
        ),
        ("minors",),
        (Consequence.GUARDIAN_CONSENT, Consequence.CHILD_LETTER),
        Route.ETHICS_COUNCIL,
        reason=_l("Respondents under 15"),
    ),
    Rule(
        "minors_15_17",
        answer_is("minors", "aged_15_17"),
        Severity.WARNING,
        _l(
            "Respondents aged 15–17 may consent on their own if they understand what taking "
            "part means, but many universities require the guardians' consent as well: check "
            "your university's rules. Write the letter so that they can understand it."
        ),
        ("minors",),
        (Consequence.YOUNG_PERSON_CONSENT,),
        Route.ETHICS_COUNCIL,
        reason=_l("Respondents aged 15–17"),
    ),
    Rule(
        "dependency",
        _yes("dependency"),
        Severity.WARNING,
        _l(
            "Respondents who depend on you may find it hard to say no. The letter must say how "
            "the dependency is handled, for example that someone else makes the first contact "
            "and that saying no changes nothing for them."
        ),
        ("dependency",),
        (Consequence.LETTER_EXPLAINS_DEPENDENCY,),
        Route.ETHICS_COUNCIL,
        reason=_l("Respondents who depend on the student"),
    ),
    Rule(
        "sensitive_data",
        _yes("sensitive_data"),
        Severity.BLOCKING,
        _l(
            "Sensitive personal data (GDPR art. 9) need stronger protection: the letter must "
            "name them and say why the study needs them, and the supervisor must accept them "
            "explicitly. Many universities do not allow them in bachelor theses."
        ),
        ("sensitive_data", "sensitive_categories"),
        (Consequence.LETTER_SENSITIVE_DATA,),
        Route.ETHICS_COUNCIL,
        reason=_l("Sensitive personal data"),
    ),
    Rule(
        "criminal_offences",
        _yes("criminal_offences"),
        Severity.BLOCKING,
        _l(
            "Data on criminal offences (GDPR art. 10) are protected like sensitive personal "
            "data: the letter must name them and say why the study needs them, and the "
            "supervisor must accept them explicitly. Many universities do not allow them in "
            "bachelor theses."
        ),
        ("criminal_offences",),
        (Consequence.LETTER_SENSITIVE_DATA,),
        Route.ETHICS_COUNCIL,
        reason=_l("Data on criminal offences"),
    ),
    Rule(
        "risk_of_harm",
        _yes("risk_of_harm"),
        Severity.WARNING,
        _l(
            "A risk of physical or psychological harm: the letter must describe the risk and "
            "the support respondents can turn to, and you should plan how to pause or end an "
            "interview."
        ),
        ("risk_of_harm", "support"),
        (Consequence.LETTER_SUPPORT,),
        Route.ETHICS_COUNCIL,
        reason=_l("Risk of physical or psychological harm"),
    ),
    Rule(
        "deception",
        answer_is("deception", "yes"),
        Severity.WARNING,
        _l(
            "Withholding the purpose or misleading respondents sets the information "
            "requirement aside: the study needs a fuller ethics review, and respondents must "
            "be told the truth after the interview."
        ),
        ("deception",),
        (Consequence.DEBRIEFING,),
        Route.ETHICS_COUNCIL,
        reason=_l("The purpose is withheld or respondents are misled"),
    ),
    Rule(
        "recording_audio",
        answer_is("recording", "audio"),
        Severity.INFORMATION,
        _l(
            "An audio recording of a recognisable voice is personal data. The consent form gets "
            "a separate item for audio recording; a respondent who says no to it can still take "
            "part, with notes only."
        ),
        ("recording",),
        (Consequence.CONSENT_ITEM_AUDIO,),
    ),
    Rule(
        "recording_video",
        answer_is("recording", "video"),
        Severity.WARNING,
        _l(
            "A video recording shows faces and voices: it is personal data and hard to "
            "pseudonymise. The consent form gets a separate item for video recording; consider "
            "whether audio is enough."
        ),
        ("recording",),
        (Consequence.CONSENT_ITEM_VIDEO,),
    ),
    Rule(
        "contact_from_register",
        answer_is("contact_source", "register"),
        Severity.INFORMATION,
        _l(
            "Contact details from a register or a list: make sure you may use them for this "
            "study. The letter must say where you got them (GDPR art. 14)."
        ),
        ("contact_source",),
        (Consequence.LETTER_CONTACT_SOURCE,),
    ),
    Rule(
        "transfer_outside_eea",
        _yes("transfer_outside_eea"),
        Severity.WARNING,
        _l(
            "A transfer to a third country outside the EU/EEA needs a legal ground under GDPR "
            "chapter V, such as an adequacy decision, and the letter must name the recipient "
            "and the country. Prefer services that keep the data inside the EU/EEA."
        ),
        ("transfer_outside_eea",),
        (Consequence.LETTER_TRANSFER,),
    ),
    # Publication and continued research end the student exemption. Strictly, the law then
    # demands approval only for research with sensitive data, criminal offences, a risk of
    # harm or the like (2003:460, 3–4 §§); the route points to the authority so that the
    # question is put to it, or to the department's advisers, before the interviews.
    Rule(
        "publication",
        _yes("publication"),
        Severity.WARNING,
        _l(
            "Planned publication in a scientific journal makes the work research under the "
            "Ethical Review Act (2003:460): the student exemption is lost. If the study "
            "involves sensitive personal data, data on criminal offences or a risk of harm, the "
            "Swedish Ethical Review Authority (Etikprövningsmyndigheten) must approve it before "
            "the interviews begin. The letter must tell respondents about the publication."
        ),
        ("publication",),
        (Consequence.LETTER_FURTHER_USE,),
        Route.ETHICAL_REVIEW_AUTHORITY,
        reason=_l("Planned publication beyond the thesis: the student exemption is lost"),
    ),
    Rule(
        "phd_continuation",
        _yes("phd_continuation"),
        Severity.WARNING,
        _l(
            "If the material becomes part of a research or doctoral project, the work is "
            "research under the Ethical Review Act (2003:460) and the student exemption is "
            "lost. If the study involves sensitive personal data, data on criminal offences or "
            "a risk of harm, the Swedish Ethical Review Authority (Etikprövningsmyndigheten) "
            "must approve it before the interviews begin. The letter must tell respondents "
            "about that use."
        ),
        ("phd_continuation",),
        (Consequence.LETTER_FURTHER_USE,),
        Route.ETHICAL_REVIEW_AUTHORITY,
        reason=_l("Part of a research or doctoral project: the student exemption is lost"),
    ),
    Rule(
        "unsure_answers",
        _any_unsure,
        Severity.INFORMATION,
        _l(
            "Until you know, “Not sure” counts as “Yes”: the warnings for “Yes” apply. Find out, "
            "with your supervisor if needed, and change the answer."
        ),
        _UNSURE_QUESTIONS,
    ),
    Rule(
        "withdrawal_keep_data",
        answer_is("withdrawal", "keep_analysed"),
        Severity.INFORMATION,
        _l(
            "Data already analysed are kept after a withdrawal: the letter must say so and offer "
            "respondents the choice of having all their data destroyed instead."
        ),
        ("withdrawal",),
        (Consequence.LETTER_WITHDRAWAL_CHOICE,),
    ),
    Rule(
        "legal_basis_consent",
        answer_is("legal_basis", "consent"),
        Severity.INFORMATION,
        _l(
            "With consent as the legal basis (art. 6.1 a), a withdrawal normally means that "
            "the respondent's data must be erased, including data already analysed. Universities "
            "usually rely on a task in the public interest (art. 6.1 e): check with your "
            "supervisor."
        ),
        ("legal_basis",),
        (Consequence.LETTER_CONSENT_BASIS,),
    ),
    Rule(
        "consent_basis_keeps_data",
        lambda answers: (
            answer_is("legal_basis", "consent")(answers)
            and answer_is("withdrawal", "keep_analysed")(answers)
        ),
        Severity.WARNING,
        _l(
            "With consent as the legal basis, data already analysed can normally not be kept "
            "after a withdrawal. Change the legal basis or what happens on withdrawal."
        ),
        ("legal_basis", "withdrawal"),
    ),
)

SENSITIVE_DATA_FORBIDDEN = Rule(
    "sensitive_data_forbidden",
    _sensitive_or_criminal,
    Severity.BLOCKING,
    _l(
        "Your university does not allow sensitive personal data or data on criminal offences "
        "in student theses. Change the study so that it does not collect them; the supervisor "
        "cannot accept an exception."
    ),
    ("sensitive_data", "criminal_offences"),
    acknowledgeable=False,
)

STUDENT_EXEMPTION_REASON = _l(
    "Work within first- or second-cycle education, and none of the reasons for a fuller "
    "review applies."
)


def institution_rules(sensitive_data_forbidden: bool) -> tuple[Rule, ...]:
    """Return the rules, with the ban on sensitive data where the university has one."""
    return (*RULES, SENSITIVE_DATA_FORBIDDEN) if sensitive_data_forbidden else RULES


def triggered(answers: Answers, *, sensitive_data_forbidden: bool = False) -> list[Rule]:
    """Return the rules these answers trigger, in table order."""
    return [r for r in institution_rules(sensitive_data_forbidden) if r.condition(answers)]


def consequences(
    answers: Answers, *, sensitive_data_forbidden: bool = False
) -> frozenset[Consequence]:
    """Return what the later steps must contain because of these answers."""
    rules = triggered(answers, sensitive_data_forbidden=sensitive_data_forbidden)
    return frozenset(c for rule in rules for c in rule.consequences)


def blocking(answers: Answers, *, sensitive_data_forbidden: bool = False) -> list[Rule]:
    """Return the triggered rules that stop approval until acknowledged or answered away."""
    rules = triggered(answers, sensitive_data_forbidden=sensitive_data_forbidden)
    return [rule for rule in rules if rule.severity is Severity.BLOCKING]


def outcome(answers: Answers, *, sensitive_data_forbidden: bool = False) -> Outcome:
    """Return the heaviest route any triggered rule points to, with every such rule's reason."""
    rules = triggered(answers, sensitive_data_forbidden=sensitive_data_forbidden)
    routed = [rule for rule in rules if rule.route is not None]
    if not routed:
        return Outcome(Route.STUDENT_EXEMPTION, (STUDENT_EXEMPTION_REASON,))
    # The heaviest route's reasons first; table order within a route (the sort is stable).
    routed.sort(key=lambda rule: _ROUTE_ORDER.index(rule.route), reverse=True)
    return Outcome(routed[0].route, tuple(rule.reason for rule in routed))
