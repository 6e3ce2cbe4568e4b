"""GET /api/me/, and what every endpoint shares: how it authenticates, the methods it answers,
JSON errors and CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import AUTH_CASES, FAILED_AUTH, ApiClient

ME = reverse("api:me")


@pytest.mark.parametrize("who", AUTH_CASES)
def test_permission_matrix(api, cast, who):
    response = api(who).get(ME)
    if who in FAILED_AUTH:
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["error"]
    else:
        assert response.status_code == 200
        body = response.json()
        assert body["email"] == cast[who].email
        assert body["role"] == cast[who].role
        assert body["auth"] == {"method": "token", "token": "script", "prefix": body["auth"]["prefix"]}


def test_me_describes_the_person(api, member):
    body = api(member).get(ME).json()
    assert body["team"] == {"slug": "platform", "name": "Platform"}
    assert body["name"] == "Max Member"


def test_admin_without_a_team(api, admin_user):
    assert api(admin_user).get(ME).json()["team"] is None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token abc", "Bearer"),
        ("Bearer", "Bearer"),
        ("Bearer   ", "Bearer"),
        ("Basic dXNlcjpwdw==", "Bearer"),
        ("Bearer osk_nothing", "Unknown API token"),
    ],
)
def test_malformed_or_unknown_authorization_is_401(db, header, message):
    response = Client().get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert message in response.json()["error"]


def test_revoked_and_departed_tokens_say_why(api):
    assert "revoked" in api("revoked").get(ME).json()["error"]
    assert "can no longer use" in api("departed").get(ME).json()["error"]


def test_a_browser_session_may_read(client_for, member):
    response = client_for(member).get(ME)
    assert response.status_code == 200
    assert response.json()["auth"] == {"method": "session"}


def test_a_departed_persons_session_may_not_read(client_for, departed):
    client = client_for(departed)
    departed.departed_on = "2020-01-01"
    departed.save()
    assert client.get(ME).status_code == 401


def test_a_token_wins_over_the_session(client_for, member, lead, key_for):
    client = client_for(member)
    response = client.get(ME, headers={"Authorization": f"Bearer {key_for(lead)}"})
    assert response.json()["email"] == lead.email


def test_a_bad_token_is_refused_even_with_a_session(client_for, member):
    response = client_for(member).get(ME, headers={"Authorization": "Bearer osk_wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(api, member, method):
    response = api(member).call(method, ME)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert method in response.json()["error"]


def test_head_is_allowed(api, member):
    assert api(member).call("HEAD", ME).status_code == 200


def test_unknown_endpoint_is_a_json_404(api, member):
    for path in ["/api/nothing/", "/api/me", "/api/evidence/"]:
        response = api(member).get(path)
        assert response.status_code == 404
        assert "slash" in response.json()["error"]


def test_unknown_endpoint_does_not_need_a_csrf_token(db):
    assert Client(enforce_csrf_checks=True).post("/api/nothing/").status_code == 404


def test_errors_are_not_cached(api):
    assert api("none").get(ME)["Cache-Control"] == "no-store"


def test_api_client_sends_no_cookies(member, key_for):
    # The token clients of these tests never carry a session: what they are allowed comes from the token.
    client = ApiClient(key_for(member))
    assert not client.client.cookies
