"""A lead invites someone a matrix import created (no password yet) from their page; they follow
the link, choose a password and land on their home, logged in, with the levels the import gave
them. Then a member saying 3 of themselves is told why their level shows 2. Desktop and phone,
with an accessibility audit of the pages this adds."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core import mail
from playwright.sync_api import expect

from ops_skills.people.models import Invitation, Person
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import make_assessment, make_person, make_skill, make_system, make_team

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct-Horse-battery-9"


def with_password(person):
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person


@pytest.fixture
def platform(transactional_db):
    team = make_team("Platform", slug="platform")
    lead = with_password(make_person(team, Person.Role.LEAD, email="lena@example.com", name="Lena Lead"))
    skill = make_skill(make_system(team, slug="payments-api"), slug="deploy", name="Deploy")
    ivo = Person.objects.create(email="ivo@example.com", name="Ivo Imported", team=team, password=make_password(None))
    make_assessment(ivo, skill, 3, author=lead)
    return {"team": team, "lead": lead, "skill": skill, "ivo": ivo}


def log_out(page, live_server):
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")


def test_lead_invites_an_imported_person_who_chooses_a_password(platform, live_server, page, shot):
    ivo = platform["ivo"]
    log_in(page, live_server, "lena@example.com", PASSWORD)
    page.goto(f"{live_server.url}/people/{ivo.pk}/")
    shot(page, "invite-account-person-page")
    page.get_by_role("link", name="Invite to log in").click()
    expect(page.get_by_label("Email")).to_have_value("ivo@example.com")
    expect(page.get_by_text("has an account without a password yet")).to_be_visible()
    shot(page, "invite-account-form")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ivo@example.com.")).to_be_visible()
    invitation = Invitation.objects.get(email="ivo@example.com")
    [sent] = mail.outbox
    assert f"{live_server.url}{invitation.get_accept_url()}" in sent.body  # the host the lead used
    log_out(page, live_server)

    page.goto(f"{live_server.url}{invitation.get_accept_url()}")
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Lena Lead invites you to join Platform as a member"))).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Ivo Imported")
    assert_accessible(page, "choose your password")
    shot(page, "invite-account-accept")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "choose your password (phone)", skip_rules=["color-contrast"])
    shot(page, "invite-account-accept-phone")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Set password and log in").click()
    page.wait_for_url(f"{live_server.url}/")
    shot(page, "invite-account-home-phone")
    assert Person.objects.get(email="ivo@example.com").pk == ivo.pk


def test_signup_by_invitation_says_who_invited(platform, live_server, page, shot):
    invitation = Invitation.objects.create(
        email="noor@example.net", name="Noor Newcomer", team=platform["team"], invited_by=platform["lead"]
    )
    page.goto(f"{live_server.url}{invitation.get_accept_url()}")
    page.wait_for_url(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_text(re.compile(r"Lena Lead invites you to join Platform as a member"))).to_be_visible()
    expect(page.get_by_placeholder("Your name").or_(page.get_by_label("Your name"))).to_have_value("Noor Newcomer")
    assert_accessible(page, "signup by invitation")
    shot(page, "invite-signup")


def test_self_assessment_of_3_says_why_it_shows_2(platform, live_server, page, shot):
    max_ = with_password(make_person(platform["team"], email="max@example.com", name="Max Member"))
    skill = platform["skill"]
    log_in(page, live_server, "max@example.com", PASSWORD)
    page.goto(f"{live_server.url}/matrix/?team=platform")
    page.locator(f'tr[data-p="{max_.pk}"] button[data-s="{skill.pk}"]').click()
    dialog = page.locator("#cell-dialog")
    dialog.get_by_label("3 · independent (counts as 2)").check()
    dialog.get_by_role("button", name="Save level").click()
    expect(dialog.get_by_text(re.compile(r"You said 3 \(independent\); your level shows 2"))).to_be_visible()
    page.wait_for_timeout(300)  # past htmx's settle delay
    shot(page, "self-assessment-cap-note", full_page=False)

    # The cell on a page of its own saves too (a plain form post), and says the same.
    page.goto(f"{live_server.url}/matrix/cell/{max_.pk}/{skill.pk}/")
    page.get_by_label("4 · expert (counts as 2)").check()
    page.get_by_role("button", name="Save level").click()
    expect(page.get_by_text(re.compile(r"You said 4 \(expert\); your level shows 2"))).to_be_visible()
    shot(page, "self-assessment-cap-note-page")
