"""The API answers JSON for every error, 500 included, and a clear 400 naming the field for any
input it cannot store: a date out of range, a NUL character, a text too long (issue 12,
findings 3 and 4)."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from ops_skills.api import views as api_views
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people.models import Notice
from tests.api.conftest import ApiClient, execution_data, session_data

SESSIONS = reverse("api:pairing-sessions")
EXECUTIONS = reverse("api:executions")


def assert_json_error(response, status, field=None):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]
    if field is not None:
        assert field in body["fields"], body
    return body


# Dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-14:00"],
)
def test_a_date_time_outside_what_converts_to_utc_is_a_400(api, member, new_hire, skill, when):
    response = api(member).post(SESSIONS, session_data(member, [new_hire], occurred_at=when))
    body = assert_json_error(response, 400, "occurred_at")
    assert "Out of range" in body["fields"]["occurred_at"]
    assert not PairingSession.objects.exists()


@pytest.mark.parametrize("when", ["²⁰²⁶-01-01T00:00", "2026-02-30T10:00", "x" * 10_000])
def test_a_date_time_that_is_not_one_is_a_400(api, member, runbook, when):
    response = api(member).post(EXECUTIONS, execution_data(runbook, member, occurred_at=when))
    assert_json_error(response, 400, "occurred_at")


# NUL characters and lengths ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notes", "Restored\x00"),
        ("mentor", "member@example.com\x00"),
        ("learners", ["newhire@example.com\x00"]),
        ("skills", ["postgres-main/restore\x00"]),
        ("occurred_at", "2026-11-20T10:00\x00"),
    ],
)
def test_a_nul_character_in_a_session_is_a_400_naming_the_field(api, member, new_hire, skill, field, value):
    """PostgreSQL refuses NUL in text, and to compare text with it: a 500 before."""
    response = api(member).post(SESSIONS, session_data(member, [new_hire]) | {field: value})
    body = assert_json_error(response, 400, field)
    assert "NUL" in body["fields"][field]
    assert not PairingSession.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("notes", "ok\x00"), ("link", "https://x.example.com/\x00"), ("performer", "\x00"), ("participants", ["\x00"])],
)
def test_a_nul_character_in_an_execution_is_a_400_naming_the_field(api, member, runbook, field, value):
    response = api(member).post(EXECUTIONS, execution_data(runbook, member) | {field: value})
    assert_json_error(response, 400, field)
    assert not RunbookExecution.objects.exists()


def test_a_nul_character_in_a_dispute_reason_is_a_400(api, member, new_hire, skill):
    session = api(member).post(SESSIONS, session_data(member, [new_hire])).json()
    url = reverse("api:evidence-dispute", args=["pairing-sessions", session["id"]])
    response = api(new_hire).post(url, {"reason": "Never\x00happened"})
    assert_json_error(response, 400, "reason")
    assert PairingSession.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mentor", "m" * 250 + "@example.com"),
        ("learners", ["l" * 250 + "@example.com"]),
        ("skills", ["s" * 150 + "/" + "k" * 150]),
        ("notes", "n" * 20_001),
    ],
)
def test_a_text_longer_than_the_database_holds_is_a_400_naming_the_field(api, member, new_hire, skill, field, value):
    response = api(member).post(SESSIONS, session_data(member, [new_hire]) | {field: value})
    body = assert_json_error(response, 400, field)
    assert "At most" in body["fields"][field]


def test_a_nul_in_a_query_string_is_a_json_400(api, member, team):
    response = api(member).get(reverse("api:levels"), {"team": "plat\x00form"})
    body = assert_json_error(response, 400)
    assert "NUL" in body["error"]


def test_an_id_too_large_for_the_database_is_a_json_404(api, member):
    response = api(member).post("/api/evidence/executions/99999999999999999999/confirm/")
    assert_json_error(response, 404)


# Legacy data: a stored line break or long texts ---------------------------------------------


def test_logging_through_the_api_mails_everyone_despite_stored_line_breaks(
    api, member, new_hire, lead, runbook, django_capture_on_commit_callbacks
):
    from ops_skills.evidence.models import Runbook
    from ops_skills.people.models import Person

    Person.objects.filter(pk=member.pk).update(name="Max\r\nBcc: x@example.com")
    Runbook.objects.filter(pk=runbook.pk).update(title="Restore\u2028the database")
    client = api(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXECUTIONS, execution_data(runbook, member, [new_hire, lead]))
    assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SESSIONS, session_data(member, [new_hire, lead]))
    assert response.status_code == 201
    assert (
        sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "lead@example.com"] + ["newhire@example.com"] * 2
    )


def test_a_long_name_and_title_make_a_notice_the_database_holds(
    api, member, new_hire, runbook, django_capture_on_commit_callbacks
):
    """More than 300 characters was a 500 on PostgreSQL (a notice is a varchar(300))."""
    from ops_skills.evidence.models import Runbook
    from ops_skills.people.models import Person

    Person.objects.filter(pk=member.pk).update(name="M" * 150)
    Runbook.objects.filter(pk=runbook.pk).update(title="T" * 200)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(member).post(EXECUTIONS, execution_data(runbook, member, [new_hire]))
    assert response.status_code == 201
    assert len(Notice.objects.get().text) == 300
    assert len(mail.outbox) == 1


# JSON for every error ------------------------------------------------------------------------


def _broken(*args, **kwargs):
    raise RuntimeError("the disk is on fire")


def test_an_unexpected_error_in_a_write_is_a_json_500_logged_with_its_traceback(
    api, member, new_hire, skill, monkeypatch, caplog
):
    monkeypatch.setattr(api_views.evidence_services, "pairing_session_log", _broken)
    client = api(member)
    client.client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(SESSIONS, session_data(member, [new_hire]))
    body = assert_json_error(response, 500)
    assert "fire" not in body["error"]  # nothing of the inside is shown
    (record,) = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert record.exc_info and record.exc_info[0] is RuntimeError


def test_an_unexpected_error_in_a_read_is_a_json_500(api, member, team, monkeypatch):
    monkeypatch.setattr(api_views, "stored_levels", _broken)
    client = api(member)
    client.client.raise_request_exception = False
    assert_json_error(client.get(reverse("api:levels"), {"team": team.slug}), 500)


def test_an_unexpected_error_on_a_web_page_stays_html(client_for, member, monkeypatch):
    from ops_skills.people import views as people_views

    monkeypatch.setattr(people_views, "Paginator", _broken)
    client = client_for(member)
    client.raise_request_exception = False
    response = client.get(reverse("people:people"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/api/nope/", "/api/nope", "/api/evidence/executions/1/nope/", "/api/me/%00/"])
def test_an_unknown_api_url_is_a_json_404(path, db):
    response = ApiClient(None).get(path)
    assert_json_error(response, 404)


def test_the_token_pages_under_api_stay_html(client_for, member):
    response = client_for(member).get(reverse("api:token-revoke", args=[999]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("DELETE", SESSIONS, 405),
        ("GET", SESSIONS, 405),
        ("POST", reverse("api:me"), 405),
        ("GET", reverse("api:me"), 401),
        ("POST", SESSIONS, 401),
    ],
)
def test_method_and_auth_errors_are_json(method, path, status, db):
    assert_json_error(ApiClient(None).call(method, path), status)
