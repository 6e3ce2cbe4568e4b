"""The stored current levels (``levels.store``) always equal the recomputed ones: after each kind
of write, made through its service or flow (nothing refreshes behind them), after random
sequences of such writes (hypothesis), and the reports read them. A write that goes around the
services is caught by ``store.differences`` (``recompute_levels --check`` and the suite's check
after every test)."""

import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_skills import flows
from ops_skills.evidence import lifecycle
from ops_skills.evidence import services as evidence_services
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.levels import services, store
from ops_skills.levels.matrix_csv import matrix_import
from ops_skills.levels.models import CurrentLevel
from ops_skills.reports.selectors import org_facts
from ops_skills.reports.tasks import take_daily_snapshot
from ops_skills.skills.models import Assessment
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
    assert store.differences() == {}


@pytest.fixture
def world(team, lead, member, new_hire):
    system = make_system(team, slug="db")
    a, b = make_skill(system, slug="failover"), make_skill(system, slug="restore")
    return {"system": system, "a": a, "b": b, "runbook": make_runbook(system, [a], title="Failover")}


def log_run(world, performer, others, **extra):
    """A production run logged by the performer, still pending."""
    return evidence_services.execution_log(
        author=performer,
        runbook=world["runbook"],
        performer=performer,
        participants=others,
        environment=extra.pop("environment", "production"),
        outcome=extra.pop("outcome", "success"),
        **extra,
    )


# Each kind of write, through its service or flow ---------------------------------------------------


def test_recording_assessments_stores_the_level(world, lead, member, new_hire):
    a = world["a"]
    services.assessment_record(author=lead, person=member, skill=a, level=3)
    assert stored(member, a) == 3
    services.assessment_record(author=member, person=member, skill=a, level=4)  # self: at most 2
    assert stored(member, a) == 3
    services.assessment_record(author=lead, person=new_hire, skill=a, level=0)
    assert not CurrentLevel.objects.filter(person=new_hire).exists()  # level 0 stores no row
    assert_in_step()


def test_a_matrix_import_stores_the_levels_it_writes(world, admin_user, member, new_hire):
    result = matrix_import(
        author=admin_user,
        text="email,name,team,db/failover,db/restore\nmember@example.com,Max Member,platform,3,1\n",
        filename="matrix.csv",
    )
    assert result.ok and result.written
    assert (stored(member, world["a"]), stored(member, world["b"])) == (3, 1)
    assert_in_step()


def test_confirming_evidence_stores_levels_and_practice(world, member, new_hire):
    execution = log_run(world, member, [new_hire])
    assert not CurrentLevel.objects.exists()  # pending counts for nothing
    flows.evidence_confirm(evidence=execution, person=new_hire)
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (3, 1)
    row = CurrentLevel.objects.get(person=member, skill=world["a"])
    assert row.practised_at == execution.occurred_at
    assert CurrentLevel.objects.get(person=new_hire, skill=world["a"]).practised_at is None  # watching is not practice
    assert_in_step()


def test_disputing_pending_evidence_moves_nothing_and_confirmed_evidence_stays(world, lead, member, new_hire):
    disputed = log_run(world, member, [new_hire])
    flows.evidence_dispute(evidence=disputed, person=new_hire, reason="not me")
    assert not CurrentLevel.objects.exists()
    flows.evidence_confirm(evidence=disputed, person=lead)  # a lead settles it
    assert stored(member, world["a"]) == 3
    with pytest.raises(lifecycle.Settled):
        flows.evidence_dispute(evidence=disputed, person=new_hire, reason="still not me")
    assert stored(member, world["a"]) == 3
    assert_in_step()


def test_a_runbooks_skills_move_the_levels_of_everyone_who_ran_it(world, lead, member, new_hire):
    a, b = world["a"], world["b"]
    runbook = world["runbook"]
    flows.evidence_confirm(evidence=log_run(world, member, [new_hire]), person=new_hire)
    flows.runbook_save(runbook=runbook, author=lead, skills=[a, b])
    assert (stored(member, b), stored(new_hire, b)) == (3, 1)
    flows.runbook_save(runbook=runbook, author=lead, skills=[b])
    assert (stored(member, a), stored(member, b)) == (0, 3)
    assert_in_step()


