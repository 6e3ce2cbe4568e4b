"""The demo lead reads the bus-factor report, its chart and a drill-down, asks for a week when
someone is away, and runs a what-if for the demo's key person (the first knowledge island)."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_lead_reads_report_and_runs_what_if(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("heading", name="Bus-factor report")).to_be_visible()
    expect(page.locator("svg.chart rect.bar").first).to_be_visible()
    shot(page, "reports-index")

    page.locator("svg.chart a", has_text="postgres-main").click()
    expect(page.get_by_text("Why the truck factor is 2")).to_be_visible()
    expect(page.locator("section.tf-explain ol.removals li")).to_have_count(2)
    # The demo's infrastructure repository maps postgres-main: its file-based truck factor is
    # loaded beside the skill-based one.
    panel = page.locator("section.repo-panel")
    expect(panel.get_by_role("heading", name="What the repositories say")).to_be_visible()
    expect(panel.get_by_role("link", name="infrastructure")).to_be_visible()
    shot(page, "reports-system")

    page.goto(f"{live_server.url}/reports/islands/")
    first = page.locator("table.list tbody tr").first
    key_person = first.locator("td").first.locator("a").inner_text()
    shot(page, "reports-islands")
    first.get_by_role("link", name="What if they left?").click()
    expect(page.get_by_role("heading", name=f"If {key_person} left")).to_be_visible()
    expect(page.get_by_role("heading", name="Transfers needed first")).to_be_visible()
    shot(page, "reports-what-if")

    # Picking people by hand: typing asks the server who matches, a pick becomes a chip.
    page.goto(f"{live_server.url}/reports/what-if/")
    page.get_by_label("People who leave").fill("alice")
    page.get_by_role("option", name="Alice Moreau").click()
    expect(page.get_by_role("group", name="Chosen to leave")).to_contain_text("Alice Moreau")
    shot(page, "reports-what-if-picker")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_text("skills newly uncovered")).to_be_visible()

    # Alice's leave (in ten days, for a week) as the report for that week shows it.
    start = date.today() + timedelta(days=10)
    year, week, _ = start.isocalendar()
    page.goto(f"{live_server.url}/reports/?team=payments&week={year}-W{week:02d}")
    expect(page.get_by_text("Counted as away")).to_be_visible()
    shot(page, "reports-week")

    page.goto(f"{live_server.url}/reports/trend/")
    expect(page.locator("polyline.series.single")).to_be_visible()
    shot(page, "reports-trend")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reports/")
    shot(page, "reports-index-phone")


def test_payments_lead_is_warned_of_alices_leave(demo, live_server, page, shot):
    log_in(page, live_server, "dana@example.com")
    expect(page.get_by_role("heading", name="Cover gaps in the next four weeks")).to_be_visible()
    expect(page.locator(".home-absence-warning")).to_contain_text("Alice")
    shot(page, "reports-home-warning")
    page.get_by_role("link", name="Absences").click()
    expect(page.get_by_text("Summer holiday")).to_be_visible()
    page.get_by_role("link", name="Record an absence").click()
    page.locator("#id_person").select_option(label="Bob Lindqvist (bob@example.com)")
    page.get_by_label("First day").fill("2027-03-10")
    page.get_by_label("Last day").fill("2027-03-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot be before the first day")).to_be_visible()
    shot(page, "reports-absence-form-error")
    page.get_by_label("Last day").fill("2027-03-12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Absence of Bob Lindqvist recorded.")).to_be_visible()
    shot(page, "reports-absences")
