"""Logging, confirming and disputing evidence through the API: the same rules as the web pages
(``evidence.services``), JSON in and out, a token and never the session."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people.models import Notice
from tests.api.conftest import AUTH_CASES, FAILED_AUTH, execution_data, session_data
from tests.factories import make_execution, make_session, make_skill

SESSIONS = reverse("api:pairing-sessions")
EXECUTIONS = reverse("api:executions")


@pytest.fixture
def other_skill(system):
    return make_skill(system, slug="failover", name="Fail over")


# Pairing sessions ---------------------------------------------------------------------------

# member mentors the new hire: the member takes part, the lead leads both, the other lead neither.
SESSION_EXPECTED = {
    "none": 401,
    "bad": 401,
    "revoked": 401,
    "departed": 401,
    "member": 201,
    "lead": 201,
    "other_lead": 403,
    "admin": 201,
}


@pytest.mark.parametrize("who", AUTH_CASES)
def test_session_permission_matrix(api, cast, skill, who):
    response = api(who).post(SESSIONS, session_data(cast["member"], [cast["new_hire"]]))
    assert response.status_code == SESSION_EXPECTED[who], response.content
    assert PairingSession.objects.count() == (1 if SESSION_EXPECTED[who] == 201 else 0)
    assert response.json()["error" if who in FAILED_AUTH or who == "other_lead" else "id"]


def test_session_is_logged_like_on_the_web(api, member, new_hire, lead, skill, other_skill):
    when = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    data = session_data(
        member,
        [new_hire, lead],
        skills=["postgres-main/restore", "postgres-main/failover"],
        occurred_at=when.isoformat(),
    )
    response = api(member).post(SESSIONS, data)
    assert response.status_code == 201
    body = response.json()
    session = PairingSession.objects.get()
    assert body["id"] == session.pk
    assert body["kind"] == "pairing-sessions"
    assert body["url"] == f"http://testserver/evidence/pairing/{session.pk}/"
    assert response["Location"] == body["url"]
    assert body["status"] == "pending"
    assert body["learners"] == [new_hire.email, lead.email]
    assert body["skills"] == ["postgres-main/restore", "postgres-main/failover"]
    assert session.mentor == member and session.logged_by == member
    assert set(session.learners.all()) == {new_hire, lead}
    assert set(session.skills.all()) == {skill, other_skill}
    assert session.occurred_at == when and session.duration_minutes == 60
    # The others are asked to confirm it, as when logged on the web.
    assert set(Notice.objects.values_list("person__email", flat=True)) == {new_hire.email, lead.email}


def test_session_emails_go_after_commit(api, member, new_hire, skill, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api(member).post(SESSIONS, session_data(member, [new_hire]))
    assert [m.to for m in mail.outbox] == [[new_hire.email]]


def test_emails_and_slugs_are_read_case_insensitively_for_emails(api, member, new_hire, skill):
    data = session_data(member, [new_hire]) | {"mentor": "MEMBER@Example.com"}
    assert api(member).post(SESSIONS, data).status_code == 201


def test_member_cannot_log_for_others(api, member, lead, new_hire, skill):
    response = api(member).post(SESSIONS, session_data(lead, [new_hire]))
    assert response.status_code == 403
    assert "took part" in response.json()["error"]
    assert not PairingSession.objects.exists() and not Notice.objects.exists()


def test_lead_logs_for_their_team_only(api, lead, member, other_lead, skill):
    response = api(lead).post(SESSIONS, session_data(member, [other_lead]))
    assert response.status_code == 403


def test_session_without_occurred_at_is_now(api, member, new_hire, skill):
    api(member).post(SESSIONS, session_data(member, [new_hire]))
    assert timezone.now() - PairingSession.objects.get().occurred_at < timedelta(minutes=1)


def test_naive_occurred_at_is_read_in_the_site_time_zone(api, member, new_hire, skill):
    api(member).post(SESSIONS, session_data(member, [new_hire], occurred_at="2026-01-05T10:00:00"))
    occurred = PairingSession.objects.get().occurred_at
    assert timezone.localtime(occurred).hour == 10


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"mentor": None}, "mentor", "required"),
        ({"mentor": 12}, "mentor", "string"),
        ({"mentor": "nobody@example.com"}, "mentor", "No person with the email nobody@example.com"),
        ({"learners": []}, "learners", "at least one"),
        ({"learners": "newhire@example.com"}, "learners", "list of strings"),
        ({"learners": ["member@example.com"]}, "learners", "mentor cannot also be a learner"),
        ({"learners": ["gone@example.com"]}, "learners", "has left"),
        ({"skills": []}, "skills", "at least one"),
        ({"skills": ["restore"]}, "skills", "system-slug/skill-slug"),
        ({"skills": ["postgres-main/nope"]}, "skills", "No such skill: postgres-main/nope"),
        ({"duration_minutes": "60"}, "duration_minutes", "whole number"),
        ({"duration_minutes": True}, "duration_minutes", "whole number"),
        ({"duration_minutes": 0}, "duration_minutes", "from 5 to 1440"),
        ({"duration_minutes": 10_000}, "duration_minutes", "from 5 to 1440"),
        ({"occurred_at": "yesterday"}, "occurred_at", "ISO 8601"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at", "future"),
        ({"notes": ["a"]}, "notes", "string"),
        ({"notes": "x" * 20_001}, "notes", "At most"),
        ({"learner": ["x@example.com"]}, "learner", "Unknown field"),
    ],
)
def test_session_validation_names_the_field(api, member, new_hire, departed, skill, change, field, message):
    departed.departed_on = timezone.localdate()
    departed.save()
    data = session_data(member, [new_hire]) | change
    response = api(member).post(SESSIONS, data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["error"]
    assert message in body["fields"][field]
    assert not PairingSession.objects.exists()


def test_every_bad_field_is_reported_at_once(api, member, skill):
    response = api(member).post(SESSIONS, {"mentor": "nobody@example.com", "duration_minutes": -1})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"mentor", "learners", "skills", "duration_minutes"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Send a JSON object"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"text"', "must be a JSON object"),
        (b"\xff\xfe\xfa", "not"),
    ],
)
def test_json_parse_errors_are_400(api, member, raw, message):
    response = api(member).post(SESSIONS, raw=raw)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_logging_needs_a_token_not_a_session(client_for, member, new_hire, skill):
    client = client_for(member)
    response = client.post(SESSIONS, session_data(member, [new_hire]), content_type="application/json")
    assert response.status_code == 401
    assert "browser session" in response.json()["error"]
    assert not PairingSession.objects.exists()


def test_a_cross_site_post_with_the_session_cookie_is_refused(member, new_hire, skill):
    # What a forged form from another site would send: the cookie, no token, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(SESSIONS, session_data(member, [new_hire]), content_type="application/json")
    assert response.status_code == 401
    assert not PairingSession.objects.exists()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_session_endpoint_takes_post_only(api, member, method):
    response = api(member).call(method, SESSIONS)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_failed_write_leaves_nothing(api, member, new_hire, skill, monkeypatch):
    from ops_skills.evidence import services

    def fail(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "notice_send", fail)
    with pytest.raises(RuntimeError):
        api(member).post(SESSIONS, session_data(member, [new_hire]))
    assert not PairingSession.objects.exists()


@pytest.mark.parametrize("size", [1, 12])
def test_logging_costs_the_same_queries_for_more_people(api, team, member, skill, size, django_assert_max_num_queries):
    from tests.factories import make_person

    learners = [make_person(team) for _ in range(size)]
    skills = [make_skill(skill.system) for _ in range(size)]
    data = session_data(member, learners, skills=[s.column for s in skills])
    client = api(member)
    # token; last_used_at; savepoint; people; skills; savepoint; session; learners (read which
    # are there, insert); skills (read, insert); notices; two savepoint releases. A pending
    # session stores no levels: no refresh. The audit entry of the new session: one insert (its
    # content type is looked up once per process, warmed here).
    ContentType.objects.get_for_model(PairingSession)
    with django_assert_max_num_queries(15):
        assert client.post(SESSIONS, data).status_code == 201


# Runbook executions -------------------------------------------------------------------------

EXECUTION_EXPECTED = SESSION_EXPECTED


@pytest.mark.parametrize("who", AUTH_CASES)
def test_execution_permission_matrix(api, cast, runbook, who):
    response = api(who).post(EXECUTIONS, execution_data(runbook, cast["member"], [cast["new_hire"]]))
    assert response.status_code == EXECUTION_EXPECTED[who], response.content
    assert RunbookExecution.objects.count() == (1 if EXECUTION_EXPECTED[who] == 201 else 0)


def test_execution_is_logged(api, member, new_hire, runbook):
    response = api(member).post(EXECUTIONS, execution_data(runbook, member, [new_hire, member]))
    assert response.status_code == 201
    body = response.json()
    execution = RunbookExecution.objects.get()
    assert body["id"] == execution.pk and body["kind"] == "executions"
    assert body["url"].endswith(f"/evidence/executions/{execution.pk}/")
    assert body["participants"] == [new_hire.email]  # the performer is not also a participant
    assert body["warnings"] == []
    assert execution.runbook == runbook and execution.performer == member
    assert list(execution.participants.all()) == [new_hire]
    assert execution.link == "https://tickets.example.com/OPS-1"
    assert execution.environment == "staging" and execution.outcome == "success"


def test_production_work_alone_is_flagged(api, member, runbook):
    data = execution_data(runbook, member, environment="production")
    body = api(member).post(EXECUTIONS, data).json()
    assert body["warnings"] and "two people" in body["warnings"][0]


def test_member_cannot_log_an_execution_for_others(api, member, lead, runbook):
    response = api(member).post(EXECUTIONS, execution_data(runbook, lead))
    assert response.status_code == 403
    assert not RunbookExecution.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"runbook": None}, "runbook", "required"),
        ({"runbook": "1"}, "runbook", "whole number"),
        ({"runbook": 999_999}, "runbook", "No runbook with id 999999"),
        ({"performer": "nobody@example.com"}, "performer", "No person"),
        ({"participants": ["nobody@example.com"]}, "participants", "No person"),
        ({"participants": [1]}, "participants", "list of strings"),
        ({"environment": "prod"}, "environment", "production, staging"),
        ({"environment": None}, "environment", "required"),
        ({"outcome": "ok"}, "outcome", "success, failed, aborted"),
        ({"link": "javascript:alert(1)"}, "link", "http(s) URL"),
        ({"link": "https://x.example.com/" + "a" * 200}, "link", "At most 200"),
        ({"occurred_at": "28/11/2026"}, "occurred_at", "ISO 8601"),
        ({"performers": "x"}, "performers", "Unknown field"),
    ],
)
def test_execution_validation_names_the_field(api, member, runbook, change, field, message):
    response = api(member).post(EXECUTIONS, execution_data(runbook, member) | change)
    assert response.status_code == 400, response.content
    assert message in response.json()["fields"][field]
    assert not RunbookExecution.objects.exists()


def test_execution_endpoint_takes_post_only(api, member):
    assert api(member).get(EXECUTIONS).status_code == 405


def test_execution_needs_a_token_not_a_session(client_for, member, runbook):
    response = client_for(member).post(EXECUTIONS, execution_data(runbook, member), content_type="application/json")
    assert response.status_code == 401


# Confirming and disputing ---------------------------------------------------------------------


@pytest.fixture
def pending_session(member, new_hire, skill):
    """Logged by the member, waiting for the new hire (or a lead) to confirm it."""
    return make_session(member, [new_hire], [skill], status="pending", logged_by=member)


def confirm_url(evidence, action="confirm"):
    kind = "pairing-sessions" if isinstance(evidence, PairingSession) else "executions"
    return reverse(f"api:evidence-{action}", args=[kind, evidence.pk])


# The one who logged it may not confirm it; the other participant and the team's lead may.
DECIDE_EXPECTED = {
    "none": 401,
    "bad": 401,
    "revoked": 401,
    "departed": 401,
    "member": 403,
    "lead": 200,
    "other_lead": 403,
    "admin": 200,
}


@pytest.mark.parametrize("who", AUTH_CASES)
def test_confirm_permission_matrix(api, pending_session, who):
    response = api(who).post(confirm_url(pending_session))
    assert response.status_code == DECIDE_EXPECTED[who], response.content
    pending_session.refresh_from_db()
    assert pending_session.is_confirmed == (DECIDE_EXPECTED[who] == 200)


@pytest.mark.parametrize("who", AUTH_CASES)
def test_dispute_permission_matrix(api, pending_session, who):
    response = api(who).post(confirm_url(pending_session, "dispute"), {"reason": "We did not do that."})
    assert response.status_code == DECIDE_EXPECTED[who], response.content
    pending_session.refresh_from_db()
    assert (pending_session.status == "disputed") == (DECIDE_EXPECTED[who] == 200)


def test_the_other_participant_confirms(api, pending_session, new_hire):
    response = api(new_hire).post(confirm_url(pending_session), {})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed" and body["decided_by"] == new_hire.email
    assert body["id"] == pending_session.pk and body["kind"] == "pairing-sessions"


def test_confirming_calls_the_planner_and_onboarding(api, pending_session, new_hire, monkeypatch):
    from ops_skills import flows

    called = []
    monkeypatch.setattr(flows.planner_services, "assignments_complete_for", lambda **kw: called.append("plan"))
    monkeypatch.setattr(flows.onboarding_ticking, "checklists_tick_for", lambda **kw: called.append("onboard"))
    api(new_hire).post(confirm_url(pending_session))
    assert called == ["plan", "onboard"]


def test_confirming_an_execution(api, lead, member, runbook):
    execution = make_execution(runbook, member, status="pending", logged_by=member)
    response = api(lead).post(confirm_url(execution))
    assert response.status_code == 200
    execution.refresh_from_db()
    assert execution.is_confirmed and execution.decided_by == lead


def test_disputing_needs_a_reason(api, pending_session, new_hire):
    for data in [{}, {"reason": "   "}, {"reason": 3}]:
        response = api(new_hire).post(confirm_url(pending_session, "dispute"), data)
        assert response.status_code == 400
        assert "reason" in response.json()["fields"]
    response = api(new_hire).post(confirm_url(pending_session, "dispute"), {"reason": "x" * 301})
    assert "At most 300" in response.json()["fields"]["reason"]
    pending_session.refresh_from_db()
    assert pending_session.status == "pending"


def test_disputing_tells_who_logged_it(api, pending_session, new_hire, member):
    response = api(new_hire).post(confirm_url(pending_session, "dispute"), {"reason": "It was 20 minutes."})
    assert response.json()["dispute_reason"] == "It was 20 minutes."
    assert Notice.objects.filter(person=member, text__contains="It was 20 minutes.").exists()


def test_confirming_takes_no_fields(api, pending_session, new_hire):
    response = api(new_hire).post(confirm_url(pending_session), {"reason": "fine"})
    assert response.status_code == 400 and "reason" in response.json()["fields"]


def test_confirmed_evidence_is_settled(api, pending_session, new_hire, lead):
    api(new_hire).post(confirm_url(pending_session))
    assert api(lead).post(confirm_url(pending_session)).status_code == 409
    assert api(lead).post(confirm_url(pending_session, "dispute"), {"reason": "no"}).status_code == 409


def test_a_disputed_session_can_still_be_confirmed_by_a_lead(api, pending_session, new_hire, lead):
    api(new_hire).post(confirm_url(pending_session, "dispute"), {"reason": "too short"})
    assert api(lead).post(confirm_url(pending_session)).json()["status"] == "confirmed"


@pytest.mark.parametrize("action", ["confirm", "dispute"])
def test_unknown_evidence_is_404(api, lead, action):
    assert api(lead).post(reverse(f"api:evidence-{action}", args=["pairing-sessions", 999])).status_code == 404
    response = api(lead).post(reverse(f"api:evidence-{action}", args=["meetings", 1]))
    assert response.status_code == 404 and "pairing-sessions or executions" in response.json()["error"]


@pytest.mark.parametrize("action", ["confirm", "dispute"])
def test_deciding_takes_post_only(api, pending_session, new_hire, action):
    assert api(new_hire).get(confirm_url(pending_session, action)).status_code == 405


def test_deciding_needs_a_token_not_a_session(client_for, pending_session, new_hire):
    assert client_for(new_hire).post(confirm_url(pending_session)).status_code == 401
    pending_session.refresh_from_db()
    assert pending_session.status == "pending"
