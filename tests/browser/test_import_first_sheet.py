"""Issue 13: an admin's first import from a spreadsheet, in a browser. The preview lists the teams
and systems it will create (and whose each system will be); confirming creates them with the
rest. No CSP violation or JavaScript error on the way, and no serious accessibility problem."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from ops_skills.people.models import Person, Team
from ops_skills.skills.models import System
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import make_person

PASSWORD = "correct-Horse-battery-9"
FIRST_SHEET = (
    "email,name,team,billing/deploy,billing/restore,ledger/reconcile\n"
    "ann@example.com,Ann,Billing Crew,3,4,\n"
    "bob@example.com,Bob,billing crew,2,,1\n"
    "cy@example.com,Cy,Ledger,,,3\n"
    "dee@example.com,Dee,Ledger,,1,4\n"
)


@pytest.fixture
def admin(transactional_db):
    person = make_person(None, Person.Role.ADMIN, email="ada@example.com", name="Ada Admin")
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return person


def test_an_admins_first_import_previews_and_creates_teams_and_systems(admin, live_server, page, shot):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/matrix/import/")
    page.locator("#id_file").set_input_files(
        {"name": "first.csv", "mimeType": "text/csv", "buffer": FIRST_SHEET.encode()}
    )
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Teams to create")).to_be_visible()
    systems = page.get_by_role("table").filter(has_text="Why this team")
    expect(systems.get_by_role("row", name="billing billing-crew")).to_contain_text(
        "3 of 4 of its levels are for billing-crew"
    )
    shot(page, "import-first-sheet-preview")
    assert_accessible(page, "import preview of a first sheet")
    assert not Team.objects.exists()

    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_url(f"{live_server.url}/matrix/**")
    expect(page.get_by_text("2 teams created, 2 systems created")).to_be_visible()
    assert System.objects.get(slug="billing").team.slug == "billing-crew"
    assert problems == []
