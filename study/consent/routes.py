"""The respondent's pages: no account, no staff menu, the letter's language, nothing cached.

Every page but the link itself works from the visit (visit.py); anything that does not hold
up (an unknown, expired, revoked or withdrawn link, a visit that ran out) gets the same
neutral page, so a link says nothing about the study or the person it was made for.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from .. import sealed_session
from ..db import get_session
from ..errors import UserError
from ..extensions import limiter
from ..letters import languages
from ..letters.pdfs import letter_context
from ..pdf import render_pdf
from ..security import ERROR_PAGES
from ..views import file_response, render_form, show_user_error
from . import bp, receipt, services, visit, withdrawal
from .forms import (
    NAME_LABELS,
    ActionForm,
    ConfirmForm,
    ReceiptMailForm,
    WithdrawForm,
    consent_form,
)
from .services import is_current

PENDING = visit.PENDING


def _limit(name: str):
    """Return a callable that reads a rate limit from the config when a request comes."""
    return lambda: current_app.config[name]


class _ByCode(dict):
    """A mapping that works a language code's value out when a template asks for it."""

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, code: str) -> str:
        return self.make(code)


@bp.before_request
def visitor_language():
    """Speak the visitor's browser language (of the app's) until their visit says otherwise."""
    offered = list(current_app.config["LANGUAGES"])
    g.respondent_locale = request.accept_languages.best_match(offered) or offered[0]
    refresh()


@bp.context_processor
def respondent_frame() -> dict:
    """Tell templates how to mark the interface's words where the page is in another language."""
    page = g.get("page_lang") or ""
    interface = str(get_locale() or "")
    differs = bool(page) and page.split("-")[0] != interface
    marks = {"lang": interface} if differs else {}
    if differs and g.get("page_dir") == "rtl":
        # The app's languages are written left to right, also inside a right-to-left page.
        marks["dir"] = "ltr"
    return {
        # The values are the app's own language codes (config LANGUAGES) and "ltr": no input.
        "ui": Markup("".join(f' {k}="{v}"' for k, v in marks.items())),  # noqa: S704
        "ui_kw": marks,
        "directions": _ByCode(languages.direction),
        "native_names": _ByCode(languages.native_name),
    }


@bp.after_request
def no_store(response):
    """Keep every respondent page out of caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.errorhandler(404)
def unavailable(_error):
    """Answer every link or visit that does not hold up with the same neutral page."""
    return render_template("consent/unavailable.html"), 404


@bp.errorhandler(400)
@bp.errorhandler(405)
@bp.errorhandler(413)
@bp.errorhandler(429)
@bp.errorhandler(CSRFError)
def refused(error):
    """Show an error in the respondent's frame, without the staff menu."""
    code = getattr(error, "code", 400) or 400
    title, message = ERROR_PAGES.get(code, ERROR_PAGES[400])
    if isinstance(error, CSRFError):
        message = _("The page had expired. Go back, reload it and try again.")
    return render_template("consent/error.html", title=title, message=message), code


@bp.get("/<token>")
@limiter.limit(_limit("RESPONDENT_LINK_RATE_LIMIT"))
def open_link(token: str):
    """Exchange the personal link for a visit and take the token out of the address."""
    if not visit.begin(get_session(), token):
        return unavailable(None)
    return redirect(url_for("consent.home"), 303)


@bp.get("/")
def home():
    """Show where the consent stands and what the respondent can do: read, consent, withdraw."""
    db = get_session()
    current = visit.current(db)
    record = services.current_record(db, current.respondent)
    return render_template(
        "consent/home.html",
        visit=current,
        record=record,
        up_to_date=record is not None and is_current(record, current.documents),
        choices=[(code, languages.native_name(code)) for code in current.languages],
    )


@bp.get("/letter")
def letter():
    """Show the approved letter in the chosen language."""
    current = _open_for_consent()
    return render_template(
        "consent/letter.html",
        visit=current,
        letter=letter_context(current.documents.letter.content, current.language),
    )


