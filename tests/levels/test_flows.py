"""Confirming evidence, the flow that spans apps: a fixed, small number of queries whatever the
amount of data around it, and everything that follows it done in it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ops_skills import flows
from ops_skills.evidence.models import PairingSession
from ops_skills.levels import selectors, services
from ops_skills.planner.models import Assignment
from tests.factories import make_execution, make_person, make_runbook, make_session, make_skill, make_system


def _organisation(team, lead, size: int):
    """``size`` people with levels, sessions and executions on a system's skills."""
    system = make_system(team, slug=f"sys-{size}")
    skills = [make_skill(system, slug=f"skill-{i}") for i in range(max(2, size // 2))]
    runbook = make_runbook(system, skills=skills[:2])
    people = [make_person(team, email=f"p{size}-{i}@example.com") for i in range(size)]
    for i, person in enumerate(people):
        services.assessment_record(author=lead, person=person, skill=skills[i % len(skills)], level=3)
        make_session(person, [people[(i + 1) % size]], skills[:2])
        make_execution(runbook, person, participants=[people[(i + 2) % size]])
    return system, skills, people


@pytest.mark.parametrize("size", [3, 30])
def test_confirming_a_pairing_session_runs_a_fixed_number_of_queries(size, team, lead, member, new_hire):
    _system, skills, _people = _organisation(team, lead, size)
    services.assessment_record(author=lead, person=member, skill=skills[0], level=3)
    # The people confirming also ran the runbook of these skills: every loader has rows to read.
    make_execution(
        make_runbook(skills[0].system, skills=skills[:2], slug=f"rb-{size}"), member, participants=[new_hire]
    )
    session = make_session(member, [new_hire], skills[:2], status="pending", days_ago=0)
    # Its participants with their teams, the move (a conditional UPDATE), its skills with their
    # freshness; the levels' facts: assessments, executions (3), sessions (3); the stored rows,
    # one upsert of what changed (on PostgreSQL the participants are read with the lock the
    # refresh needs); open assignments; onboarding items. The test's own transaction adds
    # savepoints that a request's outermost transaction does not have: they are not counted. The
    # audit entry of the move: one insert (its content type is looked up once per process, warmed
    # here).
    ContentType.objects.get_for_model(PairingSession)
    # Loaded afresh, as a request loads it: the audit entry's name of it names the mentor, read
    # with the participants rather than on its own.
    session = PairingSession.objects.get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries:
        flows.evidence_confirm(evidence=session, person=new_hire)
    counted = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(counted) <= 15, "\n".join(counted)
    assert selectors.level_of(new_hire, skills[0]).level == 2


def test_confirming_completes_the_assignment_with_the_refreshed_level(team, lead, member, new_hire):
    skill = make_skill(make_system(team, slug="db"), slug="restore")
    services.assessment_record(author=lead, person=member, skill=skill, level=3)
    from django.utils import timezone

    assignment = Assignment.objects.create(
        skill=skill,
        mentor=member,
        learner=new_hire,
        due_on=timezone.localdate(),
        level_at_start=0,
        accepted_by=lead,
        accepted_at=timezone.now(),
    )
    session = make_session(member, [new_hire], [skill], status="pending", days_ago=0)
    flows.evidence_confirm(evidence=session, person=new_hire)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE
    assert assignment.level_at_end == 2
