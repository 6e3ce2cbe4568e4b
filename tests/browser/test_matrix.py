"""The skill matrix in a browser: a lead sets a level (the cell, its header and its bus factor
change without a reload, and nothing breaks the Content-Security-Policy), the grid by keyboard
(one tab stop, arrow keys, focus in and out of the cell panel), an accessibility audit, a phone."""

import re

from playwright.sync_api import expect

from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in

# Collects what the page's Content-Security-Policy blocks (the event), before any page script.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def _focused(page) -> str:
    """The accessible name, or failing that the text, of the focused element."""
    return page.evaluate(
        "() => { const e = document.activeElement; return e.getAttribute('aria-label') || e.textContent.trim(); }"
    )


def _in_grid(page) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('#matrix')")


def test_lead_sets_a_level_in_the_matrix(demo, live_server, page, shot):
    page.add_init_script(CSP_LISTENER)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    log_in(page, live_server, "priya@example.com")
    expect(page.get_by_role("heading", name="Hello, Priya")).to_be_visible()
    shot(page, "home-lead")

    page.get_by_role("link", name="Skill matrix").first.click()
    expect(page.get_by_role("heading", name="Skill matrix")).to_be_visible()
    shot(page, "matrix", full_page=False)

    ravi = Person.objects.get(email="ravi@example.com")
    skill = Skill.objects.get(system__slug="postgres-main", slug="restore-database-from-snapshot")
    bus_factor = page.locator(f"#bf-{skill.pk}")
    header = page.locator(f"#col-{skill.pk}")
    expect(bus_factor).to_have_text("1")
    expect(header).to_have_class("bf-1")  # amber: a single point of knowledge
    amber = page.locator(".legend .head.bf-1").evaluate("e => getComputedStyle(e).color")
    expect(header.locator("a")).to_have_css("color", amber)  # the colour the legend explains
    cell = page.locator(f'tr[data-p="{ravi.pk}"] button[data-s="{skill.pk}"]')
    expect(cell).to_have_accessible_name("Ravi Patel, postgres-main/Restore database from snapshot: level 0 none")
    cell.click()
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Ravi Patel · Restore database from snapshot")).to_be_visible()
    expect(dialog.get_by_label("0 · none")).to_be_focused()  # the level control, not "×"

    # A person resizing the note box gives it an inline style (the browser sets it through the
    # CSSOM, which the CSP allows); htmx's settling used to copy such styles onto the new panel
    # with setAttribute, which the CSP blocks.
    note = dialog.get_by_label("Note (optional)")
    note.fill("Restored staging with Marco")
    note.evaluate("box => { box.style.height = '9rem'; }")  # what dragging its corner does
    console_errors.clear()
    page.evaluate("() => { window.__cspViolations.length = 0; }")

    dialog.get_by_label("3 · independent").check()
    dialog.get_by_role("button", name="Save level").click()
    expect(dialog.get_by_text("Saved.")).to_be_visible()
    page.wait_for_timeout(300)  # past htmx's settle delay (20 ms)
    shot(page, "matrix-cell-panel", full_page=False)

    assert page.evaluate("() => window.__cspViolations") == []
    assert console_errors == []
    expect(dialog.get_by_role("status")).to_be_focused()  # focus stays in the panel, on "Saved."

    # The cell, its column's header colour and its bus factor changed without a reload.
    expect(cell).to_have_text("3")
    expect(cell).to_have_class("l3 stale active")
    expect(cell).to_have_accessible_name(
        "Ravi Patel, postgres-main/Restore database from snapshot: level 3 independent, stale"
    )
    expect(bus_factor).to_have_text("2")
    expect(header).not_to_have_class("bf-1")
    expect(header.locator("a")).not_to_have_css("color", amber)
    latest = Assessment.objects.filter(person=ravi, skill=skill).latest("assessed_at")
    assert (latest.level, latest.source, latest.author.email) == (3, "lead", "priya@example.com")

    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(cell).to_be_focused()
    # The grid still works after the out-of-band swap, up to the new header cell too.
    page.keyboard.press("ArrowRight")
    assert _in_grid(page) and _focused(page).startswith("Ravi Patel, postgres-main/Rotate database")
    page.keyboard.press("ArrowLeft")
    for _ in range(5):  # four people above Ravi, then the skill's header
        page.keyboard.press("ArrowUp")
    assert _focused(page) == "Restore database from snapshot"
    page.keyboard.press("ArrowDown")
    assert _focused(page).startswith("Aisha Khan, postgres-main/Restore database from snapshot")
    assert page.evaluate("() => document.querySelectorAll('#matrix [tabindex=\"0\"]').length") == 1
    assert page.evaluate("() => window.__cspViolations") == [] and console_errors == []