@bp.get("/letter.pdf")
def letter_pdf():
    """Send the approved letter as PDF, in the chosen language."""
    current = _open_for_consent()
    context = letter_context(current.documents.letter.content, current.language)
    data = render_pdf(
        "letter", title=context["title"], draft=False, lang=current.language, letter=context
    )
    number = current.documents.letter.number
    return file_response(data, "application/pdf", f"letter-v{number}-{current.language}.pdf")


@bp.route("/consent", methods=["GET", "POST"])
def give():
    """Show the consent form: each item ticked on its own, the name typed as signature."""
    current = _open_for_consent()
    documents = current.documents
    form = consent_form(documents, current.language)
    if form.validate_on_submit():
        if (form.letter_hash.data, form.form_hash.data) != documents.hashes:
            # A new version was approved while the respondent read the old one.
            return refused_page(
                _("The letter or the form changed while you were reading. Read them again.")
            )
        answers = {key: form[name].data for name, key in form.item_keys.items()}
        names = {
            key: form[key].data or "" for key, _r in services.signature_fields(documents.signed_as)
        }
        try:
            services.check_answers(
                documents, language=current.language, answers=answers, names=names
            )
        except UserError as error:
            field = next((n for n, k in form.item_keys.items() if f"item-{k}" == error.field), None)
            show_user_error(form, UserError(error.message, field or error.field))
        else:
            # Sealed and bound to this link: the cookie shows no name, and another
            # respondent's visit in the same browser cannot confirm it.
            sealed_session.put(
                PENDING,
                {
                    "submission": services.new_submission(),
                    "language": current.language,
                    "answers": answers,
                    "names": names,
                    "letter": documents.letter.content_hash,
                    "form": documents.form.content_hash,
                },
                bound_to=visit.bound_to(current),
            )
            return redirect(url_for("consent.confirm"), 303)
    form.letter_hash.data, form.form_hash.data = documents.hashes
    return render_form(
        "consent/give.html",
        form,
        visit=current,
        labels=documents.form.content.get("labels", {}).get(current.language, {}),
    )


@bp.route("/confirm", methods=["GET", "POST"])
def confirm():
    """Show exactly what the respondent is agreeing to, and record it when they confirm."""
    db = get_session()
    current = _open_for_consent()
    documents = current.documents
    pending = sealed_session.get(PENDING, bound_to=visit.bound_to(current))
    form = ConfirmForm()
    if not _pending_matches(pending, current):
        if request.method == "POST":
            # Sent from an old tab, or after the letter changed: nothing is recorded.
            return refused_page(
                _("This confirmation is out of date. Fill in the consent form again.")
            )
        return redirect(url_for("consent.give"), 303)
    if form.validate_on_submit():
        if form.submission.data != pending["submission"]:
            return refused_page(
                _("This confirmation is out of date. Fill in the consent form again.")
            )
        try:
            services.give_consent(
                db,
                current.respondent,
                documents,
                language=pending["language"],
                answers=pending["answers"],
                names=pending["names"],
                submission=pending["submission"],
            )
            db.commit()
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            session.pop(PENDING, None)
            return redirect(url_for("consent.receipt_page"), 303)
    form.submission.data = pending["submission"]
    items = [
        {
            "text": item["texts"].get(current.language, ""),
            "ticked": pending["answers"].get(item["key"], False),
        }
        for item in documents.items
    ]
    signed = [(NAME_LABELS[key][0], name) for key, name in pending["names"].items() if name]
    return render_form(
        "consent/confirm.html",
        form,
        visit=current,
        items=items,
        signed=signed,
        letter_number=documents.letter.number,
        form_number=documents.form.number,
    )


def refused_page(message: str):
    """Answer 400 with a message in the respondent's frame."""
    return render_template("consent/error.html", title=_("Not recorded"), message=message), 400


