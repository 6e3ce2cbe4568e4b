"""Who counts as away for a day or a week, from their planned absences, as plain data.

A report asked "for the week of …" (or the planner, for the week it plans) counts working days,
Monday to Friday: weekends are nobody's working time, so an absence over a weekend costs nothing.
A person counts as away when they are away on the **majority** of the span's working days — three
of a week's five; one training day leaves them counted as present, and says "1 of 5 days". A span
with no working day in it (a Saturday asked on its own) counts its calendar days instead, so a
report for a single day counts whoever is away that day. Public holidays are not known, so they
count as working days.

Absences are dates, not times: time zones and daylight saving changes play no part.

Nothing here imports Django: ``selectors.absent_between`` loads the absences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WEEKEND = (5, 6)  # date.weekday(): Saturday, Sunday

Span = tuple[date, date]  # first and last day, inclusive


def counted_days(first: date, last: date) -> list[date]:
    """The days of ``first``..``last`` that count: the working days, or every day when the span
    has none."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    working = [d for d in days if d.weekday() not in WEEKEND]
    return working or days


def working_days(first: date, last: date) -> int:
    """How many days of ``first``..``last`` fall Monday to Friday."""
    return sum(1 for i in range((last - first).days + 1) if (first + timedelta(days=i)).weekday() not in WEEKEND)


@dataclass(frozen=True, slots=True)
class Away:
    """How much of a span one person is away."""

    person_id: int
    days: int  # counted days of the span they are away
    of: int  # counted days in the span
    spans: tuple[Span, ...]  # their absences that overlap the span, earliest first

    @property
    def counts(self) -> bool:
        """Away on the majority of the counted days: they count as away for coverage."""
        return 2 * self.days > self.of

    @property
    def share(self) -> str:
        """'1 of 5 days', for the pages."""
        return f"{self.days} of {self.of} day{'s' if self.of != 1 else ''}"


def away_in(absent: Mapping[int, Iterable[Span]], first: date, last: date) -> dict[int, Away]:
    """For each person with an absence overlapping ``first``..``last``, how much of it they are
    away (a person away only on a weekend of a week is away 0 of 5 days)."""
    days = counted_days(first, last)
    result = {}
    for person_id, spans in absent.items():
        overlapping = tuple(sorted((a, b) for a, b in spans if a <= last and b >= first))
        if not overlapping:
            continue
        away_days = sum(1 for d in days if any(a <= d <= b for a, b in overlapping))
        result[person_id] = Away(person_id, away_days, len(days), overlapping)
    return result


def counted_away(away: Mapping[int, Away]) -> set[int]:
    """The people who count as away for coverage."""
    return {pk for pk, a in away.items() if a.counts}


def span_text(first: date, last: date) -> str:
    """'14–18 Dec', '28 Dec – 3 Jan', '14 Dec' (no year: the pages say which week)."""
    if first == last:
        return f"{first.day} {first:%b}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"
