"""The student's recruitment pages: the register, respondents, links, paper consent, exports.

Adding respondents, links and their QR codes, consent given on paper, withdrawals the
student registers for a respondent, and the register as CSV and PDF.
"""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import mail, sealed_session
from ..consent import services as consent
from ..consent import withdrawal
from ..db import get_session
from ..errors import UserError
from ..respondents import register, services
from ..studies.access import study_for_author, study_for_member, study_for_page
from ..studies.models import MemberRole
from ..urls import external_url
from ..views import commit_change, file_response, render_form, show_user_error
from . import bp
from .forms import (
    ActionForm,
    AddRespondentForm,
    NewLinkForm,
    StudentWithdrawalForm,
)

#: Where a link just made waits for the one page that shows it.
NEW_LINK = "respondent_new_link"


def respondent_in(study, respondent_id: int):
    """Return the study's respondent with this id, or answer 404."""
    found = services.respondent_of(get_session(), study, respondent_id)
    if found is None:
        abort(404)
    return found


@bp.route("/studies/<int:study_id>/respondents", methods=["GET", "POST"])
@login_required
def index(study_id: int):
    """Show the consent register and, to the study's authors, the form to add a respondent."""
    study, member = study_for_page(study_id)
    db = get_session()
    form = AddRespondentForm()
    if form.validate_on_submit():
        mails = []
        try:
            respondent = services.add_respondent(
                db,
                study,
                current_user,
                code=form.code.data,
                name=form.name.data or "",
                email=form.email.data or "",
            )
            token = services.issue_link(db, study, current_user, respondent)
            if form.send.data:
                mails.append(services.link_mail(db, study, current_user, respondent, token))
            db.commit()
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            _send(mails)
            _keep_new_link(respondent, token)
            return redirect(
                url_for("respondents.link", study_id=study.id, respondent_id=respondent.id), 303
            )
    return _register_page(study, member, form, names=False)


