"""The authorization matrix: every route × every kind of visitor, declared as data.

A route missing from EXPECTATIONS fails `test_every_route_has_an_expectation`, so no new
route can slip through unchecked.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for

from study.accounts import links
from study.accounts import services as accounts
from study.accounts.models import Role, TokenPurpose
from study.accounts.services import start_password_reset
from study.consent import services as consent
from study.consent import withdrawal
from study.exports.models import Export, ExportState
from study.exports.services import export_storage
from study.letters import consent_form
from study.letters import services as letters
from study.models import utcnow
from study.recordings.models import Recording
from study.respondents import services as recruitment
from study.review import services as review
from study.studies import services as studies
from study.studies.models import MemberRole
from study.transcripts.models import Transcript, TranscriptVersion
from study.vault.service import get_vault

from .conftest import answer_self_review, open_recruitment

PASSWORD = "correct horse battery"
STAFF = (
    "anonymous",
    "owner",
    "co_author",
    "other_student",
    "supervisor",
    "other_supervisor",
    "admin",
)
#: People who arrive through a personal link: a respondent of the recruiting study, another
#: of its respondents, and one who has withdrawn.
RESPONDENTS = ("respondent", "other_respondent", "withdrawn_respondent")
ACTORS = STAFF + RESPONDENTS


def staff(expected: dict[str, str]) -> dict[str, str]:
    """Return a staff page's expectations: respondents, who have no account, fare as anonymous."""
    return {**expected, **dict.fromkeys(RESPONDENTS, expected["anonymous"])}


PUBLIC = dict.fromkeys(ACTORS, "ok")
LOGGED_IN = staff({**dict.fromkeys(STAFF, "ok"), "anonymous": "login"})
ADMIN = staff({**dict.fromkeys(STAFF, "forbidden"), "anonymous": "login", "admin": "ok"})
STUDENT = staff(
    {
        "anonymous": "login",
        "owner": "ok",
        "co_author": "ok",
        "other_student": "ok",
        "supervisor": "forbidden",
        "other_supervisor": "forbidden",
        "admin": "forbidden",
    }
)
STUDY_MEMBER = staff(
    {
        "anonymous": "login",
        "owner": "ok",
        "co_author": "ok",
        "supervisor": "ok",
        "other_student": "hidden",
        "other_supervisor": "hidden",
        "admin": "hidden",
    }
)
STUDY_AUTHOR = {**STUDY_MEMBER, "supervisor": "forbidden"}
SUPERVISORS = staff(
    {
        **dict.fromkeys(STAFF, "forbidden"),
        "anonymous": "login",
        "supervisor": "ok",
        "other_supervisor": "ok",
    }
)
#: Only the study's supervisor decides; its student is refused by the review service.
STUDY_SUPERVISOR = {**STUDY_MEMBER, "owner": "refused", "co_author": "refused"}
#: An author passes the access check and the service refuses the empty request: it names no
#: language, section or item, the consent form it would generate exists already, or there is
#: no change to undo.
STUDY_AUTHOR_REFUSED = {**STUDY_AUTHOR, "owner": "refused", "co_author": "refused"}
#: The invitation in the world is for an address none of the actors has.
NOT_INVITED = staff({**dict.fromkeys(STAFF, "refused"), "anonymous": "login"})
#: A respondent's pages: their own visit (no ids in the address); anyone else, and a
#: withdrawn respondent, gets the neutral page.
RESPONDENT_PAGE = {
    **dict.fromkeys(ACTORS, "hidden"),
    "respondent": "ok",
    "other_respondent": "ok",
}
#: The link itself: whoever holds a working token gets a visit.
RESPONDENT_LINK = {**dict.fromkeys(ACTORS, "ok"), "withdrawn_respondent": "hidden"}
#: A recording's sound is sent only within a playback session its page opened (and wrote to
#: the audit log); a fresh client of its authors has none.
PLAYBACK_ONLY = {**STUDY_AUTHOR, "owner": "forbidden", "co_author": "forbidden"}
#: An export is its owner's alone: the other members of the study do not see it.
EXPORT_OWNER = {**STUDY_MEMBER, "co_author": "hidden", "supervisor": "hidden"}
#: Shown once, right after a withdrawal: a fresh visit never sees it.
AFTER_WITHDRAWAL = dict.fromkeys(ACTORS, "hidden")

