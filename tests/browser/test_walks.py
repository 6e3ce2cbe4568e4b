"""Each role's main jobs walked in a real browser on the demo organisation, at desktop (1440 px)
and phone (390 × 844) size, with an accessibility audit (axe-core: no serious or critical
violation) on each main page and a screenshot of each under tests/screenshots/walk-*.png.

One test per role, each on one freshly seeded demo. At phone size a page must not scroll
sideways, and its audit leaves out the colour contrast (the slowest rule, checked at desktop
size). The matrix's grid is left out: tests/browser/test_matrix.py drives it."""

import re

import pytest
from playwright.sync_api import expect

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.onboarding.models import Checklist
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import make_session

PHONE = {"width": 390, "height": 844}
# The page's widest elements that stick out on the right, outermost first ([] when it fits).
WIDER_THAN_THE_SCREEN = """() => {
  if (document.documentElement.scrollWidth <= window.innerWidth) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    const inside = out.some(o => o.el.contains(el));
    if (box.right > window.innerWidth + 1 && !inside && getComputedStyle(el).position !== "fixed")
      out.push({el, text: `${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}px`});
  }
  return out.slice(0, 5).map(o => o.text);
}"""


@pytest.fixture
def walk(live_server, page, shot):
    """``walk(path, name, audit=True)``: open a page, check it is not an error page, save a
    screenshot (``walk-<name>``, with ``-phone`` at phone size) and audit it."""
    errors = []  # JavaScript errors and CSP refusals; a response's status is checked where it comes

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def visit(path, name, *, audit=True, exclude=()):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        return look(name, audit=audit, exclude=exclude)

    def look(name, *, audit=True, exclude=()):
        phone = page.viewport_size["width"] < 600
        if phone:  # no sideways scrolling of the whole page on a phone, fragments loaded
            page.wait_for_load_state("networkidle")
            wide = page.evaluate(WIDER_THAN_THE_SCREEN)
            assert not wide, f"{name}: wider than the phone: {wide}"
        shot(page, f"walk-{name}{'-phone' if phone else ''}")
        if audit:
            # On a phone, the rules that depend on the layout (colours were checked at desktop size).
            skip = ["color-contrast"] if phone else []
            assert_accessible(page, f"{name}{' (phone)' if phone else ''}", exclude=exclude, skip_rules=skip)
        assert not errors, f"{name}: console errors {errors}"  # CSP violations show up here
        return page

    visit.look = look
    return visit


def test_lead_walk(demo, live_server, page, walk, shot):
    priya = Person.objects.get(email="priya@example.com")
    alice = Person.objects.get(email="alice@example.com")
    ravis_run = RunbookExecution.objects.get(performer__email="ravi@example.com", status="pending")
    log_in(page, live_server, priya.email)

    walk("/", "lead-home")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    walk("/matrix/", "lead-matrix", exclude=["#matrix"])
    walk("/reports/", "lead-report")
    expect(page.get_by_role("heading", name=re.compile("Bus-factor report"))).to_be_visible()
    walk(f"/reports/what-if/?people={alice.pk}", "lead-what-if")
    expect(page.get_by_role("heading", name="If Alice Moreau left")).to_be_visible()
    walk("/plan/", "lead-planner")
    walk("/onboarding/", "lead-onboarding")

    # Evidence to confirm: Ravi's staging run, which Priya watched.
    walk("/evidence/?show=to-confirm", "lead-to-confirm")
    page.locator(f'a[href="{ravis_run.get_absolute_url()}"]').first.click()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed.")).to_be_visible()
    ravis_run.refresh_from_db()
    assert ravis_run.status == "confirmed"

    page.set_viewport_size(PHONE)
    walk("/", "lead-home")
    walk("/reports/", "lead-report")
    # On a phone: the chart as a list of readable lines, the table as cards, nothing scrolls sideways.
    expect(page.locator(".risk-list a").first).to_be_visible()
    expect(page.locator("svg.chart")).to_be_hidden()
    assert page.locator(".risk-list a").first.evaluate("a => parseFloat(getComputedStyle(a).fontSize)") >= 14
    assert page.locator(".table-wrap:has(.risk-table)").evaluate("el => el.scrollWidth <= el.clientWidth")
    walk("/reports/trend/", "lead-trend")  # its charts scroll sideways: reachable by keyboard
    walk("/matrix/", "lead-matrix", exclude=["#matrix"])
    walk(f"/reports/what-if/?people={alice.pk}", "lead-what-if")
    # The transfers to start first: a card each, every cell named, no box scrolling sideways.
    fits_its_box(page, ".whatif-transfers", shot, "lead-what-if")
    expect(page.locator(".whatif-transfers td[data-label='Knowledge leaves with']").first).to_contain_text("Alice")
    walk("/plan/", "lead-planner")
    walk("/onboarding/", "lead-onboarding")


def fits_its_box(page, table: str, shot, name: str) -> None:
    """``table`` is laid out as cards (its header row hidden from sight, not from screen readers)
    and neither it nor its box is wider than the screen; ``walk-<name>-phone-table`` shows the
    screen at its first row."""
    wrap = page.locator(f".table-wrap:has({table})")
    expect(wrap.locator("tbody tr").first).to_be_visible()
    wrap.locator("tbody tr").first.scroll_into_view_if_needed()
    shot(page, f"walk-{name}-phone-table", full_page=False)
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth && el.clientWidth <= window.innerWidth")
    assert page.locator(f"{table} thead").evaluate("el => el.getBoundingClientRect().height <= 1")
    first_cell = page.locator(f"{table} tbody tr td").first
    assert first_cell.evaluate("td => getComputedStyle(td, '::before').content") != "none"


