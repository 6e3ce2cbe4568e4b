"""A person's calendar as iCalendar (RFC 5545): their open transfer assignments (as mentor and as
learner), the due dates of their onboarding items still to do, and their absences.

``calendar_ics`` turns plain events into the file (no database); ``person_events`` loads them in
three queries, whatever their number. Dates are all-day events; each event's UID is made of what
it is and its id, so a calendar app that reads the feed again updates the event rather than adding
a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from ops_skills.onboarding.models import ChecklistItem
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment
from ops_skills.reports.models import Absence

PRODID = "-//ops-skills//calendar//EN"
UID_DOMAIN = "ops-skills"
ABSENCES_SINCE_DAYS = 365  # past absences older than this are history, not calendar


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_on: date
    ends_on: date  # the last day, included
    description: str = ""
    url: str = ""
    busy: bool = False  # an absence blocks the time; a due date does not


def calendar_ics(*, name: str, events: list[CalendarEvent], now: datetime) -> bytes:
    """The iCalendar file of ``events``. ``now`` stamps every event (DTSTAMP, in UTC)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", timedelta(hours=1))
    stamp = now.astimezone(UTC)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("dtstart", item.starts_on)
        event.add("dtend", item.ends_on + timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        cal.add_component(event)
    return cal.to_ical()


def person_events(person: Person, *, absolute, today: date | None = None) -> list[CalendarEvent]:
    """The events of ``person``'s calendar; ``absolute(path)`` makes a link absolute. Three
    queries: assignments, onboarding items, absences."""
    today = today or timezone.localdate()
    events: list[CalendarEvent] = []
    assignments = (
        Assignment.objects.open()
        .involving(person)
        .select_related("skill__system", "mentor", "learner")
        .order_by("due_on", "pk")
    )
    mine = absolute(reverse("planner:mine"))
    for assignment in assignments:
        skill = f"{assignment.skill.name} ({assignment.skill.system.name})"
        if assignment.mentor_id == person.pk:
            summary = f"Teach {skill} to {assignment.learner}"
        else:
            summary = f"Learn {skill} from {assignment.mentor}"
        events.append(
            CalendarEvent(
                uid=f"assignment-{assignment.pk}@{UID_DOMAIN}",
                summary=f"Due: {summary}",
                starts_on=assignment.due_on,
                ends_on=assignment.due_on,
                description=assignment.why,
                url=mine,
            )
        )
    items = (
        ChecklistItem.objects.filter(checklist__person=person, done_at__isnull=True)
        .select_related("checklist")
        .order_by("due_on", "position", "pk")
    )
    for item in items:
        events.append(
            CalendarEvent(
                uid=f"onboarding-item-{item.pk}@{UID_DOMAIN}",
                summary=f"Onboarding due: {item.title}",
                starts_on=item.due_on,
                ends_on=item.due_on,
                url=absolute(item.checklist.get_absolute_url()),
            )
        )
    absences = Absence.objects.filter(person=person, ends_on__gte=today - timedelta(days=ABSENCES_SINCE_DAYS)).order_by(
        "starts_on", "pk"
    )
    for absence in absences:
        events.append(
            CalendarEvent(
                uid=f"absence-{absence.pk}@{UID_DOMAIN}",
                summary=f"{person} away: {absence.get_kind_display()}",
                starts_on=absence.starts_on,
                ends_on=absence.ends_on,
                description=absence.note,
                busy=True,
            )
        )
    return events