def test_a_new_freshness_window_moves_the_fresh_until_day(world, member):
    execution = make_execution(world["runbook"], member, days_ago=100)
    row = CurrentLevel.objects.get(person=member, skill=world["a"])
    assert row.fresh_until == execution.occurred_at.date() + timedelta(days=world["a"].freshness_days)
    skill = world["a"]
    skill.freshness_days = 30
    skill.save()
    flows.skill_freshness_changed(skill=skill)
    row = CurrentLevel.objects.get(person=member, skill=skill)
    assert row.fresh_until == execution.occurred_at.date() + timedelta(days=30)
    assert not next(s for s in org_facts().skills if s.id == skill.pk).fresh_holders
    assert_in_step()


def test_pending_evidence_writes_no_levels(world, member, new_hire):
    log_run(world, member, [new_hire])
    evidence_services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[world["b"]], duration_minutes=30
    )
    assert not CurrentLevel.objects.exists()


def test_editing_and_deleting_evidence_through_the_flow(world, member, new_hire):
    execution = make_execution(world["runbook"], member)
    before = flows.scope_of_evidence(execution)
    execution.performer = new_hire  # as the admin could
    execution.save()
    flows.evidence_edited(evidence=execution, before=before)
    assert (stored(member, world["a"]), stored(new_hire, world["a"])) == (0, 3)
    before = flows.scope_of_evidence(execution)
    execution.delete()
    flows.evidence_edited(evidence=execution, before=before)
    assert not CurrentLevel.objects.exists()
    assert_in_step()


# The admin: each change form saves through the flows -------------------------------------------


def admin_post(client, obj, **changes):
    """POST ``obj``'s admin change form as it stands, with ``changes``, the way a browser would."""
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    for name, value in changes.items():
        if hasattr(value, "date") and hasattr(value, "time"):  # the admin splits a datetime
            data.pop(name, None)
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().isoformat("seconds")
        else:
            data[name] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return response


def _form_data(form) -> dict:
    data = {}
    for bound in form:
        value = bound.field.prepare_value(bound.value())
        if hasattr(value, "date") and hasattr(value, "time"):
            local = timezone.localtime(value)
            data[f"{bound.html_name}_0"] = local.date().isoformat()
            data[f"{bound.html_name}_1"] = local.time().isoformat("seconds")
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value
    return data


@pytest.fixture
def admin(client_for, admin_user):
    return client_for(admin_user)


