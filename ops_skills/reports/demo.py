"""Demo data for the reports app, added by ``manage.py seed_demo`` after people, systems,
skills, assessments and evidence exist. Idempotent: a second run creates nothing.

Two planned absences (alice, a key person of the payments systems, on leave in ten days for a
week, so the Payments lead's home page warns of the gap; marco on a two-day training) and about
ninety days of snapshots that improve towards today's real figures."""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.db import transaction

from ops_skills.people.models import Person, Team
from ops_skills.reports import services
from ops_skills.reports.models import Absence, Snapshot

HISTORY_DAYS = 90
ABSENCES = [
    # email, days from today, length in days, kind, note
    ("alice@example.com", 10, 7, Absence.Kind.LEAVE, "Summer holiday"),
    ("marco@example.com", 20, 2, Absence.Kind.TRAINING, "Kubernetes training"),
]


@transaction.atomic
def seed(*, today: date) -> dict[str, int]:
    """Create this app's demo rows; return counts of what was created."""
    people = {p.email: p for p in Person.objects.filter(email__in=[a[0] for a in ABSENCES])}
    absences = 0
    for email, start, length, kind, note in ABSENCES:
        person = people.get(email)
        if person is None or Absence.objects.filter(person=person, note=note).exists():
            continue
        Absence.objects.create(
            person=person,
            starts_on=today + timedelta(days=start),
            ends_on=today + timedelta(days=start + length - 1),
            kind=kind,
            note=note,
            created_by=person,
        )
        absences += 1
    before = Snapshot.objects.count()
    current = {(s.team_id): s for s in services.snapshot_take(today=today)}
    scopes = [None, *Team.objects.order_by("name")]
    existing = set(Snapshot.objects.filter(taken_on__lt=today).values_list("taken_on", "team_id"))
    rows = []
    for team in scopes:
        now = current[team.pk if team else None]
        for ago in range(HISTORY_DAYS, 0, -1):
            day = today - timedelta(days=ago)
            if (day, team.pk if team else None) in existing:
                continue
            rows.append(_past(now, day, team, ago / HISTORY_DAYS))
    Snapshot.objects.bulk_create(rows)
    return {"absences": absences, "snapshots": Snapshot.objects.count() - before}


def _past(now: Snapshot, day: date, team, share: float) -> Snapshot:
    """A plausible earlier day: worse in proportion to how long ago, with a small weekly wiggle."""
    wiggle = round(math.sin(day.toordinal() / 6))  # -1, 0 or 1, slow and deterministic
    worse = max(1, now.skills // 12)
    single = now.single_points + round(worse * 1.5 * share) + (wiggle if share > 0.1 else 0)
    uncovered = now.uncovered + round(worse * share)
    at_risk = min(now.systems, now.systems_at_risk + round(max(1, now.systems // 4) * share))
    mean = now.mean_truck_factor
    return Snapshot(
        taken_on=day,
        team=team,
        skills=now.skills,
        uncovered=max(0, uncovered),
        single_points=max(0, single),
        systems=now.systems,
        systems_at_risk=at_risk,
        mean_truck_factor=None if mean is None else round(max(0.0, mean - 0.8 * share), 2),
        min_truck_factor=now.min_truck_factor if share < 0.5 else 0 if now.min_truck_factor is not None else None,
        deficit=now.deficit + round(worse * 2 * share),
    )
