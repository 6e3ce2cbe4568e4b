"""The stored current levels (``skills.levels``) always equal the recomputed ones: after each kind
of write, after random sequences of writes (hypothesis), and the reports read them."""

import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_skills.evidence import services
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.reports.selectors import org_facts
from ops_skills.reports.tasks import take_daily_snapshot
from ops_skills.skills import levels
from ops_skills.skills.models import Assessment, CurrentLevel
from ops_skills.skills.signals import fill_after_migrate
from tests.factories import (
    make_assessment,
    make_execution,
    make_person,
    make_runbook,
    make_session,
    make_skill,
    make_system,
)


def stored(person, skill):
    row = CurrentLevel.objects.filter(person=person, skill=skill).values_list("level", flat=True).first()
    return row or 0


def assert_in_step():
    assert levels.differences() == {}


@pytest.fixture
def world(team, lead, member, new_hire):
    system = make_system(team, slug="db")
    a, b = make_skill(system, slug="failover"), make_skill(system, slug="restore")
    return {"system": system, "a": a, "b": b, "runbook": make_runbook(system, [a], title="Failover")}


def test_assessments_store_and_unstore_a_level(world, lead, member):
    a = world["a"]
    assessment = make_assessment(member, a, 3, author=lead)
    assert stored(member, a) == 3
    make_assessment(member, a, 4, source="self")  # a self assessment counts at most 2
    assert stored(member, a) == 3
    assessment.delete()
    assert stored(member, a) == 2
    Assessment.objects.filter(person=member).delete()  # a queryset delete too
    assert stored(member, a) == 0
    assert not CurrentLevel.objects.exists()


def test_an_assessment_edited_to_another_person_moves_the_level(world, lead, member, new_hire):
    assessment = make_assessment(member, world["a"], 3, author=lead)
    assessment.person = new_hire  # as the admin could
    assessment.save()
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (0, 3)
    assert_in_step()


def test_a_lead_assessment_of_zero_stores_no_row(world, lead, member):
    make_assessment(member, world["a"], 0, author=lead)
    assert not CurrentLevel.objects.exists()
    assert_in_step()


def test_confirming_and_disputing_evidence(world, lead, member, new_hire):
    execution = services.execution_log(
        author=member,
        runbook=world["runbook"],
        performer=member,
        participants=[new_hire],
        environment="production",
        outcome="success",
    )
    assert stored(member, world["a"]) == 0  # pending counts for nothing
    services.evidence_confirm(evidence=execution, person=new_hire)
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (3, 1)
    row = CurrentLevel.objects.get(person=member, skill=world["a"])
    assert row.practised_at == execution.occurred_at
    assert CurrentLevel.objects.get(person=new_hire, skill=world["a"]).practised_at is None  # watching is not practice
    services.evidence_dispute(evidence=execution, person=new_hire, reason="not me")
    assert stored(member, world["a"]) == 0
    assert_in_step()


def test_editing_a_confirmed_execution_moves_levels_from_the_old_people_to_the_new(world, member, new_hire, lead):
    execution = make_execution(world["runbook"], member)
    assert stored(member, world["a"]) == 3
    execution.performer = new_hire
    execution.save()
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (0, 3)
    execution.environment = "staging"
    execution.save(update_fields=["environment"])
    assert stored(new_hire, world["a"]) == 2
    execution.performer_id = member.pk
    execution.save(update_fields=["performer_id"])  # an attname names the field too
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (2, 0)
    execution.notes = "only the notes"
    execution.save(update_fields=["notes"])
    assert_in_step()


def test_participants_either_side_and_cleared(world, member, new_hire, lead):
    execution = make_execution(world["runbook"], member)
    execution.participants.add(new_hire)
    assert stored(new_hire, world["a"]) == 1
    execution.participants.remove(new_hire)
    assert stored(new_hire, world["a"]) == 0
    lead.executions_attended.add(execution)  # the reverse side
    assert stored(lead, world["a"]) == 1
    execution.participants.clear()
    assert stored(lead, world["a"]) == 0
    lead.executions_attended.add(execution)
    lead.executions_attended.clear()
    assert stored(lead, world["a"]) == 0
    assert_in_step()


