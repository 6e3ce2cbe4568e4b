"""The connection to Slack: the Web API client and the Bolt app, built from settings.

Both are built on demand and kept per configuration, so a changed setting (a test's
``override_settings``) gets a new one. ``SLACK_API_URL`` points the client at Slack, or in tests
at a local HTTP server."""

from __future__ import annotations

import threading

from django.conf import settings
from slack_bolt import App
from slack_sdk import WebClient

_lock = threading.Lock()
_apps: dict[tuple, App] = {}


class NotConnected(Exception):
    """No Slack workspace is configured (``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``)."""


def connected() -> bool:
    return bool(settings.SLACK_BOT_TOKEN and settings.SLACK_SIGNING_SECRET)


def client() -> WebClient:
    if not settings.SLACK_BOT_TOKEN:
        raise NotConnected("SLACK_BOT_TOKEN is not set.")
    base_url = settings.SLACK_API_URL if settings.SLACK_API_URL.endswith("/") else settings.SLACK_API_URL + "/"
    return WebClient(token=settings.SLACK_BOT_TOKEN, base_url=base_url, timeout=settings.CHAT_TIMEOUT_SECONDS)


def app() -> App:
    """The Bolt app with every listener registered (``chat.handlers``). It verifies each request's
    signature and timestamp before any listener runs, and answers 401 otherwise."""
    if not connected():
        raise NotConnected("Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect a Slack workspace.")
    key = (settings.SLACK_BOT_TOKEN, settings.SLACK_SIGNING_SECRET, settings.SLACK_COMMAND, settings.SLACK_API_URL)
    with _lock:
        built = _apps.get(key)
        if built is None:
            built = build()
            _apps.clear()
            _apps[key] = built
        return built


def build(*, socket_mode: bool = False) -> App:
    """A new Bolt app. Over HTTP the listeners run in the request's thread and finish before the
    answer (Slack's 3 seconds are plenty for these reads; the messages they cause to be sent, to
    other people or updating old ones, are queued as tasks); in Socket Mode they run in Bolt's
    worker threads, which release their database connections after each listener."""
    from ops_skills.chat import handlers

    built = App(
        signing_secret=settings.SLACK_SIGNING_SECRET,
        client=client(),
        token_verification_enabled=False,  # no auth.test call at start-up
        process_before_response=not socket_mode,
        raise_error_for_unhandled_request=False,
    )
    if socket_mode:
        built.use(handlers.release_connections)
    handlers.register(built, command=settings.SLACK_COMMAND)
    return built
