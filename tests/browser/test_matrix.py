"""A lead logs in, opens the matrix, sets a level; the cell changes without a reload."""

from playwright.sync_api import expect

from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill
from tests.browser.conftest import log_in


def test_lead_sets_a_level_in_the_matrix(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    expect(page.get_by_role("heading", name="Hello, Priya")).to_be_visible()
    shot(page, "home-lead")

    page.get_by_role("link", name="Skill matrix").first.click()
    expect(page.get_by_role("heading", name="Skill matrix")).to_be_visible()
    shot(page, "matrix", full_page=False)

    ravi = Person.objects.get(email="ravi@example.com")
    skill = Skill.objects.get(system__slug="postgres-main", slug="restore-database-from-snapshot")
    cell = page.locator(f'tr[data-p="{ravi.pk}"] button[data-s="{skill.pk}"]')
    cell.click()
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Ravi Patel · Restore database from snapshot")).to_be_visible()
    dialog.get_by_label("3 · independent").check()
    dialog.get_by_label("Note (optional)").fill("Restored staging with Marco")
    dialog.get_by_role("button", name="Save level").click()
    expect(dialog.get_by_text("Saved.")).to_be_visible()
    shot(page, "matrix-cell-panel", full_page=False)

    expect(cell).to_have_text("3")
    expect(cell).to_have_class("l3 stale active")
    latest = Assessment.objects.filter(person=ravi, skill=skill).latest("assessed_at")
    assert (latest.level, latest.source, latest.author.email) == (3, "lead", "priya@example.com")

    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_main_pages_render(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    marco = Person.objects.get(email="marco@example.com")
    for name, path in [
        ("person", f"/people/{marco.pk}/"),
        ("system", "/systems/postgres-main/"),
        ("team", "/teams/platform/"),
        ("people", "/people/"),
        ("systems", "/systems/"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        shot(page, name)


def test_member_sees_matrix_on_a_phone(demo, live_server, browser, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    log_in(page, live_server, "ravi@example.com")
    shot(page, "home-member-phone")
    page.goto(f"{live_server.url}/matrix/")
    expect(page.get_by_role("heading", name="Skill matrix")).to_be_visible()
    shot(page, "matrix-phone", full_page=False)
    context.close()