def test_the_grid_by_keyboard(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/matrix/")
    first_cell = "Aisha Khan, ci-pipelines/Add a new service pipeline: level 2 assisted"

    # Without the skip link: every stop before the grid (the top bar, the actions, the filters,
    # the legend's help), then the grid is ONE stop (the page had 294: one per cell and header).
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    presses = 1
    while not _in_grid(page):
        page.keyboard.press("Tab")
        presses += 1
        assert presses < 60
    assert _focused(page) == first_cell
    stops_before = page.evaluate(
        "() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]"
        ".filter(e => e.tabIndex >= 0 && !e.disabled && e.checkVisibility() && !e.closest('dialog:not([open])'))"
        ".filter(e => e.compareDocumentPosition(document.getElementById('matrix')) & Node.DOCUMENT_POSITION_FOLLOWING)"
        ".length"
    )
    assert presses == stops_before + 1, (presses, stops_before)
    assert page.evaluate("() => [...document.querySelectorAll('#matrix *')].filter(e => e.tabIndex >= 0).length") == 1
    print("Tab presses to the first cell without the skip link:", presses)
    page.keyboard.press("Tab")
    assert not _in_grid(page)
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == first_cell

    # With it: the second stop of the page, and Enter lands on the grid's tab stop.
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the skill matrix")).to_be_focused()
    page.keyboard.press("Enter")
    assert _focused(page) == first_cell

    # Arrows, Home, End, and the headers above the cells.
    page.keyboard.press("ArrowRight")
    assert _focused(page) == "Aisha Khan, ci-pipelines/Debug flaky caches: level 1 aware"
    page.keyboard.press("ArrowDown")
    assert _focused(page).startswith("Jonas Weber, ci-pipelines/Debug flaky caches: level 4 expert")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "Aisha Khan, ci-pipelines/Fix a broken pipeline: level 1 aware"
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "Fix a broken pipeline"  # the skill's column header, its link
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "ci-pipelines"  # the system's header, three columns wide
    page.keyboard.press("ArrowDown")
    assert _focused(page) == "Fix a broken pipeline"  # back down the same column
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    assert _focused(page) == "Aisha Khan"  # the row header, a link to her page
    page.keyboard.press("End")
    last = _focused(page)
    assert last.startswith("Aisha Khan, terraform-network/")
    page.keyboard.press("ArrowRight")  # at the edge: stays
    assert _focused(page) == last
    page.keyboard.press("Control+End")
    assert _focused(page) == page.locator("#matrix tfoot td").last.inner_text()  # the last bus factor
    page.keyboard.press("Control+Home")
    assert _focused(page) == "Aisha Khan"
    page.keyboard.press("PageDown")  # ten rows, or as far as there are: the bus-factor row
    assert _focused(page) == "Bus factor"
    page.keyboard.press("PageUp")
    assert _focused(page) == "Person"  # the corner above the people's names
    page.keyboard.press("ArrowDown")
    assert _focused(page) == "Aisha Khan"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    shot(page, "matrix-keyboard", full_page=False)

    # Enter opens the cell, focus on the level control; Escape closes it, focus back on the cell.
    cell_name = _focused(page)
    assert cell_name.startswith("Marco Bianchi, ci-pipelines/Add a new service pipeline")
    page.keyboard.press("Enter")
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=level]").first).to_be_focused()
    shot(page, "matrix-keyboard-panel", full_page=False)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _focused(page) == cell_name
    # Space opens it too (a row header is a link to the person: Space there opens nothing); the
    # grid keeps one tab stop, the cell last used.
    page.keyboard.press("ArrowLeft")
    assert _focused(page) == "Marco Bianchi"
    page.keyboard.press(" ")
    page.wait_for_timeout(200)
    expect(dialog).to_be_hidden()
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    assert _focused(page) == cell_name
    assert page.evaluate("() => document.querySelectorAll('#matrix [tabindex=\"0\"]').length") == 1

    # An arrow key pressed as the panel closes, before the dialog's close event arrives (it comes
    # a task later): focus stays where the key took it, not pulled back to the cell.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.evaluate(
        """() => {
          document.getElementById("cell-dialog").close();
          document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight", bubbles: true}));
        }"""
    )
    page.wait_for_timeout(100)  # the close event has come by now
    assert _focused(page).startswith("Marco Bianchi, ci-pipelines/Debug flaky caches")


def test_matrix_passes_an_accessibility_audit(demo, live_server, page):
    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/matrix/")
    assert_accessible(page, "the skill matrix")
    page.get_by_role("button", name=re.compile(r"^Ravi Patel, postgres-main\/Restore database")).click()
    expect(page.locator("#cell-dialog")).to_be_visible()
    expect(page.locator("#cell-dialog .interest")).to_be_attached()  # its htmx part loaded
    assert_accessible(page, "the skill matrix's cell panel")


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
    page.locator(".matrix-wrap").scroll_into_view_if_needed()
    shot(page, "matrix-grid-phone", full_page=False)
    # A member opens their own cell: the panel fits the phone and its focus is the level control.
    page.get_by_role("button", name=re.compile(r"^Ravi Patel, postgres-main\/Restore database")).click()
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=level]").first).to_be_focused()
    assert dialog.bounding_box()["width"] <= 390
    shot(page, "matrix-cell-panel-phone", full_page=False)
    assert_accessible(page, "the skill matrix on a phone")
    context.close()
