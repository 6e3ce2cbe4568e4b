"""The new hire logs a pairing session, the mentor confirms it, the learner's level moves on the matrix."""

from playwright.sync_api import expect

from ops_skills.people.models import Person
from ops_skills.skills.models import Skill
from tests.browser.conftest import log_in


def log_out(page, live_server):
    page.goto(f"{live_server.url}/")
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")


def test_pairing_session_logged_confirmed_and_shown_on_the_matrix(demo, live_server, page, shot):
    ravi = Person.objects.get(email="ravi@example.com")
    skill = Skill.objects.get(system__slug="postgres-main", slug="point-in-time-recovery")

    log_in(page, live_server, "ravi@example.com")
    page.goto(f"{live_server.url}/evidence/pairing/new/")
    page.locator("#id_mentor").select_option(label="Marco Bianchi · Platform")
    page.get_by_label("Find learners").fill("ravi")
    page.locator("#id_learners").select_option(label="Ravi Patel · Platform")
    page.locator("#id_system").select_option(label="postgres-main")
    expect(page.locator("#id_skills option", has_text="Point-in-time recovery")).to_have_count(1)
    page.locator("#id_skills").select_option(label="Point-in-time recovery")
    page.locator("#id_duration_minutes").fill("90")
    page.locator("#id_notes").fill("Restored **staging** to 09:00 with Marco.")
    shot(page, "pairing-form")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("Pairing session logged")).to_be_visible()
    expect(page.get_by_text("waiting for confirmation").first).to_be_visible()
    shot(page, "pairing-pending")
    log_out(page, live_server)

    log_in(page, live_server, "marco@example.com")
    expect(page.locator(".notice-count")).to_have_text("1")
    page.goto(f"{live_server.url}/evidence/?show=to-confirm")
    page.get_by_role("link", name="Pairing", exact=True).click()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed. It now counts towards levels.")).to_be_visible()
    expect(page.locator(".notice-count")).to_have_count(0)  # seen
    shot(page, "pairing-confirmed")

    page.goto(f"{live_server.url}/matrix/?team=platform&system=postgres-main")
    cell = page.locator(f'tr[data-p="{ravi.pk}"] button[data-s="{skill.pk}"]')
    expect(cell).to_have_text("2")
    expect(cell).to_have_class("l2")
    shot(page, "matrix-after-pairing", full_page=False)

    page.goto(f"{live_server.url}/people/{ravi.pk}/")
    expect(page.get_by_text("pairing session", exact=True).first).to_be_visible()
    shot(page, "person-timeline")
