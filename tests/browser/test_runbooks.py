"""A lead reads the demo runbooks, edits one and compares the two revisions, logs a production run
done alone from the runbook's page and finds it on the flagged list; the runbook on a phone."""

from playwright.sync_api import expect

from ops_skills.evidence.models import Runbook, RunbookExecution
from ops_skills.people.models import Person
from tests.browser.conftest import log_in


def test_lead_reads_edits_compares_and_logs_a_solo_production_run(demo, live_server, page, shot):
    runbook = Runbook.objects.get(system__slug="postgres-main", slug="restore-database-from-snapshot")
    log_in(page, live_server, "priya@example.com")

    page.goto(f"{live_server.url}/runbooks/")
    expect(page.get_by_role("heading", name="Runbooks", exact=True)).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(6)
    expect(page.locator(".stat.warn .value")).to_have_text("1")
    shot(page, "runbook-list")
    page.locator(".stat.warn").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Fail the payment batches over to the secondary region")).to_be_visible()

    page.goto(f"{live_server.url}/runbooks/")
    page.get_by_role("link", name=runbook.title).click()
    expect(page.get_by_role("heading", name=runbook.title)).to_be_visible()
    # Rendered Markdown: its sections, a table, and the table of contents linking to them.
    expect(page.locator(".runbook-body h2#rollback")).to_be_visible()
    expect(page.locator(".runbook-body table").first).to_be_visible()
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc.locator('a[href="#verification"]')).to_be_visible()
    expect(page.locator("table.executions tbody tr")).to_have_count(1)  # Marco's, with Aisha
    expect(page.locator("table.executions")).to_contain_text("Marco Bianchi, Aisha Khan")
    shot(page, "runbook-page")

    # An edit makes revision 2; the diff shows what changed.
    page.get_by_role("link", name="Edit", exact=True).click()
    body = page.locator("#id_body")
    body.fill(body.input_value().replace("## Rollback", "## Rollback\n\nCall the DBA on duty first.\n", 1))
    page.locator("#id_note").fill("DBA on duty")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    page.get_by_role("link", name="Revisions (2)").click()
    page.goto(f"{live_server.url}/runbooks/{runbook.pk}/diff/?a=1&b=2")
    expect(page.get_by_role("heading", name="Revision 1 → 2")).to_be_visible()
    expect(page.locator("td.line.added", has_text="Call the DBA on duty first.")).to_be_visible()
    shot(page, "runbook-diff")

    # Log a production run alone, from the runbook's page: the form has the runbook chosen.
    page.goto(f"{live_server.url}{runbook.get_absolute_url()}")
    page.get_by_role("link", name="Log an execution").click()
    expect(page.locator("#id_runbook")).to_have_value(str(runbook.pk))
    priya = Person.objects.get(email="priya@example.com")
    expect(page.locator("#id_performer")).to_have_value(str(priya.pk))
    page.get_by_label("Production").check()
    page.get_by_label("Success").check()
    page.locator("#id_link").fill("https://tickets.example.com/INC-2400")
    page.locator("#id_notes").fill("Restored `orders` to 03:10; nobody else on call.")
    shot(page, "runbook-execution-form")
    page.get_by_role("button", name="Log execution").click()
    expect(page.get_by_text("Logged, and flagged")).to_be_visible()
    execution = RunbookExecution.objects.get(performer__email="priya@example.com", runbook=runbook)
    assert list(execution.participants.all()) == []

    page.goto(f"{live_server.url}/evidence/executions/flagged/")
    expect(page.get_by_role("heading", name="Done alone in production")).to_be_visible()
    row = page.locator("table.list tbody tr", has_text=runbook.title)
    expect(row).to_contain_text("Priya Raman")
    expect(page.locator("table.list tbody tr", has_text="Fix a broken deploy pipeline")).to_contain_text("Jonas Weber")
    shot(page, "runbook-flagged")

    # The system's page links its runbooks, the overdue one marked.
    page.goto(f"{live_server.url}/systems/batch-jobs/")
    runbooks = page.locator(".system-runbooks")
    expect(runbooks.get_by_role("link", name="Fail the payment batches over to the secondary region")).to_be_visible()
    expect(runbooks.get_by_text("overdue for review")).to_have_count(1)
    runbooks.scroll_into_view_if_needed()
    shot(page, "runbook-system", full_page=False)


def test_a_runbook_on_a_phone(demo, live_server, browser, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    log_in(page, live_server, "ravi@example.com")
    runbook = Runbook.objects.get(system__slug="ecs-cluster", slug="drain-and-replace-a-node")
    page.goto(f"{live_server.url}{runbook.get_absolute_url()}")
    expect(page.get_by_role("heading", name=runbook.title)).to_be_visible()
    expect(page.locator("table.executions")).to_contain_text("waiting for confirmation")
    shot(page, "runbook-page-phone")
    page.get_by_role("heading", name="Executions").scroll_into_view_if_needed()
    shot(page, "runbook-page-phone-executions", full_page=False)
    # Nothing wider than the screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
