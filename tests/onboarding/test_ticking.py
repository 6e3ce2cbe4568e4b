"""Items tick from the evidence they name, whether it exists when the checklist starts or is
confirmed later, and both ways agree; each way costs a fixed number of queries."""

from datetime import datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_skills.evidence.models import PairingSession, RunbookExecution, RunbookRead
from ops_skills.onboarding import checklists, ticking
from ops_skills.onboarding.models import ChecklistItem, Kind, OnboardingTemplate, TemplateItem
from tests.factories import make_execution, make_person, make_runbook, make_session, make_skill, make_system
from tests.onboarding.conftest import item_of


def _confirmed(evidence):
    """Hand ``evidence`` to onboarding as confirming it does (whatever its status: here it was logged
    with it)."""
    ticking.checklists_tick_for(evidence=evidence)
    return evidence


def _marked_read(runbook, person):
    read = RunbookRead.objects.create(runbook=runbook, person=person, revision_number=1)
    ticking.checklists_tick_for_read(read=read)
    return read


def test_marking_the_runbook_read_ticks_the_read_item(checklist, runbook, new_hire):
    read = _marked_read(runbook, new_hire)
    item = item_of(checklist, Kind.READ_RUNBOOK)
    assert item.is_done and item.completed_by == "read" and item.read == read
    assert item.done_at == read.read_at and item.ticked_by is None


def test_someone_else_reading_ticks_nothing(checklist, runbook, member):
    _marked_read(runbook, member)
    assert not item_of(checklist, Kind.READ_RUNBOOK).is_done


def test_a_confirmed_pairing_session_as_learner_ticks_the_pair_item(checklist, skill, new_hire, member):
    session = _confirmed(make_session(member, [new_hire], [skill], days_ago=0))
    item = item_of(checklist, Kind.PAIR_SKILL)
    assert item.is_done and item.completed_by == "pairing" and item.session == session
    assert item.done_at == session.occurred_at


@pytest.mark.parametrize("status", ["pending", "disputed"])
def test_a_session_not_confirmed_ticks_nothing(checklist, skill, new_hire, member, status):
    _confirmed(make_session(member, [new_hire], [skill], status=status, days_ago=0))
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


def test_mentoring_or_another_skill_ticks_nothing(checklist, skill, system, new_hire, member):
    _confirmed(make_session(new_hire, [member], [skill], days_ago=0))
    _confirmed(make_session(member, [new_hire], [make_skill(system)], days_ago=0))
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


def test_a_confirmed_successful_staging_run_ticks_the_execute_item(checklist, runbook, new_hire, member):
    _confirmed(make_execution(runbook, new_hire, [member], environment="staging", status="pending", days_ago=0))
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done
    execution = _confirmed(make_execution(runbook, new_hire, [member], environment="staging", days_ago=0))
    item = item_of(checklist, Kind.EXECUTE_STAGING)
    assert item.is_done and item.completed_by == "execution" and item.execution == execution


@pytest.mark.parametrize(
    "environment, outcome, performer",
    [("production", "success", "new_hire"), ("staging", "failed", "new_hire"), ("staging", "success", "member")],
)
def test_production_failed_or_someone_elses_runs_tick_nothing(
    checklist, runbook, new_hire, member, environment, outcome, performer
):
    performer, other = (new_hire, member) if performer == "new_hire" else (member, new_hire)
    _confirmed(make_execution(runbook, performer, [other], environment=environment, outcome=outcome, days_ago=0))
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done


def test_evidence_since_the_start_date_counts_when_the_checklist_starts(
    template, new_hire, member, lead, skill, runbook, today
):
    started = today - timedelta(days=10)
    make_session(member, [new_hire], [skill], days_ago=5)  # confirmed, after the start
    make_execution(runbook, new_hire, [member], environment="staging", status="pending", days_ago=4)
    make_execution(runbook, new_hire, [member], environment="staging", days_ago=20)  # before the start
    RunbookRead.objects.create(runbook=runbook, person=new_hire, revision_number=1, read_at=timezone.now())
    checklist = checklists.checklist_start(
        person=new_hire, template=template, buddy=member, started_on=started, by=lead
    )
    assert item_of(checklist, Kind.PAIR_SKILL).completed_by == "pairing"
    assert item_of(checklist, Kind.READ_RUNBOOK).completed_by == "read"
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done  # pending, and the other is too old


def test_evidence_before_the_start_date_does_not_count(checklist, skill, new_hire, member):
    _confirmed(make_session(member, [new_hire], [skill], days_ago=30))
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