def test_session_learners_and_skills(world, member, new_hire):
    a, b = world["a"], world["b"]
    session = make_session(member, [new_hire], [a])
    assert stored(new_hire, a) == 2
    session.skills.add(b)
    assert stored(new_hire, b) == 2
    b.pairing_sessions.remove(session)  # the reverse side
    assert stored(new_hire, b) == 0
    new_hire.sessions_learned.clear()
    assert stored(new_hire, a) == 0
    session.skills.clear()
    assert stored(member, a) == 0
    assert_in_step()


def test_a_runbooks_skills_move_the_levels_of_everyone_who_ran_it(world, member, new_hire):
    a, b = world["a"], world["b"]
    runbook = world["runbook"]
    make_execution(runbook, member, [new_hire])
    runbook.skills.add(b)
    assert (stored(member, b), stored(new_hire, b)) == (3, 1)
    runbook.skills.set([b])
    assert stored(member, a) == 0
    a.runbooks.add(runbook)  # the reverse side
    assert stored(member, a) == 3
    b.runbooks.clear()
    assert stored(member, b) == 0
    assert_in_step()


def test_deleting_evidence_and_cascades(world, lead, member, new_hire):
    execution = make_execution(world["runbook"], member, [new_hire])
    session = make_session(new_hire, [lead], [world["b"]])
    execution.delete()
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (0, 0)
    PairingSession.objects.filter(pk=session.pk).delete()
    assert stored(lead, world["b"]) == 0
    make_assessment(lead, world["a"], 3)
    make_assessment(member, world["b"], 3, author=lead)
    world["b"].delete()  # cascades to assessments, session skills and the stored rows
    lead.delete()
    assert not CurrentLevel.objects.exists()
    assert_in_step()


def test_deleting_evidence_read_before_it_was_confirmed(world, member, new_hire):
    execution = make_execution(world["runbook"], member, [new_hire], status="pending")
    services.evidence_confirm(evidence=RunbookExecution.objects.get(pk=execution.pk), person=new_hire)
    assert stored(member, world["a"]) == 3
    execution.delete()  # this instance still says pending
    assert stored(member, world["a"]) == 0
    assert_in_step()


def test_pending_evidence_writes_no_levels(world, member, new_hire, django_assert_max_num_queries):
    execution = make_execution(world["runbook"], member, status="pending")
    # No reads of levels at all: confirmed neither before nor after.
    with django_assert_max_num_queries(4):
        execution.participants.add(new_hire)
        execution.notes = "more"
        execution.save()
    assert not CurrentLevel.objects.exists()


def test_refresh_costs_the_same_queries_for_more_people(world, team, django_assert_max_num_queries):
    people = [make_person(team) for _ in range(30)]
    for person in people:
        make_assessment(person, world["a"], 3)
    for scope, level in ((people[:2], 4), (people, 1)):
        Assessment.objects.filter(person__in=scope).update(level=level)  # around the receivers
        # the people locked (PostgreSQL only), assessments, evidence (executions, sessions; no
        # rows, no more), the skills' freshness windows, stored rows, delete, insert, savepoint
        # and release
        with django_assert_max_num_queries(10):
            changes = levels.refresh([p.pk for p in scope], [world["a"].pk])
        assert changes == levels.Changes(changed=len(scope))
    assert_in_step()


def test_recompute_corrects_what_was_written_around_the_receivers(world, lead, member, capsys):
    make_assessment(member, world["a"], 3, author=lead)
    Assessment.objects.update(level=1)  # around the receivers
    CurrentLevel.objects.create(person=lead, skill=world["b"], level=2)
    assert set(levels.differences()) == {(member.pk, world["a"].pk), (lead.pk, world["b"].pk)}
    with pytest.raises(CommandError, match="2 stored levels differ"):
        call_command("recompute_levels", "--check")
    assert "should be level 1" in capsys.readouterr().out
    call_command("recompute_levels")
    assert "0 added, 1 changed, 1 removed" in capsys.readouterr().out
    call_command("recompute_levels", "--check")
    assert "Every stored level matches." in capsys.readouterr().out


