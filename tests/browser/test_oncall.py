"""A lead is warned on their home of on-call shifts at risk, reads the rota with its readiness
labels and gaps, and opens the form to add a schedule; accessible on a laptop and a phone."""

from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.oncall import scenario


def test_lead_reads_the_on_call_rota(transactional_db, live_server, page, shot, team, lead, member):
    schedule, _, _ = scenario.build(team, lead, member)
    schedule.unmatched = ["ghost@example.com"]
    schedule.save()
    EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
    log_in(page, live_server, lead.email, password="pw")
    warning = page.locator(".oncall-warning")
    expect(warning).to_contain_text("On call: 2 shifts in the next 4 weeks")
    shot(page, "oncall-home-warning")

    page.get_by_role("link", name="On call").click()
    expect(page.get_by_role("heading", name="On call · Platform")).to_be_visible()
    expect(page.locator("tr.oncall-shift")).to_have_count(2)
    expect(page.locator("tr.oncall-shift").first).to_contain_text("At risk")
    expect(page.locator("tr.oncall-shift").first).to_contain_text("backup Lena Lead")
    assert_accessible(page, "on-call rota")
    shot(page, "oncall-rota")

    page.get_by_role("link", name="Add a schedule").click()
    expect(page.get_by_label("Name")).to_be_visible()
    assert_accessible(page, "add a schedule")
    shot(page, "oncall-schedule-form")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/oncall/{team.slug}/")
    assert_accessible(page, "on-call rota (phone)", skip_rules=["color-contrast"])
    shot(page, "oncall-rota-phone")


def test_lead_chooses_the_critical_skills_and_the_rota_follows(
    transactional_db, live_server, page, shot, team, lead, member
):
    """rerun (tier 2, flagged) is covered by nobody: both shifts are at risk until the lead says
    it is not critical; then someone available covers every gap."""
    scenario.build(team, lead, member)
    EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
    log_in(page, live_server, lead.email, password="pw")
    page.goto(f"{live_server.url}/oncall/{team.slug}/")
    expect(page.locator(".oncall-counts")).to_contain_text("At risk: 2")

    page.get_by_role("link", name="Critical skills").click()
    expect(page.get_by_role("heading", name="Skills critical for on-call · Platform")).to_be_visible()
    rerun = page.get_by_label("Critical for on-call: batch · Rerun")
    expect(rerun.locator("option:checked")).to_have_text("Critical")
    expect(page.get_by_label("Critical for on-call: payments · Deploy").locator("option:checked")).to_have_text(
        "Tier default: critical"
    )
    assert_accessible(page, "critical skills")
    shot(page, "oncall-critical")
    rerun.select_option(label="Not critical")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 skill changed")).to_be_visible()
    expect(page.locator(".oncall-counts")).to_contain_text("Ready with backup: 2")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/oncall/{team.slug}/critical/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "critical skills (phone)", skip_rules=["color-contrast"])
    shot(page, "oncall-critical-phone", full_page=False)
