"""What a product of this kind is expected to have (issue 13): search from the top bar, "?" help
beside the numbers, a printable report and what-if, a calendar to subscribe to, and dark mode
following the system setting, with an accessibility audit (contrast included) in dark mode."""

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS, log_in


def test_search_from_the_top_bar(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    box = page.get_by_role("searchbox", name="Search people, systems, skills and runbooks")
    box.fill("restore")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search results for “restore”")).to_be_visible()
    for group in ("People", "Systems", "Skills", "Runbooks"):
        expect(page.get_by_role("heading", name=group, exact=True)).to_be_visible()
    runbooks = page.get_by_role("region", name="Runbooks")
    expect(runbooks.get_by_role("link").first).to_be_visible()
    assert_accessible(page, "search results")
    shot(page, "product-search")
    title = runbooks.get_by_role("link").first.inner_text()
    runbooks.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    page.goto(f"{live_server.url}/search/?q=r")
    expect(page.get_by_role("alert")).to_have_text("Type at least 2 characters to search.")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/search/?q=alice")
    expect(page.get_by_role("region", name="People").get_by_role("link", name="Alice Moreau")).to_be_visible()
    shot(page, "product-search-phone")


def test_help_beside_the_numbers(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="What does “truck factor” mean?").first.click()
    expect(page).to_have_url(f"{live_server.url}/help/#truck-factor")
    expect(page.get_by_role("heading", name="Truck factor")).to_be_in_viewport()
    assert_accessible(page, "help")
    shot(page, "product-help")


def test_report_and_what_if_print_cleanly(demo, live_server, page, shot):
    log_in(page, live_server, "priya@example.com")
    page.goto(f"{live_server.url}/reports/")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".help-link").first).to_be_hidden()
    expect(page.locator(".print-stamp")).to_be_visible()
    expect(page.locator("table.risk-table")).to_be_visible()
    shot(page, "product-print-report")
    page.pdf(path=str(SCREENSHOTS / "product-print-report.pdf"), format="A4")

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/reports/what-if/?what_if=alice@example.com")
    expect(page.get_by_role("heading", name="Transfers needed first")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("form.whatif-form")).to_be_hidden()
    expect(page.get_by_role("heading", name="Transfers needed first")).to_be_visible()
    shot(page, "product-print-what-if")
    page.pdf(path=str(SCREENSHOTS / "product-print-what-if.pdf"), format="A4")


def test_subscribe_to_the_calendar(demo, live_server, page, browser, shot):
    log_in(page, live_server, "ravi@example.com")
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="My calendar").click()
    page.get_by_role("button", name="Make a subscription address").click()
    address = page.get_by_role("textbox", name="Address").input_value()
    assert "/calendar/feed/" in address
    shot(page, "product-calendar")

    outsider = browser.new_context()  # no session: the address is the only credential
    response = outsider.request.get(address)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VEVENT" in response.text() and "Onboarding due:" in response.text()

    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Subscription address revoked")).to_be_visible()
    assert outsider.request.get(address).status == 404
    outsider.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_dark_mode_follows_the_system(demo, live_server, page, shot, width):
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.emulate_media(color_scheme="dark")
    log_in(page, live_server, "priya@example.com")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(15, 20, 32)"
    suffix = "" if width > 400 else "-phone"
    for name, path, exclude in [
        ("home", "/", []),
        ("matrix", "/matrix/", []),
        ("report", "/reports/", []),
        ("what-if", "/reports/what-if/?what_if=alice@example.com", []),
        ("search", "/search/?q=payments", []),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, f"{name} in dark mode", exclude=exclude)
        shot(page, f"product-dark-{name}{suffix}")

    # The matrix's cell panel (a dialog) in dark mode too.
    page.goto(f"{live_server.url}/matrix/")
    page.locator("table.matrix tbody button[data-s]").first.click()
    dialog = page.locator("#cell-dialog")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(23, 29, 43)"
    assert_accessible(page, "matrix cell panel in dark mode")
    shot(page, f"product-dark-matrix-cell{suffix}", full_page=False)
