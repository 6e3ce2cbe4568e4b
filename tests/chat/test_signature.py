"""Every request to /slack/events/ is verified (signature, five-minute window) before anything."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import override_settings

from ops_skills.evidence.models import PairingSession
from tests.chat.conftest import EVENTS, SECRET, post_signed, sign
from tests.factories import make_person, make_skill, make_system

# Slack's documented example ("Verifying requests from Slack"): secret, timestamp, body, signature.
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
DOC_MOMENT = datetime.fromtimestamp(int(DOC_TIMESTAMP), tz=UTC)


def doc_request(client, *, body=DOC_BODY, timestamp=DOC_TIMESTAMP, signature=DOC_SIGNATURE):
    headers = {}
    if timestamp is not None:
        headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = timestamp
    if signature is not None:
        headers["HTTP_X_SLACK_SIGNATURE"] = signature
    return client.post(EVENTS, data=body, content_type="application/x-www-form-urlencoded", **headers)


def test_our_signing_matches_slacks_documented_example():
    assert SECRET == "8f742231b10e8888abcd99yyyzzz85a5"
    assert sign(DOC_BODY, DOC_TIMESTAMP) == DOC_SIGNATURE


@pytest.fixture
def webhook_collect(slack):
    with override_settings(SLACK_COMMAND="/webhook-collect"):
        yield


@time_machine.travel(DOC_MOMENT, tick=False)
def test_slacks_documented_request_is_accepted(client, webhook_collect, db):
    response = doc_request(client)
    assert response.status_code == 200
    assert "/webhook-collect pair" in response.json()["text"]  # empty text: the help


@time_machine.travel(DOC_MOMENT, tick=False)
@pytest.mark.parametrize(
    "change",
    [
        {"body": DOC_BODY.replace("text=", "text=help")},
        {"signature": DOC_SIGNATURE[:-1] + "4"},
        {"signature": "v1=" + DOC_SIGNATURE[3:]},
        {"timestamp": str(int(DOC_TIMESTAMP) + 1)},
        {"signature": None},
        {"timestamp": None},
        {"signature": None, "timestamp": None},
    ],
    ids=[
        "tampered-body",
        "tampered-signature",
        "other-version",
        "other-timestamp",
        "no-signature",
        "no-timestamp",
        "neither",
    ],
)
def test_a_request_not_signed_as_slack_signs_is_401(client, webhook_collect, db, change):
    response = doc_request(client, **change)
    assert response.status_code == 401


@pytest.mark.parametrize("minutes, status", [(4, 200), (6, 401)])
def test_the_timestamp_must_be_within_five_minutes(client, webhook_collect, db, minutes, status):
    with time_machine.travel(datetime.fromtimestamp(int(DOC_TIMESTAMP) + minutes * 60, tz=UTC), tick=False):
        assert doc_request(client).status_code == status


def test_a_forged_command_changes_nothing(client, slack, team):
    """Signed with another secret: the session is not logged, Slack's API is never called."""
    mentor, learner = make_person(team, email="m@example.com"), make_person(team, email="l@example.com")
    slack.users.update({"UM": mentor.email, "UL": learner.email})
    make_skill(make_system(team, slug="pg"), slug="restore")
    body = urlencode(
        {"command": "/ops-skills", "user_id": "UM", "text": "pair <@UM> <@UL> pg/restore", "team_id": "T1"}
    )
    response = post_signed(client, body, secret="not-the-secret")
    assert response.status_code == 401
    assert not PairingSession.objects.exists()
    assert slack.calls == []


def test_without_slack_configured_the_endpoint_is_404(client, db):
    with override_settings(SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET=""):
        response = client.post(EVENTS, data="x=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404


def test_get_is_not_allowed(client, slack):
    assert client.get(EVENTS).status_code == 405


def test_url_verification_answers_the_challenge(client, slack):
    response = post_signed(
        client,
        '{"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_the_manifest_points_every_request_at_the_events_path():
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "ops_skills" / "chat" / "slack_manifest.yml").read_text()
    assert text.count("/slack/events/") == 3
    assert f"command: {settings.SLACK_COMMAND}" in text
    for scope in ("commands", "chat:write", "users:read.email"):
        assert f"- {scope}\n" in text
