"""The export form: what goes in, and the key or passphrase the archive is encrypted to.

Neither the passphrase nor the key is ever stored: they go to the thread that writes the
archive and are gone when it ends. Passwords are not sent back into the page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ..forms import BaseForm
from ..vault.age import AgeError, Recipient, ScryptRecipient, X25519Recipient

#: The shortest passphrase taken: the archive leaves the app, so only it stands guard.
PASSPHRASE_MIN = 12


class ExportForm(BaseForm):
    """Export the study's material as one encrypted archive."""

    raw = BooleanField(
        _l("Include the raw material: the recordings and the transcripts as they were stored"),
        description=_l(
            "The raw material identifies the respondents. Keep it only where the letter says "
            "the data is kept, and delete the archive when you are done."
        ),
    )
    protection = RadioField(
        _l("Encrypt the archive to"),
        choices=[
            SelectChoice("passphrase", _l("A passphrase I type now")),
            SelectChoice("recipient", _l("My age public key (age1…)")),
        ],
        default="passphrase",
    )
    passphrase = PasswordField(
        _l("Passphrase"),
        description=_l(
            "At least %(n)d characters; a few unrelated words are easy to type and hard to "
            "guess. It is not stored anywhere: without it the archive cannot be opened.",
            n=PASSPHRASE_MIN,
        ),
        validators=[Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    passphrase_again = PasswordField(
        _l("The passphrase again"),
        validators=[Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    recipient = StringField(
        _l("Age public key"),
        description=_l("As `age-keygen` prints it: one line starting with age1."),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Export"))

    def validate_passphrase(self, field) -> None:
        """Require a passphrase, long enough and typed twice alike, when it is the protection."""
        if self.protection.data != "passphrase":
            return
        if len(field.data or "") < PASSPHRASE_MIN:
            raise ValidationError(
                _l("Give a passphrase of at least %(n)d characters.", n=PASSPHRASE_MIN)
            )
        if field.data != self.passphrase_again.data:
            raise ValidationError(_l("The two passphrases differ: type the same one twice."))

    def validate_recipient(self, field) -> None:
        """Require an age public key that parses, when it is the protection."""
        if self.protection.data != "recipient":
            return
        try:
            X25519Recipient.parse((field.data or "").strip())
        except AgeError:
            raise ValidationError(
                _l("This is not an age public key: it is one line starting with age1.")
            ) from None

    def recipients(self) -> list[Recipient]:
        """Return what the archive is encrypted to (after validation)."""
        if self.protection.data == "recipient":
            return [X25519Recipient.parse(self.recipient.data.strip())]
        return [ScryptRecipient(self.passphrase.data)]
