"""The self-review's questions, written as data, and the checks on their answers.

An answer is ``{"value": str | list[str], "explanation": str}``; a study's answers map
question keys to answers. The rules that read them are in `rules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

#: The longest text or explanation kept; a longer one is refused, not cut.
MAX_TEXT = 5000

Answers = Mapping[str, Mapping[str, Any]]

NOT_AN_OPTION = _l("Choose among the options shown.")
NOT_A_DATE = _l("Enter the date as YYYY-MM-DD, for example 2027-06-30.")
TOO_LONG = _l("An answer may be at most %(n)d characters long.", n=MAX_TEXT)
UNREADABLE = _l("The answer could not be read. Please try again.")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Kind(StrEnum):
    """How a question is answered."""

    YES_NO_UNSURE = "yes_no_unsure"
    TEXT = "text"
    #: One of the options.
    CHOICE = "choice"
    #: Any number of the options.
    MULTI = "multi"
    DATE = "date"


@dataclass(frozen=True)
class Section:
    """A group of questions: one of the four requirements, or data protection."""

    key: str
    title: LazyString
    summary: LazyString


@dataclass(frozen=True)
class Option:
    """One answer a choice offers."""

    value: str
    label: LazyString


@dataclass(frozen=True)
class Question:
    """One question of the self-review."""

    key: str
    section: str
    text: LazyString
    #: What the requirement means and why it is asked.
    help: LazyString
    kind: Kind
    options: tuple[Option, ...] = ()
    #: The answer values that must be explained (any of them, for a multi).
    explain_when: frozenset[str] = frozenset()
    explain_label: LazyString | None = None
    required: bool = True
    #: A follow-up is shown only when this says an earlier answer makes it relevant.
    shown_when: Callable[[Answers], bool] | None = None
    #: The value a new self-review starts from; the student still confirms it.
    default: str | None = None


SECTIONS: tuple[Section, ...] = (
    Section(
        "informationskravet",
        _l("The information requirement"),
        _l(
            "Respondents are told the purpose, their role and conditions, that taking part is "
            "voluntary and can be stopped at any time, and who is responsible."
        ),
    ),
    Section(
        "samtyckeskravet",
        _l("The consent requirement"),
        _l(
            "Respondents decide for themselves: consent is voluntary, explicit, specific and "
            "documented, and can be withdrawn at any time without giving a reason."
        ),
    ),
    Section(
        "konfidentialitetskravet",
        _l("The confidentiality requirement"),
        _l(
            "Data are stored and reported so that no outsider can identify anyone: pseudonyms, "
            "a code key kept apart, and access limited to those who need it."
        ),
    ),
    Section(
        "nyttjandekravet",
        _l("The use requirement"),
        _l(
            "Data are used only for this research purpose, never for decisions about the "
            "individual or for commercial ends."
        ),
    ),
    Section(
        "gdpr",
        _l("Data protection (GDPR)"),
        _l(
            "Personal data are processed on a legal basis, for a stated purpose and no longer "
            "than needed, and respondents are told their rights."
        ),
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}

YES_NO_UNSURE = (
    Option("yes", _l("Yes")),
    Option("no", _l("No")),
    Option("unsure", _l("Not sure")),
)
YES_NO = YES_NO_UNSURE[:2]
#: "Not sure" must be explained as "yes" would: the student does not yet know it is "no".
YES_OR_UNSURE = frozenset({"yes", "unsure"})


def answer_value(answers: Answers, key: str) -> str | list[str]:
    """Return the value answered to a question, or "" when there is none."""
    answer = answers.get(key) or {}
    return answer.get("value") or ""


def answer_is(key: str, *values: str) -> Callable[[Answers], bool]:
    """Return a condition on answers: the question was answered with one of the values."""
    wanted = frozenset(values)

    def condition(answers: Answers) -> bool:
        value = answer_value(answers, key)
        return isinstance(value, str) and value in wanted

    return condition


_DESCRIBE_WHY_NEEDED = _l("Describe which data and why the study needs them")

QUESTIONS: tuple[Question, ...] = (
    # Informationskravet
    Question(
        "respondents",
        "informationskravet",
        _l("Who are the respondents?"),
        _l(
            "Describe the people you will interview: their role or group, roughly how many, "
            "and why they can answer your research questions. The information letter is "
            "written for them, so it helps to know who will read it."
        ),
        Kind.TEXT,
    ),
    Question(
        "recruitment",
        "informationskravet",
        _l("How will you find and recruit the respondents?"),
        _l(
            "Describe how respondents first hear about the study and how they are invited, for "
            "example through a notice, a contact person in an organisation or your own "
            "network. People should be able to say no without awkwardness: an invitation from "
            "someone with power over them can make it hard to refuse."
        ),
        Kind.TEXT,
    ),
    Question(
        "contact_source",
        "informationskravet",
        _l("How do you get the respondents' contact details?"),
        _l(
            "Contact details are personal data too. When people contact you themselves, they "
            "have chosen to. When the details come from a register, a list or another person, "
            "you must be allowed to use them for this purpose, and the letter must tell "
            "respondents where you got them."
        ),
        Kind.CHOICE,
        (
            Option("self", _l("They contact me after reading about the study")),
            Option("gatekeeper", _l("Through an organisation or a contact person")),
            Option("register", _l("From a register or a list")),
            Option("own_network", _l("From my own network")),
            Option("other", _l("Another way")),
        ),
        frozenset({"register", "other"}),
        _l("Describe where the contact details come from and why you may use them"),
    ),
    Question(
        "risk_of_harm",
        "informationskravet",
        _l("Could taking part cause respondents physical or psychological harm or distress?"),
        _l(
            "Think of topics that may bring back painful experiences, questions that may feel "
            "intrusive, and situations where what a respondent says could harm them at work or "
            "among people they know. Respondents must be told of possible consequences and "
            "risks before they decide, and a risk is best handled when it is thought through "
            "in advance."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _l("Describe the risk and how you reduce it"),
    ),
    Question(
        "support",
        "informationskravet",
        _l("What support can respondents turn to if the interview upsets them?"),
        _l(
            "Name concrete support, for example the student health service, a counselling "
            "service or a helpline, with contact details for the letter. Also say what you will "
            "do during the interview: pause, skip a question or end the interview."
        ),
        Kind.TEXT,
        shown_when=answer_is("risk_of_harm", *YES_OR_UNSURE),
    ),
    Question(
        "deception",
        "informationskravet",
        _l("Will the purpose of the study be withheld from respondents, or will they be misled?"),
        _l(
            "The information requirement means that respondents know what they take part in. "
            "Withholding the purpose or misleading people is acceptable only in exceptional "
            "cases, when the study cannot be done otherwise, and respondents must be told the "
            "truth afterwards. Such a study needs a fuller ethics review."
        ),
        Kind.CHOICE,
        YES_NO,
        frozenset({"yes"}),
        _l("Describe what is withheld, why, and how respondents are told afterwards"),
    ),
    # Samtyckeskravet
    Question(
        "minors",
        "samtyckeskravet",
        _l("Will any respondent be under 18?"),
        _l(
            "Children and young people need extra protection. For a child under 15, the "
            "guardians consent (both, if there are two) and the child must agree too. A young "
            "person aged 15–17 may consent on their own if they understand what taking part "
            "means, but many universities require the guardians' consent as well. Choose the "
            "youngest age that may occur."
        ),
        Kind.CHOICE,
        (
            Option("no", _l("No, all are 18 or older")),
            Option("aged_15_17", _l("Yes, aged 15–17")),
            Option("under_15", _l("Yes, under 15")),
        ),
    ),
    Question(
        "dependency",
        "samtyckeskravet",
        _l(
            "Do any respondents depend on you, for example your own clients, patients, pupils "
            "or colleagues?"
        ),
        _l(
            "Consent is voluntary only when saying no has no consequences. When a respondent "
            "depends on you at work, in care or at school, refusing can feel risky even when it "
            "is not. Choose respondents who do not depend on you where you can; otherwise the "
            "letter must say how the dependency is handled, for example that someone else makes "
            "the first contact and that refusing changes nothing."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _l("Describe how the dependency is handled"),
    ),
    Question(
        "recording",
        "samtyckeskravet",
        _l("How will you record the interviews?"),
        _l(
            "A recording of a voice or a face that can be recognised is personal data, even "
            "without a name. Respondents consent to the recording separately and may say no to "
            "it and still take part. Record no more than you need: audio is usually enough for "
            "an interview study."
        ),
        Kind.CHOICE,
        (
            Option("audio", _l("Audio recording")),
            Option("video", _l("Video recording")),
            Option("notes", _l("No recording, notes only")),
        ),
        frozenset({"video"}),
        _l("Explain why video is needed rather than audio"),
    ),
    Question(
        "withdrawal",
        "samtyckeskravet",
        _l("What happens to a respondent's data if they withdraw?"),
        _l(
            "Respondents may withdraw their consent at any time without giving a reason. For a "
            "student thesis, the usual promise is that everything about them is destroyed. If "
            "data already analysed must be kept, the letter must say so and respondents should "
            "be offered the choice."
        ),
        Kind.CHOICE,
        (
            Option(
                "destroy", _l("Their recordings, transcripts and code-key entries are destroyed")
            ),
            Option("keep_analysed", _l("Data already analysed are kept; nothing new is collected")),
        ),
        frozenset({"keep_analysed"}),
        _l("Explain why data already analysed must be kept"),
    ),
    # Konfidentialitetskravet
    Question(
        "storage",
        "konfidentialitetskravet",
        _l("Where will recordings, transcripts and the code key be stored?"),
        _l(
            "Name the places, for example this service, the university's storage or an "
            "encrypted drive. Outsiders must not be able to reach the data, and the code key "
            "that links pseudonyms to real names is kept apart from the transcripts. Avoid "
            "private cloud services, and do not leave recordings on a phone or a memory card "
            "longer than needed."
        ),
        Kind.TEXT,
    ),
    Question(
        "access",
        "konfidentialitetskravet",
        _l("Who will have access to the data?"),
        _l(
            "List who may see recordings, transcripts and the code key, for example you, your "
            "co-author and your supervisor. Access limited to those who need it is part of "
            "keeping respondents unidentifiable."
        ),
        Kind.TEXT,
    ),
    # Nyttjandekravet
    Question(
        "publication",
        "nyttjandekravet",
        _l("Do you plan to publish the results beyond the thesis, for example in a journal?"),
        _l(
            "Work done only within first- and second-cycle education is not research under the "
            "Ethical Review Act (2003:460). That exemption is lost if the work is planned for "
            "publication in a scientific journal: the law then applies as to any research. "
            "Publishing the thesis itself in the university's archive does not count."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _l("Describe where and how you plan to publish"),
    ),
    Question(
        "phd_continuation",
        "nyttjandekravet",
        _l("Could the material become part of a research project or a doctoral project?"),
        _l(
            "If the interviews are also used in a research project, for example your "
            "supervisor's or your own future doctoral studies, the work is research under the "
            "Ethical Review Act and the student exemption is lost. The use requirement also "
            "means that respondents must be told of that use before they consent."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _l("Describe the research project"),
    ),
    # Data protection
    Question(
        "sensitive_data",
        "gdpr",
        _l("Will you collect sensitive personal data?"),
        _l(
            "Sensitive personal data (GDPR art. 9) reveal ethnic origin, political opinions, "
            "religious or philosophical beliefs, trade-union membership, genetic or biometric "
            "data, health, or sex life or sexual orientation. They count even when a respondent "
            "brings them up unasked, if the interview is likely to lead there. They need "
            "stronger protection, the supervisor must accept them explicitly, and many "
            "universities do not allow them in bachelor theses."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _DESCRIBE_WHY_NEEDED,
    ),
    Question(
        "sensitive_categories",
        "gdpr",
        _l("Which kinds of sensitive personal data?"),
        _l(
            "Choose every kind the interviews may touch on. The letter names them, so that "
            "respondents know what they are asked to share."
        ),
        Kind.MULTI,
        (
            Option("ethnic_origin", _l("Racial or ethnic origin")),
            Option("political_opinions", _l("Political opinions")),
            Option("religion", _l("Religious or philosophical beliefs")),
            Option("trade_union", _l("Trade-union membership")),
            Option("genetic", _l("Genetic data")),
            Option("biometric", _l("Biometric data that identify a person")),
            Option("health", _l("Health")),
            Option("sex_life", _l("Sex life or sexual orientation")),
            Option("unsure", _l("Not sure yet")),
        ),
        shown_when=answer_is("sensitive_data", *YES_OR_UNSURE),
    ),
    Question(
        "criminal_offences",
        "gdpr",
        _l("Will you collect data about criminal offences?"),
        _l(
            "Data on criminal offences, convictions or suspicions of crime (GDPR art. 10) are "
            "protected much like sensitive personal data. This includes a respondent telling "
            "you about crimes they have committed, been suspected of or been convicted of."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _DESCRIBE_WHY_NEEDED,
    ),
    Question(
        "legal_basis",
        "gdpr",
        _l("What is the legal basis for processing the personal data?"),
        _l(
            "Every processing of personal data needs a legal basis (GDPR art. 6). Universities "
            "normally process thesis and research data as a task in the public interest; "
            "respondents' consent to take part is then an ethical requirement, not the legal "
            "basis. With consent as the legal basis, a withdrawal normally means the data must "
            "be erased. Ask your supervisor which basis your university uses."
        ),
        Kind.CHOICE,
        (
            Option("public_interest", _l("A task in the public interest (art. 6.1 e), the usual")),
            Option("consent", _l("Consent (art. 6.1 a)")),
            Option("other", _l("Another legal basis")),
        ),
        frozenset({"other"}),
        _l("Name the legal basis and why it applies"),
        default="public_interest",
    ),
    Question(
        "transfer_outside_eea",
        "gdpr",
        _l(
            "Will any personal data be sent outside the EU/EEA, for example by a cloud "
            "transcription service or a video-call service?"
        ),
        _l(
            "Recordings sent to a transcription service, interviews held over a video-call "
            "service and files kept in a cloud service may end up on servers in a third "
            "country, outside the EU/EEA. Such a transfer needs a legal ground under GDPR "
            "chapter V and must be told in the letter. Prefer the university's own services, "
            "or services that keep data inside the EU/EEA."
        ),
        Kind.YES_NO_UNSURE,
        YES_NO_UNSURE,
        YES_OR_UNSURE,
        _l("Name the services or recipients and the countries"),
    ),
    Question(
        "retention_date",
        "gdpr",
        _l("Until what date will the data be kept?"),
        _l(
            "Personal data may not be kept longer than needed. Choose a date, for example when "
            "the thesis has been graded and the time to appeal has passed. The letter tells "
            "respondents the date."
        ),
        Kind.DATE,
    ),
    Question(
        "destruction",
        "gdpr",
        _l("What is destroyed, and when?"),
        _l(
            "Describe what happens at the end, for example that recordings and the code key "
            "are destroyed when the thesis is approved and pseudonymised transcripts on the "
            "retention date. Your university's archiving rules may require some documents, "
            "such as consent forms, to be kept longer."
        ),
        Kind.TEXT,
    ),
)

QUESTIONS_BY_KEY = {question.key: question for question in QUESTIONS}


def visible(answers: Answers) -> list[Question]:
    """Return the questions shown for these answers, in order."""
    return [q for q in QUESTIONS if q.shown_when is None or q.shown_when(answers)]


def clean_answer(question: Question, value: Any, explanation: Any = "") -> dict[str, Any]:
    """Return the answer normalised; an explanation no value asks for is dropped.

    :raises ValueError: with a message for the user as its first argument, when the value
        is not one of the options, not a date or too long.
    """
    if question.kind is Kind.MULTI:
        cleaned: str | list[str] = _clean_options(question, value)
    else:
        cleaned = _clean_text(value)
        if cleaned and question.kind in (Kind.YES_NO_UNSURE, Kind.CHOICE):
            if cleaned not in {option.value for option in question.options}:
                raise ValueError(NOT_AN_OPTION)
        elif cleaned and question.kind is Kind.DATE:
            _check_date(cleaned)
    answer = {"value": cleaned, "explanation": ""}
    if needs_explanation(question, answer):
        answer["explanation"] = _clean_text(explanation)
    return answer


def needs_explanation(question: Question, answer: Mapping[str, Any] | None) -> bool:
    """Tell whether the answer's value is one the student must explain."""
    return bool(_chosen(answer) & question.explain_when)