def test_the_daily_snapshot_corrects_and_warns(world, lead, member, caplog):
    make_assessment(member, world["a"], 3, author=lead)
    CurrentLevel.objects.all().delete()
    with caplog.at_level(logging.WARNING, logger="ops_skills.reports.tasks"):
        take_daily_snapshot.enqueue()
    assert stored(member, world["a"]) == 3
    assert "1 added, 0 changed, 0 removed" in caplog.text


def test_migrate_fills_an_empty_table(world, lead, member):
    make_assessment(member, world["a"], 3, author=lead)
    CurrentLevel.objects.all().delete()
    fill_after_migrate(sender=None, using=connection.alias)
    assert stored(member, world["a"]) == 3


def test_the_reports_read_the_stored_levels(world, lead, member):
    make_assessment(member, world["a"], 3, author=lead)
    facts = org_facts()
    assert facts.levels == {(member.pk, world["a"].pk): 3}
    CurrentLevel.objects.filter(person=member).update(level=2)  # what the report reads
    assert org_facts().levels == {(member.pk, world["a"].pk): 2}
    levels.recompute_all()


def test_freshness_comes_from_the_stored_practice(world, member, new_hire):
    make_execution(world["runbook"], member, days_ago=10)
    skill = next(s for s in org_facts().skills if s.id == world["a"].pk)
    assert skill.holders == skill.fresh_holders == frozenset({member.pk})
    later = timezone.localdate() + timedelta(days=world["a"].freshness_days)
    skill = next(s for s in org_facts(today=later).skills if s.id == world["a"].pk)
    assert skill.holders == frozenset({member.pk}) and not skill.fresh_holders


def test_a_new_freshness_window_moves_the_fresh_until_day(world, member):
    execution = make_execution(world["runbook"], member, days_ago=100)
    row = CurrentLevel.objects.get(person=member, skill=world["a"])
    assert row.fresh_until == execution.occurred_at.date() + timedelta(days=world["a"].freshness_days)
    skill = world["a"]
    skill.freshness_days = 30
    skill.save()
    assert CurrentLevel.objects.get(person=member, skill=skill).fresh_until == execution.occurred_at.date() + timedelta(
        days=30
    )
    assert not next(s for s in org_facts().skills if s.id == skill.pk).fresh_holders
    assert_in_step()


# Random sequences of writes ---------------------------------------------------------------------

PEOPLE, SKILLS, RUNBOOKS = 4, 3, 2
person = st.integers(0, PEOPLE - 1)
skill = st.integers(0, SKILLS - 1)
days = st.integers(0, 400)
status = st.sampled_from(["pending", "confirmed", "disputed"])
operations = st.one_of(
    st.tuples(st.just("assess"), person, skill, st.integers(0, 4), st.sampled_from(["lead", "self"]), days),
    st.tuples(st.just("unassess"), st.integers(0, 20)),
    st.tuples(
        st.just("execute"),
        st.integers(0, RUNBOOKS - 1),
        person,
        st.sets(person, max_size=2),
        st.sampled_from(["production", "staging"]),
        st.sampled_from(["success", "failed"]),
        status,
        days,
    ),
    st.tuples(
        st.just("pair"), person, st.sets(person, min_size=1, max_size=2), st.sets(skill, min_size=1), status, days
    ),
    st.tuples(st.just("status"), st.sampled_from(["execution", "session"]), st.integers(0, 20), status),
    st.tuples(st.just("edit"), st.integers(0, 20), person, st.sampled_from(["production", "staging"]), days),
    st.tuples(st.just("attend"), st.integers(0, 20), person, st.sampled_from(["add", "remove", "reverse", "clear"])),
    st.tuples(st.just("learn"), st.integers(0, 20), person, st.sampled_from(["add", "remove", "reverse", "clear"])),
    st.tuples(st.just("session skill"), st.integers(0, 20), skill, st.sampled_from(["add", "remove", "reverse"])),
    st.tuples(
        st.just("runbook skill"),
        st.integers(0, RUNBOOKS - 1),
        skill,
        st.sampled_from(["add", "remove", "reverse", "set"]),
    ),
    st.tuples(st.just("delete"), st.sampled_from(["execution", "session"]), st.integers(0, 20)),
    st.tuples(st.just("freshness"), skill, st.integers(1, 400)),
)


