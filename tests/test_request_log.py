"""Each request logs one line with what a log collector needs, under a request id that the
response echoes; with LOG_FORMAT=json every line is one JSON object."""

import io
import json
import logging
import subprocess
import sys

import pytest
from django.conf import settings

from ops_skills.people.models import Invitation
from ops_skills.web.request_log import RequestIdFilter

REQUEST_LOGGER = "ops_skills.request"


def request_lines(caplog):
    return [r for r in caplog.records if r.name == REQUEST_LOGGER]


@pytest.mark.django_db
def test_a_request_logs_one_line_with_its_fields(client_for, member, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client_for(member).get("/people/", {"q": "secret-search"})
    [line] = request_lines(caplog)
    assert line.method == "GET"
    assert line.path == "/people/"  # not the query string
    assert line.status == 200
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert line.user_id == member.pk
    assert len(line.request_id) == 32
    assert response["X-Request-ID"] == line.request_id


@pytest.mark.django_db
def test_the_callers_request_id_is_kept_and_echoed(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get("/people/", headers={"X-Request-ID": "lb-1234.abc"})
    [line] = request_lines(caplog)
    assert line.request_id == response["X-Request-ID"] == "lb-1234.abc"
    assert line.status == 302 and line.user_id is None


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["a\nfake log line", "x" * 500, "<script>", ""])
def test_a_request_id_that_is_not_one_is_replaced(client, caplog, sent):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get("/health/", headers={"X-Request-ID": sent})
    [line] = request_lines(caplog)
    assert line.request_id != sent and len(line.request_id) == 32
    assert response["X-Request-ID"] == line.request_id


@pytest.mark.django_db
def test_other_lines_logged_during_the_request_carry_its_id(client, caplog, monkeypatch):
    from ops_skills.web import health

    caplog.set_level(logging.INFO)
    handler = logging.StreamHandler(stream := io.StringIO())
    handler.addFilter(RequestIdFilter())  # as the LOGGING setting's handler has
    handler.setFormatter(logging.Formatter("%(request_id)s %(message)s"))
    probe = logging.getLogger("ops_skills.probe")
    probe.addHandler(handler)
    monkeypatch.setattr(health.HealthView, "checks", ())
    original = health.HealthView.render_to_response_text

    def logs_something(self, status):
        probe.warning("inside the request")
        return original(self, status)

    monkeypatch.setattr(health.HealthView, "render_to_response_text", logs_something)
    try:
        client.get("/health/", {"format": "text"}, headers={"X-Request-ID": "req-42"})
    finally:
        probe.removeHandler(handler)
    assert stream.getvalue() == "req-42 inside the request\n"


@pytest.mark.django_db
def test_a_failing_request_is_logged_with_its_500(client_for, member, caplog, monkeypatch):
    from ops_skills.web import views

    def broken(person):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.level_selectors, "levels_summary", broken)
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    client = client_for(member)
    client.raise_request_exception = False
    response = client.get("/")
    line = request_lines(caplog)[-1]
    assert line.status == response.status_code == 500
    assert line.user_id == member.pk
    assert response["X-Request-ID"] == line.request_id


@pytest.mark.django_db
def test_secret_keys_in_urls_are_not_logged(client, team, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    invitation = Invitation.objects.create(email="new@example.com", team=team)
    client.get(invitation.get_accept_url())
    [line] = request_lines(caplog)
    assert invitation.key not in line.path and invitation.key not in line.getMessage()
    assert line.path == "/invitations/accept/[redacted]/"


def test_json_lines_with_log_format_json():
    """A fresh interpreter with LOG_FORMAT=json: the request line is one JSON object with every
    field (the settings are read at start-up, so this cannot be switched inside the test run)."""
    code = """
import logging, django
django.setup()
logging.getLogger("ops_skills.request").info(
    "GET / 200", extra={"method": "GET", "path": "/", "status": 200, "duration_ms": 1.5, "user_id": 7,
    "request_id": "abc"})
"""
    env = {"DJANGO_SETTINGS_MODULE": "ops_skills.settings", "LOG_FORMAT": "json", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=True
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "GET / 200"
    assert line["level"] == "INFO" and line["logger"] == "ops_skills.request"
    assert {k: line[k] for k in ("method", "path", "status", "duration_ms", "user_id", "request_id")} == {
        "method": "GET",
        "path": "/",
        "status": 200,
        "duration_ms": 1.5,
        "user_id": 7,
        "request_id": "abc",
    }
    assert "time" in line


def test_a_bad_log_format_fails_at_start_up():
    env = {"DJANGO_SETTINGS_MODULE": "ops_skills.settings", "LOG_FORMAT": "yaml", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


def test_with_debug_on_each_line_is_logged_once():
    """`make run` (DEBUG on, runserver): a request that ends in a 404 used to print Django's
    "Not Found" twice (Django's own console handler and the root's) beside our request line and
    runserver's access line. Now the request line alone says it; a fresh interpreter, because
    the logging is configured at start-up."""
    code = """
import logging, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
Client().get("/no-such-page/")
logging.getLogger("django.server").info('"GET /no-such-page/ HTTP/1.1" 404 1234')  # what runserver logs
logging.getLogger("django.template").warning("a warning of Django's")
"""
    env = {"DJANGO_SETTINGS_MODULE": "ops_skills.settings", "DEBUG": "true", "PATH": "/usr/bin:/bin"}
    env["DATABASE_URL"] = "sqlite:///:memory:"  # a 404 for an anonymous visitor reads no table
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=True
    )
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert "INFO ops_skills.request GET /no-such-page/ 404 " in lines[0]
    assert "WARNING django.template a warning of Django's" in lines[1]
