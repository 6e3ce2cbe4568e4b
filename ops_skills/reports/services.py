"""Writes of the reports app: absences and the daily snapshot."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.people import permissions
from ops_skills.people.http import parse_date, parse_week
from ops_skills.people.models import Person, Team
from ops_skills.reports import selectors
from ops_skills.reports.models import Absence, Snapshot
from ops_skills.reports.summary import Rollup, summarise


def absence_create(*, by: Person, person: Person, starts_on: date, ends_on: date, kind: str, note: str = "") -> Absence:
    if not permissions.can_record_absence(by, person):
        raise PermissionDenied("You can record absences for yourself (and for your team if you lead it).")
    absence = Absence(person=person, starts_on=starts_on, ends_on=ends_on, kind=kind, note=note, created_by=by)
    absence.full_clean()
    absence.save()
    return absence


def absence_delete(*, by: Person, absence: Absence) -> None:
    if not permissions.can_record_absence(by, absence.person):
        raise PermissionDenied("You cannot delete this absence.")
    absence.delete()


def _figures(rollup: Rollup) -> dict:
    return {
        "skills": rollup.skills,
        "uncovered": rollup.uncovered,
        "single_points": rollup.single_points,
        "systems": rollup.systems,
        "systems_at_risk": rollup.systems_at_risk,
        "mean_truck_factor": rollup.mean_truck_factor,
        "min_truck_factor": rollup.min_truck_factor,
        "deficit": rollup.deficit,
    }


@transaction.atomic
def snapshot_take(*, today: date | None = None) -> list[Snapshot]:
    """Today's figures for the organisation and each team (the report's roll-ups); running it
    again the same day updates the same rows (idempotent)."""
    today = today or timezone.localdate()
    summary = summarise(selectors.org_facts(today=today, levels=False))
    taken = [_save(today, None, _figures(summary.org))]
    for team in Team.objects.order_by("name"):
        taken.append(_save(today, team, _figures(summary.team(team.pk))))
    return taken


def _save(today: date, team: Team | None, figures: dict) -> Snapshot:
    snapshot, _ = Snapshot.objects.update_or_create(taken_on=today, team=team, defaults=figures)
    return snapshot


def validate_span(on: str = "", week: str = "") -> tuple[date, date] | None:
    """``on=YYYY-MM-DD`` or ``week=YYYY-Www`` (ISO week, Monday to Sunday) as (first, last)."""
    if on and week:
        raise ValidationError("Ask for a date or a week, not both.")
    try:
        if on:
            day = parse_date(on)
            return day, day
        if week:
            return parse_week(week)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return None