@bp.post("/studies/<int:study_id>/respondents/names")
@login_required
def names(study_id: int):
    """Show the register with the respondents' names (an audited decryption; authors only)."""
    study, member = study_for_author(study_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _register_page(study, member, AddRespondentForm(formdata=None), names=True)


def _register_page(study, member, form, *, names: bool):
    """Render the register, with the names opened when `names` (the decryption committed)."""
    db = get_session()
    documents = consent.approved_documents(db, study)
    # Consents are compared with the approved versions even while a new draft keeps the
    # gate closed.
    shown = consent.approved_documents(db, study, verified=False)
    try:
        rows = register.rows(db, study, shown, names_for=current_user if names else None)
    except UserError:
        abort(403)
    db.commit()
    return render_form(
        "respondents/index.html",
        form,
        study=study,
        author=member.role is MemberRole.AUTHOR,
        may_recruit=documents is not None,
        rows=rows,
        show_names=names,
        documents=shown,
        action_form=ActionForm(),
        reconsent=[row for row in rows if row.status == "earlier_version"],
    )


def _send(mails: list[services.LinkMail]) -> None:
    """Mail respondents their links once the response has gone (after the commit)."""
    days = current_app.config["RESPONDENT_LINK_DAYS"]
    for mail_ in mails:
        mail.send_template_after_response(
            mail_.address,
            "respondent_link",
            study_title=mail_.study_title,
            link=external_url("consent.open_link", token=mail_.token),
            days=days,
        )


def _keep_new_link(respondent, token: str) -> None:
    """Keep a link just made, sealed, for the one page that shows it to this student."""
    sealed_session.put(
        NEW_LINK, {"token": token}, bound_to=f"user:{current_user.id}:respondent:{respondent.id}"
    )


@bp.get("/studies/<int:study_id>/respondents/<int:respondent_id>/link")
@login_required
def link(study_id: int, respondent_id: int):
    """Show a link just made, once, with its QR code to show or print."""
    study, _member = study_for_author(study_id)
    respondent = respondent_in(study, respondent_id)
    waiting = sealed_session.pop(
        NEW_LINK, bound_to=f"user:{current_user.id}:respondent:{respondent.id}"
    )
    url = qr = None
    if waiting is not None:
        url = external_url("consent.open_link", token=waiting["token"])
        # segno writes the SVG from the URL alone: no user text reaches it unescaped.
        qr = Markup(  # noqa: S704
            segno.make(url, error="m").svg_inline(scale=4, title=_("QR code of the link"))
        )
    return render_template(
        "respondents/link.html",
        study=study,
        respondent=respondent,
        url=url,
        qr=qr,
        form=NewLinkForm(),
        link_row=services.latest_link(get_session(), respondent),
    )


@bp.post("/studies/<int:study_id>/respondents/<int:respondent_id>/link")
@login_required
def new_link(study_id: int, respondent_id: int):
    """Make a new link for the respondent (the earlier one ends), and mail it if asked."""
    study, _member = study_for_author(study_id)
    respondent = respondent_in(study, respondent_id)
    db = get_session()
    form = NewLinkForm()
    back = url_for("respondents.link", study_id=study.id, respondent_id=respondent.id)
    if not form.validate_on_submit():
        abort(400)
    mails = []
    try:
        token = services.issue_link(db, study, current_user, respondent)
        if form.send.data:
            mails.append(services.link_mail(db, study, current_user, respondent, token))
        db.commit()
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(back, 303)
    _send(mails)
    _keep_new_link(respondent, token)
    if mails:
        flash(_("The new link is on its way to %(code)s.", code=respondent.code), "success")
    return redirect(back, 303)


@bp.post("/studies/<int:study_id>/respondents/<int:respondent_id>/revoke")
@login_required
def revoke(study_id: int, respondent_id: int):
    """End the respondent's links."""
    study, _member = study_for_author(study_id)
    respondent = respondent_in(study, respondent_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return commit_change(
        lambda: services.revoke_links(get_session(), study, current_user, respondent),
        _("The link no longer works."),
        url_for("respondents.index", study_id=study.id),
    )


@bp.post("/studies/<int:study_id>/respondents/reconsent")
@login_required
def reconsent(study_id: int):
    """Ask everyone who consented to an earlier version to consent to the approved one."""
    study, _member = study_for_author(study_id)
    db = get_session()
    back = url_for("respondents.index", study_id=study.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    documents = consent.approved_documents(db, study)
    if documents is None:
        flash(_("The study is not recruiting: its letter or form waits for approval."), "error")
        return redirect(back, 303)
    rows = register.rows(db, study, documents)
    waiting = [row.respondent for row in rows if row.status == "earlier_version"]
    if not waiting:
        flash(_("Everyone who consented has consented to the approved versions."), "error")
        return redirect(back, 303)
    try:
        mails, without = services.ask_again(db, study, current_user, waiting)
        db.commit()
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(back, 303)
    _send(mails)
    mailed = [r.code for r in waiting if r not in without]
    if mailed:
        flash(_("A new link went by e-mail to: %(codes)s.", codes=", ".join(mailed)), "success")
    if without:
        flash(
            _(
                "No e-mail address for %(codes)s: make each a new link from their row and give "
                "it to them.",
                codes=", ".join(r.code for r in without),
            ),
            "info",
        )
    return redirect(back, 303)


@bp.route(
    "/studies/<int:study_id>/respondents/<int:respondent_id>/withdraw", methods=["GET", "POST"]
)
@login_required
def withdraw(study_id: int, respondent_id: int):
    """Register a withdrawal the respondent made by mail, phone or in person."""
    study, _member = study_for_author(study_id)
    respondent = respondent_in(study, respondent_id)
    db = get_session()
    record = consent.current_record(db, respondent)
    offers_choice = consent.offers_choice(db, record)
    form = StudentWithdrawalForm()
    if form.validate_on_submit():
        try:
            withdrawal.withdraw_for(
                db,
                study,
                current_user,
                respondent,
                reason=form.reason.data or "",
                keep_analysed=offers_choice and form.keep.data == "keep",
            )
            db.commit()
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            flash(
                _(
                    "The withdrawal of %(code)s is registered, and what the study held of them "
                    "is destroyed.",
                    code=respondent.code,
                ),
                "success",
            )
            return redirect(url_for("respondents.index", study_id=study.id), 303)
    return render_form(
        "respondents/withdraw.html",
        form,
        study=study,
        respondent=respondent,
        record=record,
        offers_choice=offers_choice,
    )


#: How the register is exported: media type and how each format is made.
EXPORTS = {
    "csv": ("text/csv", lambda study, rows: register.to_csv(rows).encode("utf-8")),
    "pdf": ("application/pdf", register.to_pdf),
}


@bp.get("/studies/<int:study_id>/respondents.csv")
@login_required
def export_csv(study_id: int):
    """Export the consent register as CSV."""
    return _export(study_id, "csv")


@bp.get("/studies/<int:study_id>/respondents.pdf")
@login_required
def export_pdf(study_id: int):
    """Export the consent register as PDF."""
    return _export(study_id, "pdf")


def _export(study_id: int, kind: str):
    """Answer with the register in one format; the export is written to the audit log."""
    study, _member = study_for_member(study_id)
    db = get_session()
    rows = register.rows(db, study, consent.approved_documents(db, study))
    media_type, make = EXPORTS[kind]
    data = make(study, rows)
    register.record_export(db, study, current_user, kind)
    db.commit()
    return file_response(
        data, media_type, f"consent-register-{study.id}.{kind}", attachment=kind == "csv"
    )
