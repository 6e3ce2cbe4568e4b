"""Writes of the on-call app: fetching a schedule's feed and keeping its shifts, and which skills
the person on call must be able to do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ops_skills.oncall import feeds
from ops_skills.oncall.models import Schedule, Shift
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill


@dataclass(frozen=True, slots=True)
class Fetched:
    schedule: Schedule
    shifts: int = 0
    unmatched: tuple[str, ...] = ()
    error: str = ""


def _read(schedule: Schedule, start: datetime, end: datetime) -> tuple[list[feeds.FeedShift], bytes]:
    timeout, cap = settings.ONCALL_TIMEOUT_SECONDS, settings.ONCALL_FEED_MAX_BYTES
    if schedule.kind == Schedule.Kind.PAGERDUTY:
        if not schedule.pagerduty_schedule_id:
            raise feeds.FeedError("The schedule has no PagerDuty schedule id.")
        return feeds.pagerduty_shifts(
            settings.PAGERDUTY_API_URL,
            settings.PAGERDUTY_API_TOKEN,
            schedule.pagerduty_schedule_id,
            start,
            end,
            timeout=timeout,
            max_bytes=cap,
        )
    if not schedule.url:
        raise feeds.FeedError("The schedule has no feed address.")
    body = feeds.http_get(
        schedule.url, timeout=timeout, max_bytes=cap, allow_private=settings.ONCALL_FEEDS_ALLOW_PRIVATE
    )
    shifts = feeds.ical_shifts(
        body, start, end, tz=timezone.get_default_timezone(), max_shifts=settings.ONCALL_MAX_SHIFTS
    )
    return shifts, body


def schedule_fetch(*, schedule: Schedule, now: datetime | None = None) -> Fetched:
    """Read ``schedule``'s feed from ``now`` to ``ONCALL_FETCH_WEEKS`` weeks on (a shift under way
    included) and replace its shifts,
    holders matched to people by email. A feed that cannot be read leaves the last good copy
    and its shifts as they were and keeps the error on the schedule, for the lead to see."""
    now = now or timezone.now()
    start, end = now, now + timedelta(weeks=settings.ONCALL_FETCH_WEEKS)
    try:
        found, body = _read(schedule, start, end)
    except feeds.FeedError as e:
        schedule.last_error, schedule.last_error_at = str(e)[:300], now
        schedule.save(update_fields=["last_error", "last_error_at"])
        return Fetched(schedule, error=schedule.last_error)
    emails = {shift.email for shift in found if shift.email}
    people = dict(Person.objects.filter(email__in=emails).values_list("email", "pk"))
    unmatched = sorted(emails - people.keys())
    if any(not shift.email for shift in found):
        unmatched.append("(an event naming nobody)")
    with transaction.atomic():
        Shift.objects.filter(schedule=schedule).delete()
        Shift.objects.bulk_create(
            Shift(schedule=schedule, person_id=people.get(s.email), email=s.email, start=s.start, end=s.end)
            for s in found
        )
        schedule.feed = body.decode("utf-8", errors="replace")
        schedule.fetched_at, schedule.last_error, schedule.last_error_at = now, "", None
        schedule.unmatched = unmatched
        schedule.save(update_fields=["feed", "fetched_at", "last_error", "last_error_at", "unmatched"])
    return Fetched(schedule, shifts=len(found), unmatched=tuple(unmatched))


def schedules_fetch(*, schedules, now: datetime | None = None) -> list[Fetched]:
    """Each schedule fetched on its own: one bad feed does not stop the others."""
    return [schedule_fetch(schedule=schedule, now=now) for schedule in schedules]


def critical_skills_set(*, skills: Iterable[Skill], critical: Mapping[int, bool | None]) -> int:
    """Flag each of ``skills`` critical for on-call or not as ``critical`` says (skill id -> yes,
    no, or None for its system's tier's default); returns how many changed. Nothing stored depends
    on the flag (readiness reads it on each page, the levels never), so only the skills change,
    in one UPDATE (``bulk_update`` runs its batches in a transaction of its own)."""
    changed = []
    for skill in skills:
        if skill.pk in critical and skill.oncall_critical is not critical[skill.pk]:
            skill.oncall_critical = critical[skill.pk]
            changed.append(skill)
    Skill.objects.bulk_update(changed, ["oncall_critical"])
    return len(changed)