def test_the_last_tick_finishes_the_checklist(checklist, runbook, new_hire, lead):
    for item in checklist.items.exclude(kind=Kind.READ_RUNBOOK):
        checklists.item_tick(item=item, by=lead)
    read = _marked_read(runbook, new_hire)
    checklist.refresh_from_db()
    assert checklist.finished_at == read.read_at


def test_a_session_with_several_new_hires_ticks_each_of_their_checklists(template, member, lead, team, skill, today):
    hires = [make_person(team) for _ in range(3)]
    for hire in hires:
        checklists.checklist_start(person=hire, template=template, buddy=member, started_on=today, by=lead)
    session = _confirmed(make_session(member, hires[:2], [skill], days_ago=0))
    ticked = [item_of(hire.onboarding, Kind.PAIR_SKILL).session for hire in hires]
    assert ticked == [session, session, None]


# Queries


@pytest.mark.parametrize("extra", [0, 12])
def test_starting_ticks_from_existing_evidence_in_a_fixed_number_of_queries(
    template, new_hire, member, lead, system, skill, runbook, today, extra, django_assert_num_queries
):
    for n in range(extra):
        other_skill = make_skill(system)
        other_runbook = make_runbook(system, [other_skill])
        for kind, what in [(Kind.READ_RUNBOOK, {"runbook": other_runbook}), (Kind.PAIR_SKILL, {"skill": other_skill})]:
            TemplateItem.objects.create(template=template, kind=kind, title=f"{kind} {n}", due_days=3, **what)
        make_session(member, [new_hire], [other_skill], days_ago=2)
        RunbookRead.objects.create(runbook=other_runbook, person=new_hire, revision_number=1)
    make_execution(runbook, new_hire, [member], environment="staging", days_ago=1)
    # savepoint, the person's checklist (none), insert it, the template's items, insert the copies,
    # the new hire's read marks, sessions and executions on what they name, the ticks, whether it
    # is finished, release
    with django_assert_num_queries(11):
        checklist = checklists.checklist_start(
            person=new_hire, template=template, buddy=member, started_on=today - timedelta(days=5), by=lead
        )
    assert checklist.items.filter(done_at__isnull=False).count() == 2 * extra + 1


@pytest.mark.parametrize("hires", [1, 6])
def test_confirming_a_session_ticks_in_a_fixed_number_of_queries(
    template, member, lead, team, skill, today, hires, django_assert_num_queries
):
    people = [make_person(team) for _ in range(hires)]
    for person in people:
        checklists.checklist_start(person=person, template=template, buddy=member, started_on=today, by=lead)
    session = make_session(member, people, [skill], days_ago=0)  # confirmed, but ticks nothing yet
    # open items on the session's skills of its learners, its learners and skills, the ticks,
    # whether their checklists are finished
    with django_assert_num_queries(4):
        ticking.checklists_tick_for(evidence=session)
    assert ChecklistItem.objects.filter(session=session).count() == hires


def test_confirming_what_ticks_nothing_costs_one_query_or_none(
    checklist, runbook, member, new_hire, system, django_assert_num_queries
):
    session = make_session(new_hire, [member], [make_skill(system)], days_ago=0)
    with django_assert_num_queries(1):  # open items on the session's skills of its learners: none
        ticking.checklists_tick_for(evidence=session)
    production = make_execution(runbook, new_hire, [member], days_ago=0)
    with django_assert_num_queries(0):
        ticking.checklists_tick_for(evidence=production)


def test_a_staging_run_and_a_read_mark_tick_in_three_queries(
    checklist, runbook, new_hire, member, django_assert_num_queries
):
    execution = make_execution(runbook, new_hire, [member], environment="staging", days_ago=0)
    read = RunbookRead.objects.create(runbook=runbook, person=new_hire, revision_number=1)
    with django_assert_num_queries(3):  # the new hire's open items on the runbook, the tick, finished or not
        ticking.checklists_tick_for(evidence=execution)
    with django_assert_num_queries(3):  # the same
        ticking.checklists_tick_for_read(read=read)
    assert item_of(checklist, Kind.EXECUTE_STAGING).execution == execution
    assert item_of(checklist, Kind.READ_RUNBOOK).read == read


# Both ways agree


ZONE = "Pacific/Auckland"  # far from UTC, so that the local date is not the UTC date
MINUTES = st.integers(-2 * 24 * 60, 3 * 24 * 60)  # around midnight of the start date
STATUSES = st.sampled_from(["confirmed", "pending", "disputed"])
EVIDENCE = st.one_of(
    st.tuples(st.just("read"), MINUTES, st.sampled_from([0, 1, 2]), st.booleans()),
    st.tuples(
        st.just("session"),
        MINUTES,
        st.frozensets(st.sampled_from([0, 1, 2]), min_size=1),
        st.sampled_from(["hire learns", "hire mentors", "both learn"]),
        STATUSES,
    ),
    st.tuples(
        st.just("execution"),
        MINUTES,
        st.sampled_from([0, 1, 2]),
        st.booleans(),
        st.sampled_from(["staging", "production"]),
        st.sampled_from(["success", "failed"]),
        STATUSES,
    ),
)


