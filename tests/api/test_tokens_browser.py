"""In the browser: create a token on /api/tokens/, copy its key once, call the API with it, revoke it."""

import json
import urllib.error
import urllib.request

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from ops_skills.people.models import Person
from tests.browser.conftest import browser_context_args, browser_type_launch_args, log_in, shot  # noqa: F401
from tests.factories import make_team

pytestmark = pytest.mark.browser


def call_me(live_server, key):
    request = urllib.request.Request(f"{live_server.url}/api/me/", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the live test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_token_created_used_and_revoked(transactional_db, live_server, page, shot):  # noqa: F811
    team = make_team("Platform", slug="platform")
    person = Person.objects.create_user(
        email="marco@example.com", password="ops-skills-demo", name="Marco Bianchi", team=team
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    log_in(page, live_server, "marco@example.com")
    page.goto(f"{live_server.url}/api/tokens/")
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    shot(page, "api-tokens-empty")

    page.get_by_label("Name").fill("deploy pipeline")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#token-key").input_value()
    assert key.startswith("osk_")
    expect(page.get_by_text("only this once")).to_be_visible()
    shot(page, "api-tokens-created")

    status, body = call_me(live_server, key)
    assert (status, body["email"]) == (200, person.email)

    page.goto(f"{live_server.url}/api/tokens/")
    assert key not in page.content()
    page.get_by_role("link", name="Revoke…").click()
    shot(page, "api-tokens-revoke")
    page.get_by_role("button", name="Revoke it").click()
    expect(page.get_by_text("revoked: it no longer works")).to_be_visible()
    shot(page, "api-tokens-revoked")
    assert call_me(live_server, key)[0] == 401