def missing(answers: Answers) -> list[Question]:
    """Return the shown required questions not yet answered or lacking their explanation."""
    return [q for q in visible(answers) if q.required and not _complete(q, answers.get(q.key))]


def progress(answers: Answers) -> dict[str, tuple[int, int]]:
    """Return (answered, shown) questions per section key, in section order."""
    counts = {section.key: [0, 0] for section in SECTIONS}
    for question in visible(answers):
        counts[question.section][1] += 1
        counts[question.section][0] += _complete(question, answers.get(question.key))
    return {key: (done, total) for key, (done, total) in counts.items()}


def _complete(question: Question, answer: Mapping[str, Any] | None) -> bool:
    """Tell whether a question has a value and, where the value asks for one, an explanation."""
    if not _chosen(answer):
        return False
    if not needs_explanation(question, answer):
        return True
    explanation = (answer or {}).get("explanation")
    return isinstance(explanation, str) and bool(explanation.strip())


def _chosen(answer: Mapping[str, Any] | None) -> set[str]:
    """Return the non-blank values of an answer as a set (one for all but a multi)."""
    value = (answer or {}).get("value")
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {v for v in values if isinstance(v, str) and v.strip()}


def _clean_options(question: Question, value: Any) -> list[str]:
    """Return the chosen options of a multi, once each and in the options' order."""
    if value is None:
        value = []
    elif isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(UNREADABLE)
    chosen = {v.strip() for v in value} - {""}
    allowed = [option.value for option in question.options]
    if chosen - set(allowed):
        raise ValueError(NOT_AN_OPTION)
    return [v for v in allowed if v in chosen]


def _clean_text(value: Any) -> str:
    """Return text stripped, with one kind of line break and no NUL (PostgreSQL refuses it)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(UNREADABLE)
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > MAX_TEXT:
        raise ValueError(TOO_LONG)
    return text


def _check_date(text: str) -> None:
    """Refuse anything but a real date written yyyy-mm-dd.

    date.fromisoformat alone also takes "20270630" and week dates, which a person reading
    the stored answer would not recognise.
    """
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(NOT_A_DATE)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