@pytest.fixture
def world(team, new_hire, member, lead):
    """Runbooks and skills 0 and 1 named by a template's items of every kind, 2 by none; an item
    that never ticks by evidence keeps the checklist running."""
    system = make_system(team)
    skills = [make_skill(system) for _ in range(3)]
    runbooks = [make_runbook(system, [s]) for s in skills]
    template = OnboardingTemplate.objects.create(team=team, name="Agreement", created_by=lead)
    for n in range(2):
        for kind, what in [
            (Kind.READ_RUNBOOK, {"runbook": runbooks[n]}),
            (Kind.PAIR_SKILL, {"skill": skills[n]}),
            (Kind.EXECUTE_STAGING, {"runbook": runbooks[n]}),
        ]:
            TemplateItem.objects.create(template=template, kind=kind, title=f"{kind} {n}", due_days=3, **what)
    TemplateItem.objects.create(template=template, kind=Kind.ACCESS, title="Get access", due_days=1)
    return {
        "hire": new_hire,
        "other": member,
        "lead": lead,
        "skills": skills,
        "runbooks": runbooks,
        "template": template,
    }


def _create(world, evidence, midnight):
    """The evidence in the database; it ticks nothing by being created."""
    kind, minutes, *rest = evidence
    when = midnight + timedelta(minutes=minutes)
    hire, other, lead = world["hire"], world["other"], world["lead"]
    if kind == "read":
        runbook, by_hire = rest
        return RunbookRead.objects.create(
            runbook=world["runbooks"][runbook], person=hire if by_hire else other, revision_number=1, read_at=when
        )
    if kind == "session":
        skills, roles, status = rest
        mentor, learners = {
            "hire learns": (other, [hire]),
            "hire mentors": (hire, [other]),
            "both learn": (lead, [hire, other]),
        }[roles]
        session = PairingSession.objects.create(mentor=mentor, duration_minutes=30, occurred_at=when, status=status)
        session.learners.set(learners)
        session.skills.set([world["skills"][s] for s in skills])
        return session
    runbook, by_hire, environment, outcome, status = rest
    return RunbookExecution.objects.create(
        runbook=world["runbooks"][runbook],
        performer=hire if by_hire else other,
        environment=environment,
        outcome=outcome,
        occurred_at=when,
        status=status,
    )


def _ticks(world, evidence, started_on, *, confirmed_later):
    """Each item's tick (when, by what, by which of ``evidence``) when the checklist starts after
    the evidence exists, or before it is logged and confirmed (in the order it happened). Rolled
    back."""
    midnight = timezone.make_aware(datetime.combine(started_on, time.min))
    start = lambda: checklists.checklist_start(  # noqa: E731
        person=world["hire"], template=world["template"], buddy=world["other"], started_on=started_on, by=world["lead"]
    )
    with transaction.atomic():
        if confirmed_later:
            checklist = start()
            order = sorted(range(len(evidence)), key=lambda n: (evidence[n][1], n))
            created = {}
            for n in order:
                created[n] = row = _create(world, evidence[n], midnight)
                if isinstance(row, RunbookRead):
                    ticking.checklists_tick_for_read(read=row)
                else:
                    ticking.checklists_tick_for(evidence=row)
        else:
            created = {n: _create(world, e, midnight) for n, e in enumerate(evidence)}
            checklist = start()
        label = {(type(row).__name__, row.pk): n for n, row in created.items()}
        ticks = {
            item.title: (
                item.done_at,
                item.completed_by,
                label.get(("RunbookRead", item.read_id))
                if item.read_id
                else label.get(("PairingSession", item.session_id))
                if item.session_id
                else label.get(("RunbookExecution", item.execution_id)),
            )
            for item in checklist.items.all()
        }
        transaction.set_rollback(True)
    return ticks


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(evidence=st.lists(EVIDENCE, max_size=6))
def test_ticking_at_the_start_agrees_with_ticking_as_evidence_is_confirmed(world, evidence):
    # A person marks a runbook read once (marking it again moves the time).
    reads = {}
    evidence = [e for e in evidence if e[0] != "read" or reads.setdefault(e[2:], e) is e]
    with timezone.override(ZONE):
        started_on = timezone.localdate() - timedelta(days=5)
        at_start = _ticks(world, evidence, started_on, confirmed_later=False)
        as_confirmed = _ticks(world, evidence, started_on, confirmed_later=True)
    assert at_start == as_confirmed
