"""The rules behind onboarding figures: progress, what is overdue or due soon, which reminder an
item calls for. Plain data in, plain data out; no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DUE_SOON_DAYS = 3


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