#: (endpoint, method) → what each actor gets.
EXPECTATIONS: dict[tuple[str, str], dict[str, str]] = {
    ("static", "GET"): PUBLIC,
    ("main.index", "GET"): PUBLIC,
    ("main.set_language", "GET"): PUBLIC,
    ("main.health", "GET"): PUBLIC,
    ("accounts.register", "GET"): PUBLIC,
    ("accounts.register", "POST"): PUBLIC,
    ("accounts.login", "GET"): PUBLIC,
    ("accounts.login", "POST"): PUBLIC,
    ("accounts.logout", "POST"): LOGGED_IN,
    ("accounts.forgot_password", "GET"): PUBLIC,
    ("accounts.forgot_password", "POST"): PUBLIC,
    ("accounts.reset_password", "GET"): PUBLIC,
    ("accounts.reset_password", "POST"): PUBLIC,
    ("accounts.confirm_email", "GET"): PUBLIC,
    ("accounts.confirm_email", "POST"): PUBLIC,
    ("accounts.change_password", "GET"): LOGGED_IN,
    ("accounts.change_password", "POST"): LOGGED_IN,
    ("admin.users", "GET"): ADMIN,
    ("admin.create_user", "GET"): ADMIN,
    ("admin.create_user", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("admin.outbox", "GET"): ADMIN,
    ("studies.index", "GET"): LOGGED_IN,
    ("studies.create", "GET"): STUDENT,
    ("studies.create", "POST"): STUDENT,
    ("studies.dashboard", "GET"): STUDY_MEMBER,
    ("studies.plan", "GET"): STUDY_AUTHOR,
    ("studies.plan", "POST"): STUDY_AUTHOR,
    ("studies.members", "GET"): STUDY_MEMBER,
    ("studies.members", "POST"): STUDY_AUTHOR,
    ("studies.invitation", "GET"): PUBLIC,
    ("studies.accept_invitation", "POST"): NOT_INVITED,
    ("studies.invited_register", "GET"): PUBLIC,
    ("studies.invited_register", "POST"): PUBLIC,
    ("guide.show", "GET"): STUDY_MEMBER,
    ("guide.show", "POST"): STUDY_AUTHOR,
    ("guide.undo", "POST"): STUDY_AUTHOR_REFUSED,
    ("guide.paste", "POST"): STUDY_AUTHOR,
    ("guide.export", "GET"): STUDY_MEMBER,
    ("guide.interview", "GET"): STUDY_MEMBER,
    ("guide.appendix_pdf", "GET"): STUDY_MEMBER,
    ("appendices.show", "GET"): STUDY_MEMBER,
    ("appendices.show", "POST"): STUDY_AUTHOR,
    ("appendices.bundle_pdf", "GET"): STUDY_MEMBER,
    ("appendices.guide_docx", "GET"): STUDY_MEMBER,
    ("review.show", "GET"): STUDY_MEMBER,
    ("review.submit", "POST"): STUDY_AUTHOR,
    ("review.decide", "POST"): STUDY_SUPERVISOR,
    ("review.overview", "GET"): SUPERVISORS,
    ("ethics.overview", "GET"): STUDY_MEMBER,
    ("ethics.section", "GET"): STUDY_MEMBER,
    ("ethics.section", "POST"): STUDY_AUTHOR,
    ("ethics.summary_pdf", "GET"): STUDY_MEMBER,
    ("letters.overview", "GET"): STUDY_MEMBER,
    ("letters.generate", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.add_language", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.remove_language", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.add_sections", "POST"): STUDY_AUTHOR,
    ("letters.remove_section", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.edit", "GET"): STUDY_MEMBER,
    ("letters.edit", "POST"): STUDY_AUTHOR,
    ("letters.regenerate", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.preview", "GET"): STUDY_MEMBER,
    ("letters.letter_pdf", "GET"): STUDY_MEMBER,
    ("letters.consent_form", "GET"): STUDY_MEMBER,
    ("letters.consent_form", "POST"): STUDY_AUTHOR,
    ("letters.generate_form", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.add_item", "POST"): STUDY_AUTHOR,
    ("letters.remove_item", "POST"): STUDY_AUTHOR_REFUSED,
    ("letters.consent_pdf", "GET"): STUDY_MEMBER,
    ("respondents.index", "GET"): STUDY_MEMBER,
    ("respondents.index", "POST"): STUDY_AUTHOR,
    ("respondents.names", "POST"): STUDY_AUTHOR,
    ("respondents.link", "GET"): STUDY_AUTHOR,
    ("respondents.new_link", "POST"): STUDY_AUTHOR,
    ("respondents.revoke", "POST"): STUDY_AUTHOR,
    ("respondents.reconsent", "POST"): STUDY_AUTHOR_REFUSED,
    ("respondents.paper", "GET"): STUDY_AUTHOR,
    ("respondents.paper", "POST"): STUDY_AUTHOR,
    ("respondents.withdraw", "GET"): STUDY_AUTHOR,
    ("respondents.withdraw", "POST"): STUDY_AUTHOR,
    ("respondents.export_csv", "GET"): STUDY_MEMBER,
    ("respondents.export_pdf", "GET"): STUDY_MEMBER,
    ("consent.open_link", "GET"): RESPONDENT_LINK,
    ("consent.home", "GET"): RESPONDENT_PAGE,
    ("consent.letter", "GET"): RESPONDENT_PAGE,
    ("consent.letter_pdf", "GET"): RESPONDENT_PAGE,
    ("consent.give", "GET"): RESPONDENT_PAGE,
    ("consent.give", "POST"): RESPONDENT_PAGE,
    ("consent.confirm", "GET"): RESPONDENT_PAGE,
    ("consent.confirm", "POST"): RESPONDENT_PAGE,
    ("consent.receipt_page", "GET"): RESPONDENT_PAGE,
    ("consent.receipt_pdf", "GET"): RESPONDENT_PAGE,
    ("consent.mail_receipt", "POST"): RESPONDENT_PAGE,
    ("consent.withdraw", "GET"): RESPONDENT_PAGE,
    ("consent.withdraw", "POST"): RESPONDENT_PAGE,
    ("consent.withdrawn", "GET"): AFTER_WITHDRAWAL,
    ("consent.end_visit", "POST"): RESPONDENT_PAGE,
    ("closing.show", "GET"): STUDY_MEMBER,
    ("recordings.index", "GET"): STUDY_AUTHOR,
    ("recordings.index", "POST"): STUDY_AUTHOR,
    ("recordings.play", "GET"): STUDY_AUTHOR,
    ("recordings.audio", "GET"): PLAYBACK_ONLY,
    ("recordings.download", "GET"): STUDY_AUTHOR,
    ("transcripts.index", "GET"): STUDY_AUTHOR,
    ("transcripts.index", "POST"): STUDY_AUTHOR,
    ("transcripts.write", "GET"): STUDY_AUTHOR,
    ("transcripts.write", "POST"): STUDY_AUTHOR,
    ("transcripts.show", "GET"): STUDY_AUTHOR,
    ("transcripts.show", "POST"): STUDY_AUTHOR,
    ("exports.index", "GET"): STUDY_MEMBER,
    ("exports.index", "POST"): STUDY_MEMBER,
    ("exports.progress", "GET"): EXPORT_OWNER,
    ("exports.download", "GET"): EXPORT_OWNER,
    ("exports.delete", "POST"): EXPORT_OWNER,
}


def routes(app) -> set[tuple[str, str]]:
    """Return every (endpoint, method) the app serves, HEAD and OPTIONS aside."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_expectation(app):
    missing = routes(app) - EXPECTATIONS.keys()
    assert not missing, f"routes without a declared access expectation: {sorted(missing)}"


def test_every_expectation_names_a_route(app):
    stale = EXPECTATIONS.keys() - routes(app)
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


@dataclass
class World:
    """The people and objects the matrix runs against."""

    users: dict
    values: dict
    #: The token each respondent actor opens their visit with.
    links: dict


@pytest.fixture
def world(app, session, make_user, make_study) -> World:
    owner = make_user(Role.STUDENT)
    supervisor = make_user(Role.SUPERVISOR)
    co_author = make_user(Role.STUDENT)
    users = {
        "owner": owner,
        "co_author": co_author,
        "other_student": make_user(Role.STUDENT),
        "supervisor": supervisor,
        "other_supervisor": make_user(Role.SUPERVISOR),
        "admin": make_user(Role.ADMIN),
    }
    study = make_study(owner, supervisor)
    # The study's self-review waits for the supervisor; a second one is ready to submit.
    answer_self_review(app, session, study, owner)
    with app.test_request_context():
        review.submit(session, study, owner, "ethics")
        session.commit()
    ready = make_study(owner, supervisor, title="En färdig egengranskning")
    answer_self_review(app, session, ready, owner)
    # The co-author submits a self-review of their own study (the owner's waits after hers).
    ready_too = make_study(owner, supervisor, title="Ännu en färdig egengranskning")
    answer_self_review(app, session, ready_too, owner)
    with app.test_request_context():
        for joined in (study, ready, ready_too):
            invitation, _token = studies.invite_member(
                session, joined, owner, co_author.email, MemberRole.AUTHOR
            )
            studies.accept_invitation(session, invitation, co_author)
        session.commit()
    # The waiting study has a letter in Swedish and English and a consent form.
    with app.test_request_context():
        letters.create(session, study, owner, ["sv", "en"])
        consent_form.create(session, study, owner)
        session.commit()
    make_study(users["other_student"], users["other_supervisor"], title="En annan studie")
    with app.test_request_context():
        _invitation, token = studies.invite_member(
            session, study, owner, "ny@example.org", MemberRole.AUTHOR
        )
        _user, reset_token = start_password_reset(session, owner.email)
        pending = accounts.create_user(
            session, email="pending@example.org", name="P", password=PASSWORD, confirmed=False
        )
        confirm_token = links.issue(session, pending, TokenPurpose.CONFIRM_EMAIL)
        session.commit()
    respondent_links, recruiting_values = recruiting_world(app, session, users, make_study)
    values = {
        **recruiting_values,
        "study_id": study.id,
        "token": token,
        "code": "en",
        "filename": "style.css",
        "user_id": users["other_student"].id,
        "active": 1,
        "accounts.reset_password": {"token": reset_token},
        "accounts.confirm_email": {"token": confirm_token},
        "step": "ethics",
        "section": "informationskravet",
        "review.submit": {"study_id": ready.id},
        ("review.submit", "co_author"): {"study_id": ready_too.id},
        "ethics.section": {"study_id": ready.id},
    }
    return World(users, values, respondent_links)


def recruiting_world(app, session, users, make_study) -> tuple[dict, dict]:
    """Make a study that may recruit, its respondents and their links; return links and values.

    The respondent has consented; the other has not; the withdrawn one has withdrawn. The
    owner and the co-author each change a respondent of their own (a new link, a revoked
    one, a withdrawal), so that one actor's change does not decide what the next one gets.
    """
    owner, supervisor, co_author = users["owner"], users["supervisor"], users["co_author"]
    study = make_study(owner, supervisor, title="En studie som rekryterar")
    study.controller, study.data_protection_officer = "Exempeluniversitetet", "dso@example.org"
    session.add(study)
    session.commit()
    # Interviews are recorded: IP1's consent covers the recording the world holds.
    answer_self_review(app, session, study, owner, recording="audio")
    with app.test_request_context():
        invitation, _token = studies.invite_member(
            session, study, owner, co_author.email, MemberRole.AUTHOR
        )
        studies.accept_invitation(session, invitation, co_author)
        session.commit()
    # Approved after the co-author joined: the letter names its authors.
    open_recruitment(app, session, study, owner, supervisor)
    with app.test_request_context():
        made = {}
        for code in ("IP1", "IP2", "IP3", "IP4", "IP5"):
            respondent = recruitment.add_respondent(
                session, study, owner, code=code, email=f"{code.lower()}@example.org"
            )
            made[code] = (respondent, recruitment.issue_link(session, study, owner, respondent))
        documents = consent.approved_documents(session, study)
        consent.give_consent(
            session,
            made["IP1"][0],
            documents,
            language="sv",
            answers={"participation": True, "audio_recording": True},
            names={"respondent": "Sara Ek"},
            submission="authz-consent",
        )
        withdrawal.withdraw(session, made["IP3"][0])
        session.commit()
    with app.test_request_context():
        # A recording of IP1 (stored directly: the matrix is about who reaches it).
        stored = get_vault(session).store(
            made["IP1"][0], io.BytesIO(b"RIFF\0\0\0\0WAVE"), kind="recording"
        )
        recording = Recording(
            study_id=study.id,
            respondent_id=made["IP1"][0].id,
            vault_object_id=stored.id,
            format="wav",
        )
        session.add(recording)
        session.commit()
        # A transcript of IP1 (stored directly, as the recording is).
        written = get_vault(session).store(
            made["IP1"][0], io.BytesIO(b"IP1: Hej."), kind="transcript"
        )
        transcript = Transcript(
            study_id=study.id,
            respondent_id=made["IP1"][0].id,
            first_object_id=written.id,
        )
        session.add(transcript)
        session.flush()
        session.add(
            TranscriptVersion(
                transcript_id=transcript.id, number=1, vault_object_id=written.id, source="txt"
            )
        )
        session.commit()
        # A ready export of the owner's (its file is ciphertext to a key nobody keeps).
        export = Export(
            study_id=study.id,
            requested_by=owner.id,
            protection="recipient",
            state=ExportState.READY,
            files_total=1,
            files_done=1,
            expires_at=utcnow() + timedelta(hours=1),
        )
        session.add(export)
        session.flush()
        export.object_id = f"study-{study.id}/export-{export.id}.zip.age"
        with export_storage(app).writer(export.object_id) as sink:
            sink.write(b"age-encryption.org/v1\n")
        export.size = sink.stored.size
        session.commit()
    study_values = {
        "study_id": study.id,
        "respondent_id": made["IP1"][0].id,
        "recording_id": recording.id,
        "transcript_id": transcript.id,
        "export_id": export.id,
    }
    values = {
        endpoint: study_values
        for endpoint in (
            "respondents.index",
            "respondents.names",
            "respondents.link",
            "respondents.new_link",
            "respondents.revoke",
            "respondents.reconsent",
            "respondents.paper",
            "respondents.withdraw",
            "respondents.export_csv",
            "respondents.export_pdf",
            "recordings.index",
            "recordings.play",
            "recordings.audio",
            "recordings.download",
            "transcripts.index",
            "transcripts.write",
            "transcripts.show",
            "exports.index",
            "exports.progress",
            "exports.download",
            "exports.delete",
        )
    }
    for endpoint in ("respondents.new_link", "respondents.revoke", "respondents.withdraw"):
        values[(endpoint, "owner")] = {**study_values, "respondent_id": made["IP4"][0].id}
        values[(endpoint, "co_author")] = {**study_values, "respondent_id": made["IP5"][0].id}
    values["consent.open_link"] = {"token": made["IP1"][1]}
    values[("consent.open_link", "other_respondent")] = {"token": made["IP2"][1]}
    values[("consent.open_link", "withdrawn_respondent")] = {"token": made["IP3"][1]}
    links = {
        "respondent": made["IP1"][1],
        "other_respondent": made["IP2"][1],
        "withdrawn_respondent": made["IP3"][1],
    }
    return links, values


def outcome(client, response) -> str:
    """Classify a response as the matrix sees it; a redirect with an error message is refused."""
    if response.status_code in (302, 303):
        if urlsplit(response.headers["Location"]).path == "/login":
            return "login"
        with client.session_transaction() as session:
            if any(category == "error" for category, _m in session.get("_flashes", [])):
                return "refused"
    return {403: "forbidden", 404: "hidden", 401: "login"}.get(response.status_code, "ok")


@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTATIONS))
def test_access(app, world, auth, endpoint, method):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    wrong = []
    for actor in ACTORS:
        values = {
            **world.values,
            **world.values.get(endpoint, {}),
            **world.values.get((endpoint, actor), {}),
        }
        with app.test_request_context():
            url = url_for(endpoint, **{name: values[name] for name in rule.arguments})
        client = app.test_client()
        if actor in RESPONDENTS:
            client.get(f"/r/{world.links[actor]}")
        elif actor != "anonymous":
            assert (
                client.post(
                    "/login",
                    data={"email": world.users[actor].email, "password": "correct horse battery"},
                ).status_code
                == 302
            )
        response = client.open(url, method=method, data={})
        response.close()
        got, expected = outcome(client, response), EXPECTATIONS[(endpoint, method)][actor]
        if got != expected:
            wrong.append(f"{actor}: expected {expected}, got {got} ({response.status_code})")
        if response.status_code >= 500:
            wrong.append(f"{actor}: server error")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)
