"""The rules of onboarding: which evidence ticks which item, progress, what is overdue or due soon,
which reminder an item calls for. Plain data in, plain data out; no Django."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

DUE_SOON_DAYS = 3

# Item kinds that tick themselves (the values of ``models.Kind``).
READ_RUNBOOK = "read_runbook"
PAIR_SKILL = "pair_skill"
EXECUTE_STAGING = "execute_staging"

# Kinds of evidence, and the kind of item each ticks.
READ = "read"
PAIRING = "pairing"
EXECUTION = "execution"
TICKS = {READ: READ_RUNBOOK, PAIRING: PAIR_SKILL, EXECUTION: EXECUTE_STAGING}
TICKED_BY = {item_kind: fact_kind for fact_kind, item_kind in TICKS.items()}

# The values of ``RunbookExecution.environment`` and ``.outcome`` that count.
STAGING = "staging"
SUCCESS = "success"


@dataclass(frozen=True)
class Fact:
    """A runbook read mark, pairing session or runbook execution, as onboarding sees it."""

    kind: str  # READ, PAIRING or EXECUTION
    id: int  # of the read mark, session or execution
    when: datetime  # read or occurred at: the time of the ticks it makes
    on: date  # ``when`` as a date in the local time zone
    person_id: int | None = None  # who read the runbook, or performed the execution
    learner_ids: frozenset[int] = frozenset()  # of a pairing session
    runbook_id: int | None = None  # of a read mark or execution
    skill_ids: frozenset[int] = frozenset()  # of a pairing session
    environment: str = ""  # of an execution
    outcome: str = ""  # of an execution
    confirmed: bool = False  # a read mark needs no confirmation


@dataclass(frozen=True)
class Item:
    """A checklist item that may tick itself, with what it needs from its checklist."""

    kind: str
    person_id: int  # the new hire whose checklist it is on
    started_on: date  # the checklist's start date
    runbook_id: int | None = None
    skill_id: int | None = None


def can_tick(fact: Fact) -> bool:
    """Whether ``fact`` can tick any item at all: a read mark always, a pairing session once
    confirmed, an execution once confirmed if it was a successful run in staging."""
    if fact.kind == READ:
        return True
    if not fact.confirmed:
        return False
    if fact.kind == EXECUTION:
        return fact.environment == STAGING and fact.outcome == SUCCESS
    return fact.kind == PAIRING


def satisfies(item: Item, fact: Fact) -> bool:
    """Whether ``fact`` ticks ``item``: "read runbook" when the new hire marks that runbook read;
    "pair on skill" when a confirmed pairing session on that skill has the new hire among its
    learners; "execute runbook in staging" when a confirmed successful staging execution of that
    runbook was performed by the new hire. Only evidence of the checklist's start date or later
    counts (dates in the local time zone), so that an onboarding reflects what was done during it."""
    if TICKS.get(fact.kind) != item.kind or not can_tick(fact) or fact.on < item.started_on:
        return False
    if fact.kind == PAIRING:
        return item.person_id in fact.learner_ids and item.skill_id in fact.skill_ids
    return item.person_id == fact.person_id and item.runbook_id == fact.runbook_id


def first_satisfying(item: Item, facts: Iterable[Fact]) -> Fact | None:
    """The earliest of ``facts`` that satisfies ``item`` (the lowest id among equals): the one that
    ticks it when they all exist already."""
    return min((f for f in facts if satisfies(item, f)), key=lambda f: (f.when, f.id), default=None)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    overdue: int
    due_soon: int

    @property
    def percent(self) -> int:
        """Rounded down, so 100 means every item is done."""
        return 100 * self.done // self.total if self.total else 100

    @property
    def step(self) -> int:
        """The percentage in steps of 5, for the width classes of the CSS progress bar."""
        return self.percent - self.percent % 5


def item_state(*, due_on: date, done: bool, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
    """ "done", "overdue" (due before today), "due-soon" (due within ``soon_days``) or "later"."""
    if done:
        return "done"
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= soon_days:
        return "due-soon"
    return "later"


def progress(items, *, today: date, soon_days: int = DUE_SOON_DAYS) -> Progress:
    """``items``: (due_on, done) pairs."""
    states = [item_state(due_on=d, done=done, today=today, soon_days=soon_days) for d, done in items]
    return Progress(
        done=states.count("done"),
        total=len(states),
        overdue=states.count("overdue"),
        due_soon=states.count("due-soon"),
    )


def reminder_kind(*, due_on: date, done: bool, today: date, within_days: int) -> str | None:
    """The reminder an item calls for today: "overdue", "due_soon" (due within ``within_days``,
    today included) or None."""
    if done:
        return None
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= within_days:
        return "due_soon"
    return None


def overview_order(progress_by_key: dict, names: dict) -> list:
    """Keys of running onboardings, most overdue items first, then least progress, then by name."""
    return sorted(
        progress_by_key,
        key=lambda k: (-progress_by_key[k].overdue, progress_by_key[k].percent, names[k].casefold(), k),
    )
