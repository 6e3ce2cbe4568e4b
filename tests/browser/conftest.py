"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Never `playwright install`: the browser comes from the `chromium` package (see .ci/run).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

# live_server runs in a thread; Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def drives_a_browser(item) -> bool:
    """Under tests/browser, or using pytest-playwright's ``page`` fixture (not a parameter that
    happens to be called ``page``)."""
    if "tests/browser/" in str(item.fspath):
        return True
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.get("page", ()) if info is not None else ()
    return any(d.func.__module__.startswith("pytest_playwright") for d in definitions)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """Mark the tests that drive a browser (here, and any other test using Playwright's ``page``)
    before ``-m`` selects, and run them last once every other plugin has reordered: Playwright's
    sync API leaves an event loop running in the main thread for the rest of the session, and
    Django's test client cannot call an async view (``/health/``) from a thread with a running
    loop."""
    for item in items:
        if drives_a_browser(item):
            item.add_marker(pytest.mark.browser)
    result = yield
    items[:] = [item for item in items if not drives_a_browser(item)] + [
        item for item in items if drives_a_browser(item)
    ]
    return result


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot under tests/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name, full_page=True):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def demo(transactional_db):
    from datetime import date

    from ops_skills.web.management.commands.seed_demo import seed

    seed(today=date.today())


def log_in(page, live_server, email, password="ops-skills-demo"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