def _nth(queryset, n):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _apply(op, people, skills, runbooks):
    now = timezone.now()
    match op:
        case ("assess", p, s, level, source, ago):
            make_assessment(people[p], skills[s], level, source=source, days_ago=ago)
        case ("unassess", n):
            if a := _nth(Assessment.objects.all(), n):
                a.delete()
        case ("execute", r, p, others, environment, outcome, state, ago):
            make_execution(
                runbooks[r], people[p], [people[o] for o in others], environment, outcome, state, days_ago=ago
            )
        case ("pair", mentor, learners, on, state, ago):
            make_session(people[mentor], [people[i] for i in learners], [skills[s] for s in on], state, days_ago=ago)
        case ("status", kind, n, state):
            model = RunbookExecution if kind == "execution" else PairingSession
            if record := _nth(model.objects.all(), n):
                record.status = state
                record.save(update_fields=["status"])
        case ("edit", n, p, environment, ago):
            if execution := _nth(RunbookExecution.objects.all(), n):
                execution.performer = people[p]
                execution.environment = environment
                execution.occurred_at = now - timedelta(days=ago)
                execution.save()
        case ("attend" | "learn" as kind, n, p, how):
            model = RunbookExecution if kind == "attend" else PairingSession
            record = _nth(model.objects.all(), n)
            if record is None:
                return
            related = record.participants if kind == "attend" else record.learners
            reverse = people[p].executions_attended if kind == "attend" else people[p].sessions_learned
            {
                "add": lambda: related.add(people[p]),
                "remove": lambda: related.remove(people[p]),
                "reverse": lambda: reverse.add(record),
                "clear": lambda: related.clear(),
            }[how]()
        case ("session skill", n, s, how):
            if session := _nth(PairingSession.objects.all(), n):
                {
                    "add": lambda: session.skills.add(skills[s]),
                    "remove": lambda: session.skills.remove(skills[s]),
                    "reverse": lambda: skills[s].pairing_sessions.remove(session),
                }[how]()
        case ("runbook skill", r, s, how):
            runbook = runbooks[r]
            {
                "add": lambda: runbook.skills.add(skills[s]),
                "remove": lambda: runbook.skills.remove(skills[s]),
                "reverse": lambda: skills[s].runbooks.add(runbook),
                "set": lambda: runbook.skills.set(skills[: s + 1]),
            }[how]()
        case ("freshness", s, window):
            skills[s].freshness_days = window
            skills[s].save()
        case ("delete", kind, n):
            model = RunbookExecution if kind == "execution" else PairingSession
            if record := _nth(model.objects.all(), n):
                record.delete()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operations, min_size=2, max_size=15))
def test_any_sequence_of_writes_keeps_the_stored_levels_right(team, ops):
    with transaction.atomic():
        system = make_system(team)
        people = [make_person(team) for _ in range(PEOPLE)]
        skills = [make_skill(system) for _ in range(SKILLS)]
        runbooks = [make_runbook(system, skills[: i + 1]) for i in range(RUNBOOKS)]
        # Something to change from the start: confirmed evidence and a lead assessment.
        make_execution(runbooks[0], people[0], [people[2]], days_ago=20)
        make_execution(runbooks[1], people[1], [people[3]], environment="staging", days_ago=10)
        make_session(people[1], [people[3]], [skills[0], skills[2]], days_ago=5)
        make_assessment(people[2], skills[1], 3, days_ago=30)
        assert levels.differences() == {}
        for op in ops:
            _apply(op, people, skills, runbooks)
            assert levels.differences() == {}, op
        transaction.set_rollback(True)
