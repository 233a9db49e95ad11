"""Malformed input to every POST route: always a 4xx with a message, never a 500, nothing stored."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import func, select
from sqlmodel import SQLModel

from study.accounts.models import Role
from study.exports.models import Export
from study.letters import consent_form
from study.letters import services as letters
from study.models import import_all_models
from study.respondents import services as recruitment
from study.review import services as review
from study.studies import services as studies
from study.studies.models import MemberRole
from study.transcripts.models import Transcript, TranscriptVersion
from study.vault.service import get_vault

from .conftest import answer_self_review, open_recruitment

#: Who sends the malformed data to each POST route: someone the route lets in.
SENDERS = {
    "accounts.register": "anonymous",
    "accounts.login": "anonymous",
    "accounts.forgot_password": "anonymous",
    "accounts.reset_password": "anonymous",
    "accounts.confirm_email": "anonymous",
    "accounts.change_password": "owner",
    "admin.create_user": "admin",
    "admin.set_active": "admin",
    "studies.create": "owner",
    "studies.plan": "owner",
    "studies.members": "owner",
    "studies.accept_invitation": "owner",
    "studies.invited_register": "anonymous",
    "review.submit": "owner",
    "review.decide": "supervisor",
    "ethics.section": "owner",
    "appendices.show": "owner",
    "guide.show": "owner",
    "guide.undo": "owner",
    "guide.paste": "owner",
    "letters.generate": "owner",
    "letters.add_language": "owner",
    "letters.remove_language": "owner",
    "letters.add_sections": "owner",
    "letters.remove_section": "owner",
    "letters.edit": "owner",
    "letters.regenerate": "owner",
    "letters.consent_form": "owner",
    "letters.generate_form": "owner",
    "letters.add_item": "owner",
    "letters.remove_item": "owner",
    "respondents.index": "owner",
    "respondents.names": "owner",
    "respondents.new_link": "owner",
    "respondents.revoke": "owner",
    "respondents.reconsent": "owner",
    "respondents.paper": "owner",
    "respondents.withdraw": "owner",
    "recordings.index": "owner",
    "transcripts.index": "owner",
    "transcripts.write": "owner",
    "transcripts.show": "owner",
    "exports.index": "owner",
    "exports.delete": "owner",
    "consent.give": "respondent",
    "consent.confirm": "respondent",
    "consent.withdraw": "respondent",
}
#: Routes that take no input at all: there is nothing to malform.
NO_INPUT = {"accounts.logout", "consent.mail_receipt", "consent.end_visit"}

BIG = "x" * 100_000
WRONG_TYPES = {
    "planned_interviews": "många",
    "interviews_from": "igår",
    "interviews_to": "2027-13-45",
    "submission_on": "[]",
    "role": "kung",
    "email": "inte en adress",
}
UNKNOWN = {
    "study_id": 999_999,
    "user_id": 999_999,
    "token": "okänd-länk",
    "active": 1,
    "step": "okänt-steg",
    "section": "okänd-del",
    "code": "xx",
    "respondent_id": 999_999,
    "transcript_id": 999_999,
    "export_id": 999_999,
}


def post_routes(app) -> list[str]:
    """Return every endpoint that accepts POST."""
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods})


def test_every_post_route_has_a_sender(app):
    missing = set(post_routes(app)) - SENDERS.keys() - NO_INPUT
    assert not missing, f"POST routes the malformed-input test does not cover: {sorted(missing)}"


@pytest.fixture
def world(app, session, make_user, make_study):
    owner = make_user(Role.STUDENT)
    supervisor = make_user(Role.SUPERVISOR)
    users = {"owner": owner, "admin": make_user(Role.ADMIN), "supervisor": supervisor}
    study = make_study(owner, supervisor)
    # A self-review that waits for the supervisor, so that a decision can be malformed.
    answer_self_review(app, session, study, owner)
    with app.test_request_context():
        review.submit(session, study, owner, "ethics")
        session.commit()
    # A letter and a consent form, so that their editors have fields to malform.
    with app.test_request_context():
        letters.create(session, study, owner, ["sv"])
        consent_form.create(session, study, owner)
        session.commit()
    with app.test_request_context():
        _inv, token = studies.invite_member(
            session, study, owner, "ny@example.org", MemberRole.AUTHOR
        )
        from study.accounts.services import start_password_reset

        _user, reset = start_password_reset(session, owner.email)
        session.commit()
    # A study that may recruit, with a respondent: the recruitment and consent pages.
    recruiting = make_study(owner, supervisor, title="En studie som rekryterar")
    recruiting.controller, recruiting.data_protection_officer = "Universitetet", "dso@example.org"
    session.add(recruiting)
    session.commit()
    answer_self_review(app, session, recruiting, owner)
    open_recruitment(app, session, recruiting, owner, supervisor)
    with app.test_request_context():
        respondent = recruitment.add_respondent(session, recruiting, owner, code="IP1")
        users["respondent"] = recruitment.issue_link(session, recruiting, owner, respondent)
        session.commit()
    with app.test_request_context():
        transcript = store_transcript(session, respondent)
    export = Export(study_id=recruiting.id, requested_by=owner.id, protection="passphrase")
    session.add(export)
    session.commit()
    on_recruiting = {
        "study_id": recruiting.id,
        "respondent_id": respondent.id,
        "transcript_id": transcript.id,
        "export_id": export.id,
    }
    values = {
        **{
            endpoint: on_recruiting
            for endpoint in SENDERS
            if endpoint.startswith(("respondents.", "recordings.", "transcripts.", "exports."))
        },
        "study_id": study.id,
        "user_id": owner.id,
        "token": token,
        "active": 1,
        "step": "ethics",
        "section": "informationskravet",
        "code": "sv",
    }
    return users, values, reset


def store_transcript(session, respondent):
    """Store a transcript of the respondent directly (its editor's form is malformed here)."""
    written = get_vault(session).store(respondent, io.BytesIO(b"IP1: Hej."), kind="transcript")
    transcript = Transcript(
        study_id=respondent.study_id, respondent_id=respondent.id, first_object_id=written.id
    )
    session.add(transcript)
    session.flush()
    session.add(
        TranscriptVersion(
            transcript_id=transcript.id, number=1, vault_object_id=written.id, source="txt"
        )
    )
    session.commit()
    return transcript


def row_counts(session) -> dict[str, int]:
    """Count the rows of every table."""
    import_all_models()
    session.expire_all()
    return {
        t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in SQLModel.metadata.sorted_tables
    }


def client_for(app, users, actor):
    client = app.test_client()
    if actor == "respondent":
        # A visit through the personal link, with a consent filled in and waiting for its
        # confirmation.
        client.get(f"/r/{users['respondent']}")
        form = BeautifulSoup(client.get("/r/consent").get_data(as_text=True), "html.parser")
        fields = {i["name"]: i.get("value", "y") for i in form.select("main form input[name]")}
        client.post("/r/consent", data={**fields, "respondent": "Sara Ek"})
    elif actor != "anonymous":
        client.post(
            "/login", data={"email": users[actor].email, "password": "correct horse battery"}
        )
    return client


def has_message(response) -> bool:
    """Tell whether the page explains what went wrong."""
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return bool(page.select(".error-summary li, .error-page h1, .flash.error"))


@pytest.mark.parametrize("endpoint", sorted(SENDERS))
def test_malformed_posts_are_refused_cleanly(app, session, world, endpoint):
    users, values, reset_token = world
    rule = next(
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods
    )
    own_values = {**values, **values.get(endpoint, {})}
    if endpoint == "accounts.reset_password":
        own_values["token"] = reset_token
    with app.test_request_context():
        url = url_for(endpoint, **{n: own_values[n] for n in rule.arguments})
        unknown_url = (
            url_for(endpoint, **{n: UNKNOWN[n] for n in rule.arguments}) if rule.arguments else None
        )
    client = client_for(app, users, SENDERS[endpoint])
    form_page = client.get(url) if "GET" in rule.methods else None
    fields = (
        [
            i["name"]
            for i in BeautifulSoup(form_page.get_data(as_text=True), "html.parser").select(
                "main form [name]"
            )
        ]
        if form_page is not None and form_page.status_code == 200
        else []
    )
    fields = [f for f in fields if f != "csrf_token"]
    cases = []
    if fields:
        cases += [
            ("missing fields", {"data": {}}),
            ("100 kB strings", {"data": dict.fromkeys(fields, BIG)}),
            ("wrong types", {"data": {f: WRONG_TYPES.get(f, "\x00") for f in fields}}),
            (
                "raw invalid UTF-8",
                {
                    "data": b"&".join(f.encode() + b"=\xff\xfe\x80" for f in fields),
                    "content_type": "application/x-www-form-urlencoded",
                },
            ),
            (
                "invalid UTF-8",
                {
                    "data": b"&".join(f.encode() + b"=%FF%FE%80" for f in fields),
                    "content_type": "application/x-www-form-urlencoded",
                },
            ),
        ]
    if unknown_url:
        cases.append(("unknown ids", {"data": dict.fromkeys(fields, "a")}, unknown_url))
    assert cases, f"{endpoint} has neither fields nor ids to malform"
    before = row_counts(session)
    for case in cases:
        name, kwargs = case[0], case[1]
        target = case[2] if len(case) > 2 else url
        response = client.post(target, **kwargs)
        assert 400 <= response.status_code < 500, f"{endpoint} {name}: {response.status_code}"
        assert has_message(response), f"{endpoint} {name}: no message on the page"
        assert row_counts(session) == before, f"{endpoint} {name}: something was stored"


#: Bodies no form of the app takes, each sent as the visitor's browser never would.
BODY_SHAPES = {
    "a file part": {"data": {"email": (io.BytesIO(b"a@example.org"), "email.txt")}},
    "a file part among fields": {
        "data": {"name": "Sara", "password": (io.BytesIO(b"x" * 20), "p.bin"), "title": "T"}
    },
    "JSON": {"json": {"email": "a@example.org", "password": "x" * 12}},
    "plain text": {"data": "email=a@example.org", "content_type": "text/plain"},
    "XML": {"data": "<email>a@example.org</email>", "content_type": "application/xml"},
    "bytes without a type": {"data": b"\x00\x01email=a", "content_type": ""},
}


@pytest.mark.parametrize("actor", ["anonymous", "owner"])
@pytest.mark.parametrize("shape", sorted(BODY_SHAPES))
def test_every_post_route_refuses_a_body_shape_it_does_not_take(app, session, world, actor, shape):
    users, values, reset_token = world
    client = client_for(app, users, actor)
    before = row_counts(session)
    wrong = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        own = {**values, **values.get(rule.endpoint, {})}
        if rule.endpoint.endswith("reset_password"):
            own["token"] = reset_token
        view = app.view_functions[rule.endpoint]
        if shape.startswith("a file part") and getattr(view, "accepts_files", False):
            # A view that takes files reads file parts itself; test_uploads.py has its cases.
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{n: own[n] for n in rule.arguments})
        kwargs = dict(BODY_SHAPES[shape])
        if "data" in kwargs and isinstance(kwargs["data"], dict):
            # File parts are read once: each request gets its own.
            kwargs["data"] = {
                k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v
                for k, v in kwargs["data"].items()
            }
        response = client.post(url, **kwargs)
        if response.status_code != 400 or not has_message(response):
            wrong.append(f"{rule.endpoint}: {response.status_code}")
    assert not wrong, f"{shape} as {actor}: " + ", ".join(wrong)
    assert row_counts(session) == before
