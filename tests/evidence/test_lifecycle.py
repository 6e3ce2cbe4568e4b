"""The life cycle of evidence (``evidence.lifecycle``): confirmed is final, on the web and the API
alike. Disputing (or confirming again) evidence that is confirmed already used to take back the
level it gave while the transfer assignment it completed stayed done; now it is refused, and
nothing it caused moves. Disputed evidence can still be confirmed by a lead."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ops_skills import flows
from ops_skills.api import services as api_services
from ops_skills.evidence import lifecycle
from ops_skills.evidence import services as evidence_services
from ops_skills.levels.selectors import level_of
from ops_skills.planner import plan as planning
from ops_skills.planner import services as planner_services
from ops_skills.planner.models import Assignment
from tests.api.conftest import ApiClient
from tests.factories import make_assessment, make_skill, make_system


@pytest.fixture
def skill(team, lead, member, new_hire):
    """Only the member covers it; the new hire has read about it (level 1)."""
    skill = make_skill(make_system(team, slug="batch-jobs", tier=1), slug="restore", name="Restore from snapshot")
    make_assessment(member, skill, 3, author=lead)
    make_assessment(new_hire, skill, 1, author=lead)
    return skill


@pytest.fixture
def assignment(team, lead, member, new_hire, skill):
    """The lead asked the member to pass the skill on to the new hire."""
    (a,) = planner_services.plan_accept(
        lead=lead,
        team=team,
        rows=[planning.Row(skill.pk, member.pk, new_hire.pk)],
        due_on=timezone.localdate() + timedelta(days=30),
    )
    return a


def log_session(member, new_hire, skill):
    """Logged by the member (the mentor), waiting for the new hire."""
    return evidence_services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=60
    )


@pytest.fixture
def confirmed(assignment, member, new_hire, skill):
    """Confirmed by the new hire: they are at 2 now, and the assignment is done."""
    session = log_session(member, new_hire, skill)
    flows.evidence_confirm(evidence=session, person=new_hire)
    assignment.refresh_from_db()
    assert (assignment.status, level_of(new_hire, skill).level) == (Assignment.Status.DONE, 2)
    return session


def assert_unchanged(session, assignment, new_hire, skill):
    session.refresh_from_db()
    assignment.refresh_from_db()
    assert session.status == lifecycle.CONFIRMED
    assert level_of(new_hire, skill).level == 2
    assert (assignment.status, assignment.level_at_end, assignment.completed_by_session) == (
        Assignment.Status.DONE,
        2,
        session,
    )


def api_url(session, action):
    return f"/api/evidence/pairing-sessions/{session.pk}/{action}/"


def api_as(person):
    return ApiClient(api_services.token_create(person=person, name="script")[1])


# On the web ---------------------------------------------------------------------------------------


def test_disputing_confirmed_evidence_on_the_web_is_refused(client_for, confirmed, assignment, new_hire, skill):
    response = client_for(new_hire).post(
        reverse("evidence:dispute", args=["pairing", confirmed.pk]), {"reason": "We only talked about it"}
    )
    assert response.status_code == 302 and response.url == confirmed.get_absolute_url()
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and "confirmed already" in message.message
    assert_unchanged(confirmed, assignment, new_hire, skill)


def test_confirming_confirmed_evidence_on_the_web_is_refused(client_for, confirmed, assignment, lead, new_hire, skill):
    response = client_for(lead).post(reverse("evidence:confirm", args=["pairing", confirmed.pk]))
    assert response.status_code == 302 and response.url == confirmed.get_absolute_url()
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error" and "confirmed already" in message.message
    confirmed.refresh_from_db()
    assert confirmed.decided_by == new_hire  # not decided again
    assert_unchanged(confirmed, assignment, new_hire, skill)


# Through the API ----------------------------------------------------------------------------------


def test_disputing_confirmed_evidence_through_the_api_is_409(confirmed, assignment, new_hire, skill):
    response = api_as(new_hire).post(api_url(confirmed, "dispute"), {"reason": "We only talked about it"})
    assert response.status_code == 409, response.content
    assert "confirmed already" in response.content.decode()
    assert_unchanged(confirmed, assignment, new_hire, skill)


def test_confirming_confirmed_evidence_through_the_api_is_409(confirmed, assignment, lead, new_hire, skill):
    response = api_as(lead).post(api_url(confirmed, "confirm"), {})
    assert response.status_code == 409, response.content
    assert_unchanged(confirmed, assignment, new_hire, skill)


# In the services ----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["confirm", "dispute"])
def test_the_flows_refuse_to_move_confirmed_evidence(confirmed, assignment, lead, new_hire, skill, action):
    with pytest.raises(lifecycle.Settled):
        if action == "confirm":
            flows.evidence_confirm(evidence=confirmed, person=lead)
        else:
            flows.evidence_dispute(evidence=confirmed, person=new_hire, reason="not so")
    assert_unchanged(confirmed, assignment, new_hire, skill)
    assert not lifecycle.can_decide(lead, confirmed)


# Disputed is not final ------------------------------------------------------------------------------


def test_a_disputed_session_can_still_be_confirmed_by_a_lead(client_for, assignment, lead, member, new_hire, skill):
    session = log_session(member, new_hire, skill)
    flows.evidence_dispute(evidence=session, person=new_hire, reason="I was not there")
    assert level_of(new_hire, skill).level == 1
    assert lifecycle.can_decide(lead, session)
    response = client_for(lead).post(reverse("evidence:confirm", args=["pairing", session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assignment.refresh_from_db()
    assert (session.status, session.decided_by, session.dispute_reason) == (lifecycle.CONFIRMED, lead, "")
    assert level_of(new_hire, skill).level == 2
    assert assignment.status == Assignment.Status.DONE


def test_a_disputed_session_can_be_confirmed_through_the_api(lead, member, new_hire, skill):
    session = log_session(member, new_hire, skill)
    flows.evidence_dispute(evidence=session, person=new_hire, reason="I was not there")
    response = api_as(lead).post(api_url(session, "confirm"), {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    assert level_of(new_hire, skill).level == 2


def test_whoever_logged_evidence_never_confirms_it_even_a_lead(team, lead, member, new_hire, skill, client_for):
    session = evidence_services.pairing_session_log(
        author=lead, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=30
    )
    assert not lifecycle.can_decide(lead, session)
    response = client_for(lead).post(reverse("evidence:confirm", args=["pairing", session.pk]))
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == lifecycle.PENDING
    flows.evidence_confirm(evidence=session, person=new_hire)  # a participant confirms it
    assert session.status == lifecycle.CONFIRMED
