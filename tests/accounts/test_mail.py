"""Mail through a real SMTP conversation (aiosmtpd), and the development outbox."""

from __future__ import annotations

import re

from ..conftest import make_app


def test_a_reset_link_goes_out_over_smtp(app_config, monkeypatch, tmp_path, make_user, smtp_server):
    controller, inbox = smtp_server
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "smtp"))
    application = make_app({**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port})
    user = make_user()
    response = application.test_client().post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == [user.email]
    assert re.search(rb"/password/reset/[\w-]{20,}", envelope.content)
    assert len(application.extensions["outbox"]) == 0
    application.extensions["db_engine"].dispose()


def test_without_smtp_the_admin_reads_mail_in_the_outbox(client, auth, make_user):
    from study.accounts.models import Role

    student = make_user()
    client.post("/password/forgot", data={"email": student.email})
    auth.login(make_user(Role.ADMIN))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert student.email in page and "/password/reset/" in page
