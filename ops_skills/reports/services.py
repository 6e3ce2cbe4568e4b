"""Writes of the reports app: absences and the daily snapshot."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.reports import selectors
from ops_skills.reports.models import Absence, Snapshot
from ops_skills.reports.summary import Summary, summarise


def may_record_absence(user: Person, person: Person) -> bool:
    """People record their own absences; leads those of their team; admins anyone's."""
    return user.pk == person.pk or user.manages(person)


def absence_create(*, by: Person, person: Person, starts_on: date, ends_on: date, kind: str, note: str = "") -> Absence:
    if not may_record_absence(by, person):
        raise PermissionDenied("You can record absences for yourself (and for your team if you lead it).")
    absence = Absence(person=person, starts_on=starts_on, ends_on=ends_on, kind=kind, note=note, created_by=by)
    absence.full_clean()
    absence.save()
    return absence


def absence_delete(*, by: Person, absence: Absence) -> None:
    if not may_record_absence(by, absence.person):
        raise PermissionDenied("You cannot delete this absence.")
    absence.delete()


def _figures(summary: Summary) -> dict:
    tfs = summary.truck_factors
    return {
        "skills": summary.skills,
        "uncovered": summary.uncovered,
        "single_points": summary.single_points,
        "systems": len(summary.systems),
        "systems_at_risk": summary.systems_at_risk,
        "mean_truck_factor": round(sum(tfs) / len(tfs), 2) if tfs else None,
        "min_truck_factor": min(tfs) if tfs else None,
        "deficit": summary.deficit,
    }


@transaction.atomic
def snapshot_take(*, today: date | None = None) -> list[Snapshot]:
    """Today's figures for the organisation and each team; running it again the same day
    updates the same rows (idempotent)."""
    today = today or timezone.localdate()
    facts = selectors.org_facts(today=today)
    org_summary = summarise(facts)
    taken = [_save(today, None, _figures(org_summary))]
    for team in Team.objects.order_by("name"):
        team_facts = type(facts)(
            people=facts.people,
            systems={pk: s for pk, s in facts.systems.items() if s.team_id == team.pk},
            skills=tuple(s for s in facts.skills if facts.systems[s.system_id].team_id == team.pk),
            levels=facts.levels,
        )
        taken.append(_save(today, team, _figures(summarise(team_facts))))
    return taken


def _save(today: date, team: Team | None, figures: dict) -> Snapshot:
    snapshot, _ = Snapshot.objects.update_or_create(taken_on=today, team=team, defaults=figures)
    return snapshot


def validate_span(on: str = "", week: str = "") -> tuple[date, date] | None:
    """``on=YYYY-MM-DD`` or ``week=YYYY-Www`` (ISO week, Monday to Sunday) as (first, last)."""
    from datetime import timedelta

    if on and week:
        raise ValidationError("Ask for a date or a week, not both.")
    if on:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            raise ValidationError(f"“{on}” is not a date (YYYY-MM-DD).") from None
        return day, day
    if week:
        try:
            year, _, number = week.partition("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            raise ValidationError(f"“{week}” is not a week (YYYY-Www, e.g. 2026-W33).") from None
        return monday, monday + timedelta(days=6)
    return None
