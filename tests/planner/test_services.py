"""The assignment life cycle: accepted, active, overdue, done by matching evidence (and by nothing
else), cancelled; and who may accept and cancel."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ops_skills import flows
from ops_skills.evidence import services as evidence_services
from ops_skills.levels import services as level_services
from ops_skills.planner import plan as planning
from ops_skills.planner import services
from ops_skills.planner.models import Assignment
from tests.factories import make_assessment, make_runbook, make_skill


def accept(org, mentor="member", learner="new_hire", skill="failover", lead="lead", **extra):
    (a,) = services.plan_accept(
        lead=org[lead],
        team=org[skill].system.team,
        rows=[planning.Row(org[skill].pk, org[mentor].pk, org[learner].pk)],
        due_on=extra.pop("due_on", timezone.localdate() + timedelta(days=30)),
        **extra,
    )
    return a


def log_and_confirm_session(org, mentor, learners, skills, confirmer=None):
    session = evidence_services.pairing_session_log(
        author=learners[0], mentor=mentor, learners=learners, skills=skills, duration_minutes=60
    )
    return flows.evidence_confirm(evidence=session, person=confirmer or mentor)


def test_accepted_assignments_are_active_then_overdue(org):
    a = accept(org, due_on=timezone.localdate())
    assert (a.status, a.state()) == ("active", "active")
    assert a.state(timezone.localdate() + timedelta(days=1)) == "overdue"
    assert list(Assignment.objects.overdue(timezone.localdate() + timedelta(days=1))) == [a]


def test_a_confirmed_pairing_session_that_raises_the_level_completes_it(org):
    a = accept(org, learner="new_hire", skill="restore")  # the new hire is at 1
    session = log_and_confirm_session(org, org["member"], [org["new_hire"]], [org["restore"]])
    a.refresh_from_db()
    assert (a.status, a.level_at_start, a.level_at_end) == ("done", 1, 2)
    assert a.completed_by_session == session
    assert a.completed_at is not None


def test_a_pending_session_does_not_complete_it(org):
    a = accept(org)
    evidence_services.pairing_session_log(
        author=org["new_hire"],
        mentor=org["member"],
        learners=[org["new_hire"]],
        skills=[org["failover"]],
        duration_minutes=30,
    )
    a.refresh_from_db()
    assert a.status == "active"


@pytest.mark.parametrize(
    "case",
    ["other mentor", "other skill", "other learner"],
)
def test_a_session_that_does_not_match_does_not_complete_it(org, lead, case):
    a = accept(org)
    other = make_skill(org["failover"].system, slug="other")
    make_assessment(org["lead"], org["failover"], 4, author=org["admin"])
    make_assessment(org["member"], other, 4, author=lead)
    if case == "other mentor":
        log_and_confirm_session(org, org["lead"], [org["new_hire"]], [org["failover"]])
    elif case == "other skill":
        log_and_confirm_session(org, org["member"], [org["new_hire"]], [other])
    else:
        log_and_confirm_session(org, org["member"], [org["other_lead"]], [org["failover"]])
    a.refresh_from_db()
    assert a.status == "active"


def test_a_session_that_leaves_the_level_where_it_was_does_not_complete_it(org, lead):
    make_assessment(org["new_hire"], org["failover"], 2, author=lead)
    a = accept(org)
    assert a.level_at_start == 2
    log_and_confirm_session(org, org["member"], [org["new_hire"]], [org["failover"]])  # floor 2: no rise
    a.refresh_from_db()
    assert a.status == "active"


def test_a_lead_raising_the_level_alone_does_not_complete_it(org, lead):
    a = accept(org)
    level_services.assessment_record(author=lead, person=org["new_hire"], skill=org["failover"], level=3, note="")
    a.refresh_from_db()
    assert a.status == "active"


def test_a_session_before_the_assignment_was_accepted_does_not_complete_it(org):
    session = evidence_services.pairing_session_log(
        author=org["new_hire"],
        mentor=org["member"],
        learners=[org["new_hire"]],
        skills=[org["failover"]],
        duration_minutes=30,
        occurred_at=timezone.now() - timedelta(days=3),
    )
    a = accept(org)
    flows.evidence_confirm(evidence=session, person=org["member"])
    a.refresh_from_db()
    assert a.status == "active"


def test_the_learners_successful_run_of_a_runbook_for_the_skill_completes_it(org):
    a = accept(org)
    runbook = make_runbook(org["failover"].system, [org["failover"]])
    failed = evidence_services.execution_log(
        author=org["new_hire"],
        runbook=runbook,
        performer=org["new_hire"],
        environment="staging",
        outcome="failed",
        participants=[org["member"]],
    )
    flows.evidence_confirm(evidence=failed, person=org["member"])
    a.refresh_from_db()
    assert a.status == "active"
    run = evidence_services.execution_log(
        author=org["new_hire"],
        runbook=runbook,
        performer=org["new_hire"],
        environment="staging",
        outcome="success",
        participants=[org["member"]],
    )
    flows.evidence_confirm(evidence=run, person=org["member"])
    a.refresh_from_db()
    assert (a.status, a.completed_by_execution, a.level_at_end) == ("done", run, 2)


def test_someone_elses_run_does_not_complete_it(org):
    a = accept(org)
    runbook = make_runbook(org["failover"].system, [org["failover"]])
    run = evidence_services.execution_log(
        author=org["member"],
        runbook=runbook,
        performer=org["member"],
        environment="production",
        outcome="success",
        participants=[org["new_hire"]],
    )
    flows.evidence_confirm(evidence=run, person=org["new_hire"])
    a.refresh_from_db()
    assert a.status == "active"


def test_a_cancelled_assignment_is_not_completed(org):
    a = accept(org)
    services.assignment_cancel(by=org["lead"], assignment=a)
    log_and_confirm_session(org, org["member"], [org["new_hire"]], [org["failover"]])
    a.refresh_from_db()
    assert a.status == "cancelled"


def test_done_and_cancelled_ones_free_the_capacity_and_the_skill(org):
    a = accept(org)
    with pytest.raises(ValidationError, match="open assignment on it"):
        accept(org)
    services.assignment_cancel(by=org["lead"], assignment=a)
    assert accept(org).status == "active"
    with pytest.raises(ValidationError):
        services.assignment_cancel(by=org["lead"], assignment=a)


@pytest.mark.parametrize("who", ["member", "new_hire", "other_lead"])
def test_only_the_teams_lead_or_an_admin_accepts_and_cancels(org, who):
    with pytest.raises(PermissionDenied):
        accept(org, lead=who)
    a = accept(org, lead="admin")
    with pytest.raises(PermissionDenied):
        services.assignment_cancel(by=org[who], assignment=a)


def test_departed_people_cannot_be_accepted(org):
    org["new_hire"].departed_on = timezone.localdate() - timedelta(days=1)
    org["new_hire"].save()
    with pytest.raises(ValidationError, match="has left"):
        accept(org)