def test_the_assessment_admin_refreshes_the_old_and_new_cells(admin, world, lead, member, new_hire):
    a = world["a"]
    assessment = make_assessment(member, a, 3, author=lead)
    admin_post(admin, assessment, level=2)
    assert stored(member, a) == 2
    admin_post(admin, assessment, person=new_hire.pk)  # moved to someone else
    assert (stored(member, a), stored(new_hire, a)) == (0, 2)
    url = reverse("admin:skills_assessment_delete", args=[assessment.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not CurrentLevel.objects.exists()
    assert_in_step()


def test_the_skill_admin_refreshes_a_new_freshness_window(admin, world, member):
    skill = world["a"]
    execution = make_execution(world["runbook"], member, days_ago=100)
    admin_post(admin, skill, freshness_days=30)
    row = CurrentLevel.objects.get(person=member, skill=skill)
    assert row.fresh_until == execution.occurred_at.date() + timedelta(days=30)
    assert_in_step()


def test_the_runbook_admin_refreshes_a_change_of_skills(admin, world, member, new_hire):
    a, b = world["a"], world["b"]
    make_execution(world["runbook"], member, [new_hire])
    admin_post(admin, world["runbook"], skills=[str(b.pk)])
    assert (stored(member, a), stored(member, b), stored(new_hire, b)) == (0, 3, 1)
    assert_in_step()


def test_the_pairing_session_admin_refreshes_its_people_and_skills(admin, world, lead, member, new_hire):
    a, b = world["a"], world["b"]
    session = make_session(member, [new_hire], [a])
    assert stored(new_hire, a) == 2
    admin_post(admin, session, learners=[str(lead.pk)], skills=[str(b.pk)])
    assert (stored(new_hire, a), stored(lead, b), stored(member, a)) == (0, 2, 0)
    url = reverse("admin:evidence_pairingsession_delete", args=[session.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not CurrentLevel.objects.exists()
    assert_in_step()


# The guard: a write around the services is caught ----------------------------------------------


def test_a_write_around_the_services_is_caught(world, lead, member):
    Assessment.objects.create(person=member, skill=world["a"], level=3, source="lead", author=lead)
    assert set(store.differences()) == {(member.pk, world["a"].pk)}
    store.recompute_all()  # so that the suite's own check after this test passes


def test_refresh_costs_the_same_queries_for_more_people(world, team, django_assert_max_num_queries):
    people = [make_person(team) for _ in range(30)]
    for person in people:
        make_assessment(person, world["a"], 3)
    for scope, level in ((people[:2], 4), (people, 1)):
        Assessment.objects.filter(person__in=scope).update(level=level)  # around the services
        # the people locked (PostgreSQL only), assessments, evidence (executions, sessions; no
        # rows, no more), the skills' freshness windows, stored rows, delete, insert, savepoint
        # and release
        with django_assert_max_num_queries(10):
            changes = store.refresh([p.pk for p in scope], [world["a"].pk])
        assert changes == store.Changes(changed=len(scope))
    assert_in_step()


def test_recompute_corrects_what_was_written_around_the_services(world, lead, member, capsys):
    make_assessment(member, world["a"], 3, author=lead)
    Assessment.objects.update(level=1)  # around the services
    CurrentLevel.objects.create(person=lead, skill=world["b"], level=2)
    assert set(store.differences()) == {(member.pk, world["a"].pk), (lead.pk, world["b"].pk)}
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
    store.fill_after_migrate(sender=None, using=connection.alias)
    assert stored(member, world["a"]) == 3


# The reports read the store ---------------------------------------------------------------------


def test_the_reports_read_the_stored_levels(world, lead, member):
    make_assessment(member, world["a"], 3, author=lead)
    facts = org_facts()
    assert facts.levels == {(member.pk, world["a"].pk): 3}
    CurrentLevel.objects.filter(person=member).update(level=2)  # what the report reads
    assert org_facts().levels == {(member.pk, world["a"].pk): 2}
    store.recompute_all()


def test_freshness_comes_from_the_stored_practice(world, member, new_hire):
    make_execution(world["runbook"], member, days_ago=10)
    skill = next(s for s in org_facts().skills if s.id == world["a"].pk)
    assert skill.holders == skill.fresh_holders == frozenset({member.pk})
    later = timezone.localdate() + timedelta(days=world["a"].freshness_days)
    skill = next(s for s in org_facts(today=later).skills if s.id == world["a"].pk)
    assert skill.holders == frozenset({member.pk}) and not skill.fresh_holders


# Random sequences of writes, each through its service or flow --------------------------------------

PEOPLE, SKILLS, RUNBOOKS = 4, 3, 2
person = st.integers(0, PEOPLE - 1)
skill = st.integers(0, SKILLS - 1)
days = st.integers(0, 400)
decision = st.sampled_from(["pending", "confirm", "dispute", "dispute then confirm"])
operations = st.one_of(
    st.tuples(st.just("assess"), person, skill, st.integers(0, 4), st.sampled_from(["lead", "self"])),
    st.tuples(st.just("import"), person, skill, st.integers(0, 4)),
    st.tuples(st.just("unassess"), st.integers(0, 20)),
    st.tuples(
        st.just("execute"),
        st.integers(0, RUNBOOKS - 1),
        person,
        st.sets(person, min_size=1, max_size=2),
        st.sampled_from(["production", "staging"]),
        st.sampled_from(["success", "failed"]),
        decision,
        days,
    ),
    st.tuples(
        st.just("pair"), person, st.sets(person, min_size=1, max_size=2), st.sets(skill, min_size=1), decision, days
    ),
    st.tuples(st.just("decide"), st.sampled_from(["execution", "session"]), st.integers(0, 20), decision),
    st.tuples(st.just("edit"), st.integers(0, 20), person, st.sampled_from(["production", "staging"]), days),
    st.tuples(st.just("runbook skills"), st.integers(0, RUNBOOKS - 1), st.sets(skill)),
    st.tuples(st.just("delete"), st.sampled_from(["execution", "session"]), st.integers(0, 20)),
    st.tuples(st.just("freshness"), skill, st.integers(1, 400)),
)


def _nth(queryset, n):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _decide(evidence, how, lead):
    """Decide as the lead (who may always decide on their team's evidence); settled evidence
    refuses, as it does on the web and the API."""
    for step in {"pending": [], "confirm": ["confirm"], "dispute": ["dispute"]}.get(how, ["dispute", "confirm"]):
        try:
            if step == "confirm":
                flows.evidence_confirm(evidence=evidence, person=lead)
            else:
                flows.evidence_dispute(evidence=evidence, person=lead, reason="not so")
        except lifecycle.Settled:
            pass


def _apply(op, lead, people, skills, runbooks):
    now = timezone.now()
    match op:
        case ("assess", p, s, level, source):
            author = people[p] if source == "self" else lead
            services.assessment_record(author=author, person=people[p], skill=skills[s], level=level)
        case ("import", p, s, level):
            column = f"{skills[s].system.slug}/{skills[s].slug}"
            text = f"email,name,team,{column}\n{people[p].email},{people[p].name},{lead.team.slug},{level}\n"
            assert matrix_import(author=lead, text=text, filename="matrix.csv").ok
        case ("unassess", n):  # as the admin deletes one
            if a := _nth(Assessment.objects.all(), n):
                a.delete()
                flows.assessments_changed(pairs=[(a.person_id, a.skill_id)])
        case ("execute", r, p, others, environment, outcome, how, ago):
            execution = evidence_services.execution_log(
                author=people[p],  # logged by who performed it, decided by the lead
                runbook=runbooks[r],
                performer=people[p],
                participants=[people[o] for o in others],
                environment=environment,
                outcome=outcome,
                occurred_at=now - timedelta(days=ago),
            )
            _decide(execution, how, lead)
        case ("pair", mentor, learners, on, how, ago):
            learners = [people[i] for i in learners if i != mentor]
            if learners:
                session = evidence_services.pairing_session_log(
                    author=people[mentor],
                    mentor=people[mentor],
                    learners=learners,
                    skills=[skills[s] for s in on],
                    duration_minutes=30,
                    occurred_at=now - timedelta(days=ago),
                )
                _decide(session, how, lead)
        case ("decide", kind, n, how):
            model = RunbookExecution if kind == "execution" else PairingSession
            if evidence := _nth(model.objects.all(), n):
                _decide(evidence, how, lead)
        case ("edit", n, p, environment, ago):  # as the admin corrects it
            if execution := _nth(RunbookExecution.objects.all(), n):
                before = flows.scope_of_evidence(execution)
                execution.performer = people[p]
                execution.environment = environment
                execution.occurred_at = now - timedelta(days=ago)
                execution.save()
                flows.evidence_edited(evidence=execution, before=before)
        case ("runbook skills", r, chosen):
            flows.runbook_save(runbook=runbooks[r], author=lead, skills=[skills[s] for s in sorted(chosen)])
        case ("freshness", s, window):
            skills[s].freshness_days = window
            skills[s].save()
            flows.skill_freshness_changed(skill=skills[s])
        case ("delete", kind, n):  # as the admin deletes it
            model = RunbookExecution if kind == "execution" else PairingSession
            if evidence := _nth(model.objects.all(), n):
                before = flows.scope_of_evidence(evidence)
                evidence.delete()
                flows.evidence_edited(evidence=evidence, before=before)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operations, min_size=2, max_size=15))
def test_any_sequence_of_writes_keeps_the_stored_levels_right(team, lead, ops):
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
        assert store.differences() == {}
        for op in ops:
            _apply(op, lead, people, skills, runbooks)
            assert store.differences() == {}, op
        transaction.set_rollback(True)