def test_member_walk(demo, live_server, page, walk):
    marco = Person.objects.get(email="marco@example.com")
    jonas = Person.objects.get(email="jonas@example.com")
    pitr = Skill.objects.get(system__slug="postgres-main", slug="point-in-time-recovery")
    # Jonas logged a session where Marco learnt: it waits for Marco.
    pending = make_session(jonas, [marco], [pitr], status="pending", logged_by=jonas, days_ago=2)
    log_in(page, live_server, marco.email)
    walk("/", "member-home")

    # Logging a pairing session: no skills before a system is chosen, then that system's skills
    # by name; a session Marco is not part of is refused on the form, which keeps what he typed.
    walk("/evidence/pairing/new/", "member-pairing-form")
    skills = page.locator("#id_skills")
    expect(skills.locator("option")).to_have_count(1)
    expect(skills.locator("option")).to_have_text("Choose a system first")
    page.locator("#id_mentor").select_option(label="Jonas Weber · Platform")
    page.get_by_label("Find learners").fill("aisha")
    page.locator("#id_learners").select_option(label="Aisha Khan · Platform")
    page.locator("#id_system").select_option(label="postgres-main")
    expect(skills.locator("option", has_text="Point-in-time recovery")).to_have_count(1)
    count = Skill.objects.filter(system__slug="postgres-main").count()
    expect(skills.locator("option")).to_have_count(count)
    skills.select_option(label="Point-in-time recovery")
    page.locator("#id_duration_minutes").fill("45")
    page.locator("#id_notes").fill("Walked through the WAL archive.")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("You can only log evidence you took part in")).to_be_visible()
    expect(page.locator("#id_mentor option:checked")).to_have_text("Jonas Weber · Platform")
    expect(page.locator("#id_system option:checked")).to_have_text("postgres-main")
    expect(skills.locator("option")).to_have_count(count)
    expect(skills.locator("option:checked")).to_have_text("Point-in-time recovery")
    expect(page.locator("#id_notes")).to_have_value("Walked through the WAL archive.")
    walk.look("member-pairing-form-error")
    page.locator("#id_mentor").select_option(label="Marco Bianchi · Platform")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("Pairing session logged")).to_be_visible()
    assert PairingSession.objects.filter(mentor=marco, notes="Walked through the WAL archive.").exists()

    # Confirming what Jonas logged.
    walk("/evidence/?show=to-confirm", "member-to-confirm")
    page.locator(f'a[href="{pending.get_absolute_url()}"]').first.click()
    walk.look("member-evidence-detail")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed.")).to_be_visible()

    walk(f"/people/{marco.pk}/", "member-own-levels")

    page.set_viewport_size(PHONE)
    walk("/", "member-home")
    walk("/evidence/pairing/new/", "member-pairing-form")
    walk(f"/people/{marco.pk}/", "member-own-levels")


def test_new_hire_walk(demo, live_server, page, walk):
    checklist = Checklist.objects.get(person__email="ravi@example.com")
    log_in(page, live_server, "ravi@example.com")
    walk("/", "new-hire-home")
    page.get_by_role("link", name="Open my checklist").first.click()
    expect(page).to_have_url(re.compile(rf"/onboarding/checklists/{checklist.pk}/$"))
    walk.look("new-hire-checklist")

    # A mistyped address: the styled 404, with a way home.
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is nothing here")).to_be_visible()
    walk.look("error-404")

    page.set_viewport_size(PHONE)
    walk("/", "new-hire-home")
    walk(f"/onboarding/checklists/{checklist.pk}/", "new-hire-checklist")


def test_admin_walk(demo, live_server, page, walk, shot):
    log_in(page, live_server, "admin@example.com")
    walk("/", "admin-home")
    walk("/people/", "admin-people")
    walk("/audit/", "admin-audit")
    walk("/matrix/import/", "admin-import")

    page.set_viewport_size(PHONE)
    walk("/", "admin-home")
    walk("/people/", "admin-people")
    walk("/audit/", "admin-audit")
    fits_its_box(page, "table.stacked", shot, "admin-audit")
    expect(page.locator("table.stacked td[data-label='Changes']").first).to_be_visible()
    walk("/matrix/import/", "admin-import")


def test_the_audit_fails_on_a_serious_violation(page):
    """The audit itself: a page with an image without a text alternative and a button without a
    name (both critical in axe) is refused, with what to fix."""
    page.set_content('<html lang="en"><title>t</title><main><h1>t</h1><img src="data:,"><button></button></main>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a bad page")
    assert "image-alt (critical)" in str(failure.value) and "button-name (critical)" in str(failure.value)


def test_the_audit_fails_on_an_empty_table_header(page):
    """Minor in axe, but refused: a header cell with no text (an actions column names itself in
    visually-hidden text)."""
    table = "<table><tr><th>Name</th><th>{}</th></tr><tr><td>a</td><td><a href='#'>Edit</a></td></tr></table>"
    page.set_content(f'<html lang="en"><title>t</title><main><h1>t</h1>{table.format("")}</main>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a table with an empty header")
    assert "empty-table-header (minor)" in str(failure.value)
    hidden = '<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)">Actions</span>'
    page.set_content(f'<html lang="en"><title>t</title><main><h1>t</h1>{table.format(hidden)}</main>')
    assert_accessible(page, "the same table, its actions column named")
