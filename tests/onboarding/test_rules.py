"""Which evidence ticks which item, progress, due states and reminders: plain functions,
hand-worked examples and properties, no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.onboarding import rules
from ops_skills.onboarding.models import Kind

TODAY = date(2026, 11, 28)


def test_item_states():
    assert rules.item_state(due_on=TODAY - timedelta(days=1), done=False, today=TODAY) == "overdue"
    assert rules.item_state(due_on=TODAY, done=False, today=TODAY) == "due-soon"
    assert rules.item_state(due_on=TODAY + timedelta(days=3), done=False, today=TODAY) == "due-soon"
    assert rules.item_state(due_on=TODAY + timedelta(days=4), done=False, today=TODAY) == "later"
    assert rules.item_state(due_on=TODAY - timedelta(days=9), done=True, today=TODAY) == "done"


def test_progress_counts_and_rounds_down():
    items = [(TODAY - timedelta(days=2), True), (TODAY - timedelta(days=1), False), (TODAY, False)]
    progress = rules.progress(items, today=TODAY)
    assert (progress.done, progress.total, progress.overdue, progress.due_soon) == (1, 3, 1, 1)
    assert progress.percent == 33
    assert progress.step == 30


def test_an_empty_checklist_is_complete():
    assert rules.progress([], today=TODAY).percent == 100


def test_reminder_kinds():
    assert rules.reminder_kind(due_on=TODAY - timedelta(days=1), done=False, today=TODAY, within_days=3) == "overdue"
    assert rules.reminder_kind(due_on=TODAY + timedelta(days=3), done=False, today=TODAY, within_days=3) == "due_soon"
    assert rules.reminder_kind(due_on=TODAY + timedelta(days=4), done=False, today=TODAY, within_days=3) is None
    assert rules.reminder_kind(due_on=TODAY - timedelta(days=4), done=True, today=TODAY, within_days=3) is None


def test_overview_puts_the_most_overdue_first_then_the_least_progress():
    p = {
        1: rules.Progress(done=5, total=10, overdue=0, due_soon=0),
        2: rules.Progress(done=1, total=10, overdue=2, due_soon=0),
        3: rules.Progress(done=2, total=10, overdue=0, due_soon=0),
        4: rules.Progress(done=9, total=10, overdue=2, due_soon=0),
    }
    names = {1: "Ann", 2: "Bea", 3: "Cy", 4: "Al"}
    assert rules.overview_order(p, names) == [2, 4, 3, 1]


@given(st.lists(st.tuples(st.integers(-30, 30), st.booleans()), max_size=40))
def test_progress_is_consistent(items):
    dated = [(TODAY + timedelta(days=d), done) for d, done in items]
    progress = rules.progress(dated, today=TODAY)
    assert progress.done + progress.overdue + progress.due_soon <= progress.total == len(items)
    assert 0 <= progress.percent <= 100
    assert (progress.percent == 100) == (progress.done == progress.total)
    assert progress.overdue == sum(1 for d, done in items if not done and d < 0)


# Which evidence ticks which item

HIRE, OTHER = 1, 2
RESTORE, FAIL_OVER = 10, 11  # runbooks
PITR, VACUUM = 20, 21  # skills
START = date(2026, 11, 2)


def item(kind, **extra):
    return rules.Item(kind=kind, person_id=HIRE, started_on=START, **extra)


def read(on=START, person_id=HIRE, runbook_id=RESTORE, id=1):
    when = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
    return rules.Fact(kind=rules.READ, id=id, when=when, on=on, person_id=person_id, runbook_id=runbook_id)


def session(on=START, learners=(HIRE,), skills=(PITR,), confirmed=True, id=2):
    return rules.Fact(
        kind=rules.PAIRING,
        id=id,
        when=datetime(on.year, on.month, on.day, 14, tzinfo=UTC),
        on=on,
        learner_ids=frozenset(learners),
        skill_ids=frozenset(skills),
        confirmed=confirmed,
    )


def execution(on=START, performer=HIRE, runbook_id=RESTORE, environment="staging", outcome="success", confirmed=True):
    return rules.Fact(
        kind=rules.EXECUTION,
        id=3,
        when=datetime(on.year, on.month, on.day, 16, tzinfo=UTC),
        on=on,
        person_id=performer,
        runbook_id=runbook_id,
        environment=environment,
        outcome=outcome,
        confirmed=confirmed,
    )


READ_RESTORE = item(rules.READ_RUNBOOK, runbook_id=RESTORE)
PAIR_PITR = item(rules.PAIR_SKILL, skill_id=PITR)
RESTORE_IN_STAGING = item(rules.EXECUTE_STAGING, runbook_id=RESTORE)
DAY_BEFORE = START - timedelta(days=1)


def test_the_new_hire_reading_the_runbook_from_the_start_date_ticks_the_read_item():
    assert rules.satisfies(READ_RESTORE, read())
    assert rules.satisfies(READ_RESTORE, read(on=START + timedelta(days=30)))
    assert not rules.satisfies(READ_RESTORE, read(on=DAY_BEFORE))
    assert not rules.satisfies(READ_RESTORE, read(person_id=OTHER))
    assert not rules.satisfies(READ_RESTORE, read(runbook_id=FAIL_OVER))


def test_a_confirmed_session_with_the_new_hire_among_its_learners_ticks_the_pair_item():
    assert rules.satisfies(PAIR_PITR, session())
    assert rules.satisfies(PAIR_PITR, session(learners=(OTHER, HIRE), skills=(VACUUM, PITR)))
    assert not rules.satisfies(PAIR_PITR, session(confirmed=False))
    assert not rules.satisfies(PAIR_PITR, session(learners=(OTHER,)))  # the new hire mentored it
    assert not rules.satisfies(PAIR_PITR, session(skills=(VACUUM,)))
    assert not rules.satisfies(PAIR_PITR, session(on=DAY_BEFORE))


def test_a_confirmed_successful_staging_run_by_the_new_hire_ticks_the_execute_item():
    assert rules.satisfies(RESTORE_IN_STAGING, execution())
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(environment="production"))
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(outcome="failed"))
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(outcome="aborted"))
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(confirmed=False))
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(performer=OTHER))  # the new hire only took part
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(runbook_id=FAIL_OVER))
    assert not rules.satisfies(RESTORE_IN_STAGING, execution(on=DAY_BEFORE))


def test_evidence_ticks_only_its_own_kind_of_item():
    assert not rules.satisfies(RESTORE_IN_STAGING, read())  # reading is not doing
    assert not rules.satisfies(READ_RESTORE, execution())  # nor doing reading
    for kind in [Kind.ACCESS, Kind.MEET, Kind.TEXT]:
        assert not any(rules.satisfies(item(kind, runbook_id=RESTORE, skill_id=PITR), f) for f in [read(), session()])


def test_an_item_whose_runbook_or_skill_was_deleted_never_ticks():
    assert not rules.satisfies(item(rules.READ_RUNBOOK, runbook_id=None), read())
    assert not rules.satisfies(item(rules.PAIR_SKILL, skill_id=None), session())


def test_which_evidence_can_tick_at_all():
    assert rules.can_tick(read())
    assert rules.can_tick(session()) and not rules.can_tick(session(confirmed=False))
    assert rules.can_tick(execution())
    assert not rules.can_tick(execution(environment="production"))
    assert not rules.can_tick(execution(confirmed=False))


def test_the_earliest_satisfying_evidence_ticks_and_the_lower_id_among_equals():
    early, late = session(on=START, id=7), session(on=START + timedelta(days=2), id=5)
    assert rules.first_satisfying(PAIR_PITR, [late, early, session(on=DAY_BEFORE, id=1)]) == early
    twin = replace(early, id=4)
    assert rules.first_satisfying(PAIR_PITR, [early, twin]) == twin
    assert rules.first_satisfying(PAIR_PITR, [read(), session(confirmed=False)]) is None


def test_the_rules_kinds_are_the_models_values():
    assert {rules.READ_RUNBOOK, rules.PAIR_SKILL, rules.EXECUTE_STAGING} == {
        Kind.READ_RUNBOOK.value,
        Kind.PAIR_SKILL.value,
        Kind.EXECUTE_STAGING.value,
    }
    assert rules.STAGING == RunbookExecution.Environment.STAGING
    assert rules.SUCCESS == RunbookExecution.Outcome.SUCCESS
    assert PairingSession.Status.CONFIRMED == RunbookExecution.Status.CONFIRMED


FACTS = st.builds(
    rules.Fact,
    kind=st.sampled_from([rules.READ, rules.PAIRING, rules.EXECUTION]),
    id=st.integers(1, 5),
    when=st.sampled_from([datetime(2026, 11, 2, hour, tzinfo=UTC) for hour in (9, 12)]),  # ties too
    on=st.dates(START - timedelta(days=3), START + timedelta(days=3)),
    person_id=st.sampled_from([HIRE, OTHER]),
    learner_ids=st.frozensets(st.sampled_from([HIRE, OTHER])),
    runbook_id=st.sampled_from([RESTORE, FAIL_OVER]),
    skill_ids=st.frozensets(st.sampled_from([PITR, VACUUM])),
    environment=st.sampled_from(["staging", "production"]),
    outcome=st.sampled_from(["success", "failed", "aborted"]),
    confirmed=st.booleans(),
)
ITEMS = st.builds(
    rules.Item,
    kind=st.sampled_from(list(Kind.values)),
    person_id=st.just(HIRE),
    started_on=st.just(START),
    runbook_id=st.sampled_from([RESTORE, FAIL_OVER, None]),
    skill_id=st.sampled_from([PITR, VACUUM, None]),
)


def satisfies_brute_force(item, fact):
    """The item list of DESIGN.md, case by case."""
    if fact.on < item.started_on:
        return False
    if item.kind == "read_runbook":
        return fact.kind == "read" and fact.person_id == item.person_id and fact.runbook_id == item.runbook_id
    if item.kind == "pair_skill":
        return (
            fact.kind == "pairing" and fact.confirmed and HIRE in fact.learner_ids and item.skill_id in fact.skill_ids
        )
    if item.kind == "execute_staging":
        return (
            fact.kind == "execution"
            and fact.confirmed
            and (fact.environment, fact.outcome) == ("staging", "success")
            and fact.person_id == item.person_id
            and fact.runbook_id == item.runbook_id
        )
    return False


@given(ITEMS, FACTS)
def test_satisfies_matches_the_item_list_case_by_case(item, fact):
    assert rules.satisfies(item, fact) == satisfies_brute_force(item, fact)
    if rules.satisfies(item, fact):
        assert rules.can_tick(fact)


@given(ITEMS, st.lists(FACTS, max_size=6, unique_by=lambda f: f.id), st.randoms())
def test_the_first_satisfying_fact_does_not_depend_on_the_order(item, facts, random):
    shuffled = list(facts)
    random.shuffle(shuffled)
    assert rules.first_satisfying(item, shuffled) == rules.first_satisfying(item, facts)
