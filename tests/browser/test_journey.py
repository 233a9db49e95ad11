"""The first journey in a real browser: a student starts a study and brings in a supervisor."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import wait_for_outbox


def test_register_create_invite_and_the_supervisor_sees_the_study(app, page_factory):
    student = page_factory()
    student.goto("/")
    student.get_by_role("link", name="Skapa ett studentkonto").click()
    student.get_by_label("Namn").fill("Sara Student")
    student.get_by_label("E-post").fill("sara@example.org")
    student.get_by_label("Lösenord", exact=True).fill("ett långt lösenord")
    student.get_by_label("Upprepa lösenordet").fill("ett långt lösenord")
    student.get_by_role("button", name="Skapa konto").click()
    expect(student.locator(".flash.info")).to_contain_text("sara@example.org")
    confirm = re.search(r"https?://[^/\s]+(/account/confirm/\S+)", wait_for_outbox(app).body)
    student.goto(confirm.group(1))
    student.get_by_label("Lösenord").fill("ett långt lösenord")
    student.get_by_role("button", name="Bekräfta").click()
    expect(student.get_by_role("heading", name="Mina studier")).to_be_visible()

    student.get_by_role("link", name="Ny studie").click()
    student.get_by_label("Titel").fill("Unga vuxnas vägar till stöd")
    student.get_by_label("Syfte").fill("Att förstå hur unga vuxna söker stöd.")
    student.get_by_role("button", name="Skapa studien").click()
    expect(student.get_by_role("heading", name="Unga vuxnas vägar till stöd")).to_be_visible()
    expect(student.locator("ol.steps > li")).to_have_count(11)

    student.get_by_role("link", name="Personer").first.click()
    student.get_by_label("E-post").fill("hanna@example.org")
    student.get_by_label("Roll i studien").select_option("supervisor")
    student.get_by_role("button", name="Skicka inbjudan").click()
    expect(student.locator(".flash.success")).to_contain_text("hanna@example.org")

    mail = wait_for_outbox(app, 2)
    link = re.search(r"https?://[^/\s]+(/invitations/\S+)", mail.body).group(1)
    supervisor = page_factory()
    supervisor.goto(link)
    supervisor.get_by_role("link", name="Skapa ditt konto").click()
    supervisor.get_by_label("Namn").fill("Hanna Handledare")
    supervisor.get_by_label("Lösenord", exact=True).fill("vintersjöns gröna båt")
    supervisor.get_by_label("Upprepa lösenordet").fill("vintersjöns gröna båt")
    supervisor.get_by_role("button", name="Skapa konto").click()
    expect(supervisor.get_by_role("heading", name="Unga vuxnas vägar till stöd")).to_be_visible()

    supervisor.get_by_role("button", name=re.compile("Logga ut")).click()
    supervisor.get_by_role("link", name="Logga in").first.click()
    supervisor.get_by_label("E-post").fill("hanna@example.org")
    supervisor.get_by_label("Lösenord").fill("vintersjöns gröna båt")
    supervisor.get_by_role("button", name="Logga in").click()
    expect(supervisor.get_by_role("link", name="Unga vuxnas vägar till stöd")).to_be_visible()
    supervisor.get_by_role("link", name="Unga vuxnas vägar till stöd").click()
    expect(supervisor.get_by_text("Du är handledare för den här studien.")).to_be_visible()
