"""Reminders about onboarding items due soon or overdue, emailed to new hires and their buddies,
each sent once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from ops_skills.onboarding import rules
from ops_skills.onboarding.models import ChecklistItem, ReminderSent
from ops_skills.people.links import absolute_url


def reminders_send(*, today: date, within_days: int = rules.DUE_SOON_DAYS) -> int:
    """Email new hires and their buddies about items due within ``within_days`` or overdue,
    one email per person listing what is new since the last run. Each (item, person, kind) is
    recorded, so a reminder is never sent twice; returns how many reminders were recorded. The
    emails go when the transaction commits."""
    items = (
        ChecklistItem.objects.filter(
            done_at__isnull=True,
            checklist__finished_at__isnull=True,
            due_on__lte=today + timedelta(days=within_days),
        )
        .select_related("checklist__person", "checklist__buddy")
        .order_by("due_on", "position", "pk")
    )
    items = list(items)
    already = set(
        ReminderSent.objects.filter(item__in=[i.pk for i in items]).values_list("item_id", "person_id", "kind")
    )
    new, by_person, people = [], defaultdict(list), {}
    for item in items:
        kind = rules.reminder_kind(due_on=item.due_on, done=False, today=today, within_days=within_days)
        hire, buddy = item.checklist.person, item.checklist.buddy
        if kind is None or hire.is_departed or not hire.is_active:
            continue
        for recipient in [hire, buddy]:
            if recipient is None or recipient.is_departed or not recipient.is_active:
                continue
            if (item.pk, recipient.pk, kind) in already:
                continue
            new.append(ReminderSent(item=item, person=recipient, kind=kind))
            by_person[recipient.pk].append((item, kind))
            people[recipient.pk] = recipient
    with transaction.atomic():
        # A concurrent run that recorded the same reminders makes this one fail on the unique
        # constraint and roll back, sending nothing.
        ReminderSent.objects.bulk_create(new)
        for person_id, lines in by_person.items():
            transaction.on_commit(lambda p=people[person_id], lines=lines: _send_reminder(p, lines, today))
    return len(new)


def _send_reminder(person, lines, today: date) -> None:
    overdue = sum(1 for _, kind in lines if kind == "overdue")
    soon = len(lines) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{soon} due soon" if soon else ""]
    subject = f"[{settings.SITE_NAME}] Onboarding: " + ", ".join(p for p in parts if p)
    groups = defaultdict(list)
    for item, kind in lines:
        groups[item.checklist].append((item, kind))
    context = {
        "person": person,
        "groups": [
            {"checklist": c, "mine": c.person_id == person.pk, "url": absolute_url(c.get_absolute_url()), "lines": ls}
            for c, ls in groups.items()
        ],
        "today": today,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=" ".join(subject.split()),
        message=render_to_string("onboarding/email/reminder.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )
