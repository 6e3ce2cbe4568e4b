"""The demo new hire sees their onboarding checklist, logs a pairing session on a "pair on skill"
item with their buddy, the buddy confirms it and the item ticks itself; the lead's overview."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ops_skills.onboarding.models import Checklist, Kind
from tests.browser.conftest import log_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "runbooks"


def log_out(page, live_server):
    page.goto(f"{live_server.url}/")
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")


@pytest.fixture
def demo_with_runbooks(transactional_db, monkeypatch):
    """The demo organisation, with the example runbooks imported before the onboarding demo runs
    (what the evidence demo does), so the template has its runbook items whatever that demo holds."""
    from ops_skills import flows
    from ops_skills.evidence import demo as evidence_demo
    from ops_skills.evidence import runbook_import
    from ops_skills.web.management.commands import seed_demo

    def evidence_seed(*, today):
        counts = evidence_demo.seed(today=today)
        list(runbook_import.import_directory(EXAMPLES, today=today, save=flows.runbook_save))
        return counts

    seeders = [evidence_seed if s is evidence_demo.seed else s for s in seed_demo.DEMO_SEEDERS]
    monkeypatch.setattr(seed_demo, "DEMO_SEEDERS", seeders)
    seed_demo.seed(today=date.today())


def test_new_hire_pairs_with_the_buddy_and_the_item_ticks(demo_with_runbooks, live_server, page, shot):
    checklist = Checklist.objects.get(person__email="ravi@example.com")
    item = checklist.items.get(kind=Kind.PAIR_SKILL, skill__slug="point-in-time-recovery")
    assert not item.is_done

    log_in(page, live_server, "ravi@example.com")
    panel = page.locator(".ob-home").first
    expect(panel.get_by_role("heading", name="Your onboarding")).to_be_visible()
    expect(panel.locator("progress")).to_be_visible()
    expect(panel.get_by_text("Pair with Marco on point-in-time recovery")).to_be_visible()
    shot(page, "onboarding-home-new-hire")

    panel.get_by_role("link", name="Open my checklist").click()
    expect(page.get_by_role("heading", name="Your onboarding")).to_be_visible()
    row = page.locator(f"#item-{item.pk}")
    expect(row).not_to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator(".ob-item.overdue")).to_have_count(1)
    shot(page, "onboarding-checklist")

    page.goto(f"{live_server.url}/evidence/pairing/new/")
    page.locator("#id_mentor").select_option(label="Marco Bianchi · Platform")
    page.get_by_label("Find learners").fill("ravi")
    page.locator("#id_learners").select_option(label="Ravi Patel · Platform")
    page.locator("#id_system").select_option(label="postgres-main")
    expect(page.locator("#id_skills option", has_text="Point-in-time recovery")).to_have_count(1)
    page.locator("#id_skills").select_option(label="Point-in-time recovery")
    page.locator("#id_duration_minutes").fill("90")
    page.locator("#id_notes").fill("Recovered **staging** to 09:00 with Marco.")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("Pairing session logged")).to_be_visible()
    log_out(page, live_server)

    log_in(page, live_server, "marco@example.com")
    expect(page.get_by_role("heading", name="You are buddy for")).to_be_visible()
    shot(page, "onboarding-home-buddy", full_page=False)
    page.goto(f"{live_server.url}/evidence/?show=to-confirm")
    page.get_by_role("link", name="Pairing", exact=True).click()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed. It now counts towards levels.")).to_be_visible()
    log_out(page, live_server)

    log_in(page, live_server, "ravi@example.com")
    page.goto(f"{live_server.url}{checklist.get_absolute_url()}")
    expect(row).to_have_class(re.compile(r"\bdone\b"))
    expect(row.get_by_role("link", name="confirmed pairing session")).to_be_visible()
    shot(page, "onboarding-checklist-ticked")
    item.refresh_from_db()
    assert item.completed_by == "pairing" and item.session.mentor.email == "marco@example.com"

    # A hand tick swaps the checklist in place (htmx), progress included.
    done = checklist.items.filter(done_at__isnull=False).count()
    shadow = checklist.items.get(title="Shadow an on-call shift with Jonas")
    page.evaluate("window.notReloaded = true")
    page.locator(f"#item-{shadow.pk}").get_by_role("button", name="Tick").click()
    expect(page.locator(f"#item-{shadow.pk}")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator(".ob-progress-label")).to_contain_text(f"{done + 1} of {checklist.items.count()} done")
    expect(page.locator(f"#item-{shadow.pk}")).to_contain_text("Ticked by Ravi Patel")
    assert page.evaluate("window.notReloaded") is True
    log_out(page, live_server)

    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/onboarding/")
    expect(page.get_by_role("link", name="Ravi Patel")).to_be_visible()
    expect(page.get_by_role("link", name="Aisha Khan")).to_be_visible()  # finished
    shot(page, "onboarding-overview")
    page.get_by_role("link", name="Summary").first.click()
    expect(page.get_by_role("heading", name=re.compile("Onboarding summary"))).to_be_visible()
    shot(page, "onboarding-summary")
    page.goto(f"{live_server.url}/onboarding/")
    page.get_by_role("link", name="SRE onboarding").click()
    expect(page.get_by_role("heading", name="SRE onboarding", exact=True)).to_be_visible()
    shot(page, "onboarding-template")
    page.goto(f"{live_server.url}/invitations/")
    expect(page.get_by_label("Onboarding template")).to_be_visible()
    shot(page, "onboarding-invite", full_page=False)
    jonas = Checklist._meta.get_field("person").related_model.objects.get(email="jonas@example.com")
    page.goto(f"{live_server.url}/onboarding/start/{jonas.pk}/")
    expect(page.get_by_role("button", name="Start onboarding")).to_be_visible()
    shot(page, "onboarding-start", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{checklist.get_absolute_url()}")
    shot(page, "onboarding-checklist-phone", full_page=False)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/onboarding/templates/{checklist.template_id}/items/new/")
    expect(page.get_by_role("button", name="Save item")).to_be_visible()
    shot(page, "onboarding-item-form", full_page=False)
