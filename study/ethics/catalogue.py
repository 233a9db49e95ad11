"""The self-review's questions, written as data.

Help texts are in English; the translation catalog gives them in Swedish.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .kinds import (
    YES_NO,
    YES_NO_UNSURE,
    YES_OR_UNSURE,
    Kind,
    Option,
    Question,
    answer_is,
)

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
