"""Is a shift's person on call able to handle what may break? The rule, over plain data.

For each system the shift's schedule answers for and each of its on-call-critical skills, the
person on call must cover it (current level 3 or more) and be fresh in it through the shift's
last day. A skill they cannot do alone is a **gap**; its **backups** are the other people who
cover it, fresh, and are available for the whole shift: away on none of its days (absences are
dates: ``reports.away``) and on no other shift at the same time. A shift is

- ``ready``: no gap;
- ``backup`` (ready with backup): every gap has at least one backup;
- ``at_risk``: some gap has none.

Nothing here imports Django: ``selectors`` loads the facts in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

READY, BACKUP, AT_RISK = "ready", "backup", "at_risk"
SEVERITY = {READY: 0, BACKUP: 1, AT_RISK: 2}
LABELS = {READY: "Ready", BACKUP: "Ready with backup", AT_RISK: "At risk"}

Span = tuple[date, date]  # an absence: first and last day, inclusive


@dataclass(frozen=True, slots=True)
class ShiftIn:
    key: int
    person_id: int | None  # None: the feed's holder is nobody here
    start: datetime
    end: datetime
    systems: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    critical: Mapping[int, tuple[int, ...]]  # system id -> its on-call-critical skill ids
    covers: Mapping[int, Mapping[int, date | None]]  # skill id -> {active person who covers it: fresh until}
    absent: Mapping[int, Iterable[Span]] = field(default_factory=dict)  # person id -> absences
    shifts: Mapping[int, Iterable[tuple[int, datetime, datetime]]] = field(
        default_factory=dict
    )  # person -> (key, start, end)


@dataclass(frozen=True, slots=True)
class Gap:
    system_id: int
    skill_id: int
    why: str  # "not independent", "stale" or "nobody on call"
    backups: tuple[int, ...]  # person ids, ascending


@dataclass(frozen=True, slots=True)
class Readiness:
    key: int
    status: str
    gaps: tuple[Gap, ...]
    away: tuple[Span, ...]  # the person on call's own absences during the shift: said, not counted


def shift_days(start: datetime, end: datetime, tz: tzinfo) -> Span:
    """The days a shift touches in ``tz``: Monday 09:00 to the next Monday 09:00 is eight days;
    a shift ending at midnight does not touch the day it ends on."""
    first = start.astimezone(tz).date()
    last = (end.astimezone(tz) - timedelta(microseconds=1)).date()
    return first, max(first, last)


def _overlaps(spans: Iterable[Span], first: date, last: date) -> tuple[Span, ...]:
    return tuple(sorted((a, b) for a, b in spans if a <= last and b >= first))


def _on_call_elsewhere(person_id: int, shift: ShiftIn, facts: Facts) -> bool:
    return any(
        key != shift.key and start < shift.end and end > shift.start
        for key, start, end in facts.shifts.get(person_id, ())
    )


def shift_readiness(shift: ShiftIn, facts: Facts, *, tz: tzinfo) -> Readiness:
    first, last = shift_days(shift.start, shift.end, tz)
    available: dict[int, bool] = {}

    def is_available(person_id: int) -> bool:
        if person_id not in available:
            available[person_id] = not _overlaps(
                facts.absent.get(person_id, ()), first, last
            ) and not _on_call_elsewhere(person_id, shift, facts)
        return available[person_id]

    gaps = []
    for system_id in shift.systems:
        for skill_id in facts.critical.get(system_id, ()):
            coverers = facts.covers.get(skill_id, {})
            if shift.person_id is None:
                why = "nobody on call"
            elif shift.person_id not in coverers:
                why = "not independent"
            elif not _fresh(coverers[shift.person_id], last):
                why = "stale"
            else:
                continue
            backups = tuple(
                sorted(
                    pk
                    for pk, fresh_until in coverers.items()
                    if fresh_until is not None and fresh_until >= last and pk != shift.person_id and is_available(pk)
                )
            )
            gaps.append(Gap(system_id, skill_id, why, backups))
    if not gaps:
        status = READY
    elif all(gap.backups for gap in gaps):
        status = BACKUP
    else:
        status = AT_RISK
    away = _overlaps(facts.absent.get(shift.person_id, ()), first, last) if shift.person_id is not None else ()
    return Readiness(shift.key, status, tuple(gaps), away)


def swaps(shift: ShiftIn, facts: Facts, *, tz: tzinfo) -> tuple[int, ...]:
    """Who could take a shift that is not ready and be ready in it: the people, other than its
    person on call, who cover every critical skill of its systems fresh through its last day and
    are available for it (ascending ids). Nobody when the shift has no critical skill."""
    needed = [skill for system in shift.systems for skill in facts.critical.get(system, ())]
    if not needed:
        return ()
    first, last = shift_days(shift.start, shift.end, tz)
    found = None
    for skill in needed:
        fresh = {pk for pk, until in facts.covers.get(skill, {}).items() if until is not None and until >= last}
        found = fresh if found is None else found & fresh
        if not found:
            return ()
    return tuple(
        sorted(
            pk
            for pk in found
            if pk != shift.person_id
            and not _overlaps(facts.absent.get(pk, ()), first, last)
            and not _on_call_elsewhere(pk, shift, facts)
        )
    )


def _fresh(fresh_until: date | None, last: date) -> bool:
    """Fresh through the shift's last day (``skills.rules.is_fresh`` asked on that day)."""
    return fresh_until is not None and fresh_until >= last


def worst(statuses: Iterable[str]) -> str | None:
    """The worst of some statuses (None for none): what the lead's home warns about."""
    return max(statuses, key=SEVERITY.__getitem__, default=None)
