"""A Slack of our own: a real HTTP server on loopback (pytest-httpserver) answers the Web API
methods the app calls and records them, and requests to ``/slack/events/`` are signed the way
Slack signs them."""

import hashlib
import hmac
import itertools
import json
import re
import time
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from werkzeug import Response

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the signing secret of Slack's documented example
EVENTS = "/slack/events/"


class FakeSlack:
    """Answers ``/api/<method>`` like Slack's Web API and keeps every call as (method, params)."""

    def __init__(self, server):
        self.server = server
        self.users: dict[str, str] = {}  # Slack user id -> email
        self.calls: list[tuple[str, dict]] = []
        self.fail: dict[str, str] = {}  # method -> Slack error to answer with
        self._ts = itertools.count(1)
        server.expect_request(re.compile(r"^/api/.+")).respond_with_handler(self._api)
        server.expect_request("/respond").respond_with_handler(self._respond)
        server.expect_request("/webhook").respond_with_handler(self._webhook)

    def url(self, path="/api/"):
        return self.server.url_for(path)

    def called(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def _params(self, request) -> dict:
        if request.is_json:
            return request.get_json()
        return {**request.args.to_dict(), **request.form.to_dict()}

    def _api(self, request):
        method = request.path.rsplit("/", 1)[1]
        params = self._params(request)
        self.calls.append((method, params))
        if method in self.fail:
            return self._json({"ok": False, "error": self.fail[method]})
        if method == "users.info":
            email = self.users.get(params.get("user"))
            if email is None:
                return self._json({"ok": False, "error": "user_not_found"})
            return self._json({"ok": True, "user": {"id": params["user"], "profile": {"email": email}}})
        if method == "users.lookupByEmail":
            for user_id, email in self.users.items():
                if email == params.get("email"):
                    return self._json({"ok": True, "user": {"id": user_id}})
            return self._json({"ok": False, "error": "users_not_found"})
        if method == "chat.postMessage":
            channel = params["channel"]
            channel = "D" + channel if channel.startswith("U") else channel
            return self._json({"ok": True, "channel": channel, "ts": f"{next(self._ts)}.000100"})
        return self._json({"ok": True})

    def _respond(self, request):
        self.calls.append(("respond", request.get_json()))
        return Response("ok")

    def _webhook(self, request):
        self.calls.append(("webhook", request.get_json()))
        return Response("ok")

    @staticmethod
    def _json(data):
        return Response(json.dumps(data), content_type="application/json")


@pytest.fixture
def slack(httpserver):
    fake = FakeSlack(httpserver)
    with override_settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.url(),
        SLACK_COMMAND="/ops-skills",
        SITE_URL="http://ops-skills.example",
    ):
        yield fake


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(client, body: str, *, content_type="application/x-www-form-urlencoded", timestamp=None, secret=SECRET):
    timestamp = timestamp or str(int(time.time()))
    return client.post(
        EVENTS,
        data=body,
        content_type=content_type,
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=sign(body, timestamp, secret),
    )


@pytest.fixture
def slash(client, slack):
    """``slash(user_id, text)``: the slash command as Slack posts it; returns the JSON answer."""

    def run(user_id: str, text: str, *, status=200):
        body = urlencode(
            {
                "token": "unused",
                "team_id": "T0001",
                "team_domain": "example",
                "channel_id": "C0001",
                "channel_name": "ops",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/ops-skills",
                "text": text,
                "response_url": slack.url("/respond"),
                "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            }
        )
        response = post_signed(client, body)
        assert response.status_code == status, response.content
        return response.json() if response.content else {}

    return run


@pytest.fixture
def interact(client, slack):
    """``interact(payload)``: a block action or a view submission as Slack posts it."""

    def run(payload: dict, *, status=200):
        payload = {"team": {"id": "T0001", "domain": "example"}, "api_app_id": "A0001", "token": "unused", **payload}
        response = post_signed(client, urlencode({"payload": json.dumps(payload)}))
        assert response.status_code == status, response.content
        return response.json() if response.content and response["Content-Type"].startswith("application/json") else {}

    return run


def button(user_id: str, action_id: str, value: str, *, channel="D0001", ts="1.000100", response_url=None) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user_id},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "channel": {"id": channel},
        "message": {"ts": ts, "text": "…"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "decide", "value": value, "type": "button", "action_ts": "1"}],
    }


def dispute_submission(user_id: str, key: str, reason: str, *, channel="D0001", ts="1.000100") -> dict:
    return {
        "type": "view_submission",
        "user": {"id": user_id},
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": "evidence_dispute_reason",
            "private_metadata": json.dumps({"key": key, "channel": channel, "ts": ts}),
            "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}},
        },
    }
