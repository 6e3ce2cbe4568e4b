"""Each evidence rule of DESIGN.md, end to end: evidence logged through the services (as the
forms and the API do) moves nothing until another participant confirms it; then it gives its
floor, and a dispute takes it back. And nobody logs or decides evidence for people they may not."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ops_skills import flows
from ops_skills.evidence import lifecycle, services
from ops_skills.evidence.models import RunbookExecution
from ops_skills.levels import selectors
from tests.factories import make_assessment, make_execution, make_person, make_runbook, make_skill, make_system


@pytest.fixture
def system(team):
    return make_system(team, slug="ecs-cluster", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="drain-a-node")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Drain and replace a node")


def level_of(person, skill):
    """The stored level: what every page reads."""
    return selectors.level_of(person, skill).level


def run(runbook, performer, other, *, environment, outcome):
    """Logged by the performer with one other person there; returns it, still pending."""
    return services.execution_log(
        author=performer,
        runbook=runbook,
        performer=performer,
        participants=[other],
        environment=environment,
        outcome=outcome,
    )


@pytest.mark.parametrize(
    ("environment", "outcome", "performer_level", "other_level"),
    [
        ("production", "success", 3, 1),  # performed it in production: independent; there: aware
        ("production", "failed", 2, 1),  # a failed production run is hands-on, never independent
        ("production", "aborted", 2, 1),
        ("staging", "success", 2, 1),  # staging: assisted at best
        ("staging", "failed", 2, 1),
    ],
)
def test_an_execution_moves_levels_once_confirmed(
    member, new_hire, runbook, skill, environment, outcome, performer_level, other_level
):
    execution = run(runbook, member, new_hire, environment=environment, outcome=outcome)
    assert (level_of(member, skill), level_of(new_hire, skill)) == (0, 0)  # pending moves nothing
    flows.evidence_confirm(evidence=execution, person=new_hire)
    assert (level_of(member, skill), level_of(new_hire, skill)) == (performer_level, other_level)


def test_a_disputed_execution_moves_nothing_until_a_lead_confirms_it(lead, member, new_hire, runbook, skill):
    execution = run(runbook, member, new_hire, environment="production", outcome="success")
    flows.evidence_dispute(evidence=execution, person=new_hire, reason="I did it, not Max")
    assert level_of(member, skill) == 0
    flows.evidence_confirm(evidence=execution, person=lead)  # a lead settles it
    assert level_of(member, skill) == 3
    with pytest.raises(lifecycle.Settled):  # confirmed is final
        flows.evidence_dispute(evidence=execution, person=new_hire, reason="Still wrong")
    assert level_of(member, skill) == 3


def test_learner_and_mentor_in_a_pairing_session(lead, member, new_hire, skill):
    session = services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=60
    )
    assert (level_of(member, skill), level_of(new_hire, skill)) == (0, 0)
    flows.evidence_confirm(evidence=session, person=new_hire)
    # The learner worked hands-on; the mentor was not yet independent, so is not made an expert.
    assert (level_of(member, skill), level_of(new_hire, skill)) == (2, 2)


def test_a_mentor_becomes_expert_only_once_independent(member, new_hire, lead, runbook, skill):
    make_execution(runbook, member, participants=[lead], days_ago=10)  # confirmed production run: 3
    assert level_of(member, skill) == 3
    session = services.pairing_session_log(
        author=new_hire, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=45
    )
    assert level_of(member, skill) == 3
    flows.evidence_confirm(evidence=session, person=member)
    assert level_of(member, skill) == 4


def test_a_self_assessment_plus_mentoring_is_not_expert(member, new_hire, skill):
    make_assessment(member, skill, 4, source="self")  # counts at most 2
    session = services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=45
    )
    flows.evidence_confirm(evidence=session, person=new_hire)
    assert level_of(member, skill) == 2


def test_a_lead_assessment_after_the_evidence_wins_until_new_evidence(lead, member, new_hire, runbook, skill):
    make_execution(runbook, member, participants=[new_hire], days_ago=30)
    make_assessment(member, skill, 2, author=lead, days_ago=5)
    assert level_of(member, skill) == 2
    execution = run(runbook, member, new_hire, environment="production", outcome="success")
    flows.evidence_confirm(evidence=execution, person=new_hire)
    assert level_of(member, skill) == 3


# Who may log and decide ----------------------------------------------------------------------------


def test_a_member_cannot_log_an_execution_in_someone_elses_name_through_the_form(
    client_for, member, new_hire, runbook, skill
):
    response = client_for(member).post(
        reverse("evidence:execution-create"),
        {
            "runbook": runbook.pk,
            "performer": new_hire.pk,
            "environment": "production",
            "outcome": "success",
            "occurred_at": "2026-11-20T10:00",
        },
    )
    assert response.status_code == 400  # said on the form (tests/evidence/test_evidence.py)
    assert "You can only log evidence you took part in" in response.content.decode()
    assert not RunbookExecution.objects.exists()
    assert level_of(new_hire, skill) == 0


def test_a_member_cannot_make_themselves_independent(client_for, member, new_hire, runbook, skill):
    """Logging one's own production run is allowed; confirming it oneself is not."""
    c = client_for(member)
    c.post(
        reverse("evidence:execution-create"),
        {
            "runbook": runbook.pk,
            "performer": member.pk,
            "participants": [new_hire.pk],
            "environment": "production",
            "outcome": "success",
            "occurred_at": "2026-11-20T10:00",
        },
    )
    execution = RunbookExecution.objects.get()
    assert execution.status == "pending"
    assert c.post(reverse("evidence:confirm", args=["execution", execution.pk])).status_code == 403
    assert level_of(member, skill) == 0


@pytest.mark.parametrize("action", ["confirm", "dispute"])
@pytest.mark.parametrize(("who", "status"), [("member", 403), ("other_lead", 403), ("new_hire", 302), ("lead", 302)])
def test_only_another_participant_or_their_lead_decides_on_an_execution(
    client_for, cast, runbook, team, action, who, status
):
    performer = make_person(team, name="Pat Performer")
    execution = run(runbook, performer, cast["new_hire"], environment="staging", outcome="success")
    response = client_for(cast[who]).post(
        reverse(f"evidence:{action}", args=["execution", execution.pk]), {"reason": "not what happened"}
    )
    assert response.status_code == status
    execution.refresh_from_db()
    assert (execution.status != "pending") == (status == 302)


def test_nobody_edits_evidence_through_the_service_for_someone_else(member, new_hire, other_lead, runbook):
    execution = run(runbook, member, new_hire, environment="staging", outcome="success")
    for person in (member, other_lead):
        with pytest.raises(PermissionDenied):
            flows.evidence_confirm(evidence=execution, person=person)
        with pytest.raises(PermissionDenied):
            flows.evidence_dispute(evidence=execution, person=person, reason="no")
    execution.refresh_from_db()
    assert execution.status == "pending"
