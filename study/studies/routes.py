"""Study pages: list, create, dashboard, plan, members and invitations."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts import services as accounts
from ..accounts.models import Role
from ..accounts.routes import address_mail_limit, limit_setting, start_session
from ..authz import student_required
from ..db import get_session
from ..errors import UserError
from ..extensions import limiter
from ..mail import send_template
from ..models import utcnow
from ..urls import external_url
from ..views import render_form, show_user_error
from . import bp, services
from .access import study_for_author, study_for_member
from .dashboard import step_cards, whats_next
from .forms import AcceptInvitationForm, InvitedAccountForm, InviteForm, PlanForm
from .models import MemberRole, Study
from .steps import STATUS_LABELS


@bp.get("/studies")
@login_required
def index():
    """List the studies the user writes or supervises."""
    rows = services.studies_for(get_session(), current_user)
    return render_template("studies/index.html", rows=rows)


@bp.route("/studies/new", methods=["GET", "POST"])
@student_required
def create():
    """Create a study by filling in its plan."""
    form = PlanForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            study = services.create_study(db, current_user, form.data)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            flash(_("The study is created."), "success")
            return redirect(url_for("studies.dashboard", study_id=study.id))
    return render_form("studies/plan.html", form, study=None)


@bp.get("/studies/<int:study_id>")
@login_required
def dashboard(study_id: int):
    """Show the study's life-cycle steps and the status of each."""
    study, member = study_for_member(study_id)
    db = get_session()
    return render_template(
        "studies/dashboard.html",
        study=study,
        member=member,
        cards=step_cards(db, study, member),
        milestones=whats_next(study, utcnow().date()),
        status_labels=STATUS_LABELS,
        members=services.members(db, study),
    )


@bp.route("/studies/<int:study_id>/plan", methods=["GET", "POST"])
@login_required
def plan(study_id: int):
    """Edit the study plan."""
    study, _member = study_for_author(study_id)
    # The stored plan fills the form only when it is shown: a submission must carry every field.
    form = PlanForm() if request.method == "POST" else PlanForm(obj=study)
    if form.validate_on_submit():
        db = get_session()
        try:
            services.update_plan(db, study, current_user, form.data)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            flash(_("The plan is saved."), "success")
            return redirect(url_for("studies.dashboard", study_id=study.id))
    return render_form("studies/plan.html", form, study=study)


@bp.route("/studies/<int:study_id>/members", methods=["GET", "POST"])
@login_required
@limiter.limit(limit_setting("INVITE_RATE_LIMIT"), methods=["POST"])
@address_mail_limit
def members(study_id: int):
    """Show who works on the study; authors invite co-authors and the supervisor here."""
    study, member = study_for_member(study_id)
    db = get_session()
    form = InviteForm()
    if form.is_submitted() and member.role is not MemberRole.AUTHOR:
        abort(403)
    if form.validate_on_submit():
        try:
            invitation, token = services.invite_member(
                db, study, current_user, form.email.data, MemberRole(form.role.data)
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            if _send_invitation(study, invitation.email, invitation.role, token):
                flash(
                    _("The invitation has been sent to %(email)s.", email=invitation.email),
                    "success",
                )
            else:
                flash(
                    _(
                        "The invitation is saved, but the e-mail to %(email)s could not be sent. "
                        "Invite the address again later.",
                        email=invitation.email,
                    ),
                    "error",
                )
            return redirect(url_for("studies.members", study_id=study.id))
    return render_form(
        "studies/members.html",
        form,
        study=study,
        member=member,
        members=services.members(db, study),
        invitations=services.pending_invitations(db, study),
    )


def _send_invitation(study: Study, email: str, role: MemberRole, token: str) -> bool:
    """E-mail an invitation link; return whether it could be sent."""
    return send_template(
        email,
        "invitation",
        inviter=current_user.name,
        title=study.title,
        supervisor=role is MemberRole.SUPERVISOR,
        days=current_app.config["INVITATION_DAYS"],
        link=external_url("studies.invitation", token=token),
    )


@bp.get("/invitations/<token>")
def invitation(token: str):
    """Show an invitation and how to accept it; unknown or used links get one neutral answer."""
    db = get_session()
    found = services.open_invitation(db, token)
    if found is None:
        return render_template("studies/invitation_invalid.html"), 404
    study = db.get(Study, found.study_id)
    context = {"invitation": found, "study": study, "token": token}
    if current_user.is_authenticated:
        context["check"] = services.may_accept(found, current_user)
        context["form"] = AcceptInvitationForm()
    else:
        context["has_account"] = accounts.find_user_by_email(db, found.email) is not None
        context["may_register"] = services.may_register_through(found)
    return render_template("studies/invitation.html", **context)


@bp.post("/invitations/<token>/accept")
@login_required
def accept_invitation(token: str):
    """Accept an invitation with the logged-in account."""
    db = get_session()
    found = services.open_invitation(db, token)
    if found is None:
        return render_template("studies/invitation_invalid.html"), 404
    try:
        services.accept_invitation(db, found, current_user)
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("studies.invitation", token=token)), 303
    db.commit()
    flash(_("You now take part in the study."), "success")
    return redirect(url_for("studies.dashboard", study_id=found.study_id))


@bp.route("/invitations/<token>/register", methods=["GET", "POST"])
def invited_register(token: str):
    """Create an account for the invited address and join the study in one go."""
    db = get_session()
    found = services.open_invitation(db, token)
    if found is None:
        return render_template("studies/invitation_invalid.html"), 404
    if (
        current_user.is_authenticated
        or accounts.find_user_by_email(db, found.email) is not None
        or not services.may_register_through(found)
    ):
        return redirect(url_for("studies.invitation", token=token))
    form = InvitedAccountForm()
    if form.validate_on_submit():
        role = Role.SUPERVISOR if found.role is MemberRole.SUPERVISOR else Role.STUDENT
        try:
            # The link reached the invited mailbox: the address is proven.
            user = accounts.create_user(
                db,
                email=found.email,
                name=form.name.data,
                password=form.password.data,
                role=role,
                confirmed=True,
            )
            services.accept_invitation(db, found, user)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            start_session(user)
            flash(_("Your account is created and you now take part in the study."), "success")
            return redirect(url_for("studies.dashboard", study_id=found.study_id))
    return render_form(
        "studies/invited_register.html", form, invitation=found, study=db.get(Study, found.study_id)
    )