def _pending_matches(pending, current: visit.Visit) -> bool:
    """Tell whether the consent waiting in the session is for what is approved now."""
    return (
        isinstance(pending, dict)
        and pending.get("language") == current.language
        and pending.get("letter") == current.documents.letter.content_hash
        and pending.get("form") == current.documents.form.content_hash
        and isinstance(pending.get("answers"), dict)
        and isinstance(pending.get("names"), dict)
    )


def _receipt_of_visit(db) -> tuple[visit.Visit, object, dict]:
    """Return the visit, the consent in force (or None) and its receipt's values."""
    current = visit.current(db)
    record = services.current_record(db, current.respondent)
    if record is None:
        return current, None, {}
    context = receipt.receipt_context(
        db, current.respondent, record, link_until=current.invitation.expires_at
    )
    return current, record, context


@bp.get("/receipt")
def receipt_page():
    """Show the receipt: what was agreed, to which versions, when; as PDF and by mail."""
    db = get_session()
    current, record, context = _receipt_of_visit(db)
    if record is None:
        return redirect(url_for("consent.home"), 303)
    # Opening the typed names is an audit entry, kept whatever the page does next.
    db.commit()
    return render_template(
        "consent/receipt.html",
        visit=current,
        receipt=context,
        mail_form=ReceiptMailForm() if current.respondent.has_email else None,
    )


@bp.get("/receipt.pdf")
def receipt_pdf():
    """Send the receipt as PDF, with the letter as it was shown."""
    db = get_session()
    current, record, context = _receipt_of_visit(db)
    if record is None:
        return redirect(url_for("consent.home"), 303)
    data = receipt.render_receipt(context)
    receipt.record_download(db, current.respondent, record, None)
    db.commit()
    return file_response(data, "application/pdf", receipt.filename(record))


@bp.post("/receipt/mail")
@limiter.limit(_limit("RECEIPT_MAIL_RATE_LIMIT"))
def mail_receipt():
    """Send the receipt to the address the invitation went to (never to one typed here)."""
    db = get_session()
    current = visit.current(db)
    record = services.current_record(db, current.respondent)
    form = ReceiptMailForm()
    if record is None or not current.respondent.has_email or not form.validate_on_submit():
        return redirect(url_for("consent.receipt_page"), 303)
    sent = receipt.mail_receipt(db, current.respondent, record, current.invitation.expires_at)
    # The decryptions are in the audit log whether or not the mail went.
    db.commit()
    return render_template("consent/receipt_sent.html", visit=current, sent=sent)


@bp.post("/end")
def end_visit():
    """End the visit on this device (a shared phone or tablet): the next person sees nothing."""
    current = visit.current(get_session())
    if not ActionForm().validate_on_submit():
        abort(400)
    visit.end()
    visit.set_interface_language(current.language)
    return render_template("consent/ended.html")


@bp.route("/withdraw", methods=["GET", "POST"])
def withdraw():
    """One confirmation, an optional reason, and the choice the letter offers, if it does."""
    db = get_session()
    current = visit.current(db)
    record = services.current_record(db, current.respondent)
    offers_choice = services.offers_choice(db, record)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdrawal.withdraw(
                db,
                current.respondent,
                reason=form.reason.data or "",
                keep_analysed=offers_choice and form.keep.data == "keep",
            )
            db.commit()
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            visit.end(withdrawn=True)
            return redirect(url_for("consent.withdrawn", lang=current.language), 303)
    return render_form(
        "consent/withdraw.html", form, visit=current, record=record, offers_choice=offers_choice
    )


@bp.get("/withdrawn")
def withdrawn():
    """Confirm a withdrawal once; after that the link and the visit are gone."""
    if not session.pop(visit.WITHDRAWN, False):
        return unavailable(None)
    code = request.args.get("lang", "")
    visit.set_interface_language(code if languages.locale(code) is not None else "sv")
    return render_template("consent/withdrawn.html")


def _open_for_consent() -> visit.Visit:
    """Return the visit if the study takes consent now; else send the visitor to the start."""
    current = visit.current(get_session())
    if current.documents is None or not current.languages:
        abort(redirect(url_for("consent.home"), 303))
    return current
