"""Progress, due states and reminders: plain functions, hand-worked examples and properties."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ops_skills.onboarding import rules

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
