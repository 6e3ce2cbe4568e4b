"""Daily reminders in direct messages: every piece of evidence waiting for a person's decision
gets its Confirm / Dispute message (once: ``delivery.ask``), and a person with transfer
assignments due within a week gets one message a day about them (``ReminderSent``)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from slack_sdk.errors import SlackApiError

from ops_skills.chat import blocks, delivery, linking
from ops_skills.chat.models import ReminderSent
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.planner.models import Assignment

DUE_DAYS = 7


def ask_everyone(client) -> int:
    """Ask for every pending piece of evidence not asked about yet. Returns messages sent."""
    sent = 0
    pending = PairingSession.Status.PENDING
    for evidence in [
        *PairingSession.objects.filter(status=pending)
        .select_related("mentor")
        .prefetch_related("learners", "skills__system"),
        *RunbookExecution.objects.filter(status=pending).select_related("runbook", "performer"),
    ]:
        sent += delivery.ask(client, evidence)
    return sent


def remind_assignments(client, *, today=None) -> int:
    today = today or timezone.localdate()
    due = (
        Assignment.objects.open()
        .filter(due_on__lte=today + timedelta(days=DUE_DAYS))
        .select_related("skill__system", "mentor", "learner")
        .order_by("due_on", "pk")
    )
    by_person: dict = {}
    for assignment in due:
        for person in (assignment.mentor, assignment.learner):
            if person.is_active and person.departed_on is None:
                by_person.setdefault(person, []).append(assignment)
    sent = 0
    for person, assignments in by_person.items():
        slack_user_id = linking.slack_user_for(client, person)
        if not slack_user_id:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(person=person, day=today)
                lines = []
                for a in assignments:
                    role = f"teach {a.learner}" if a.mentor_id == person.pk else f"learn from {a.mentor}"
                    late = "overdue since" if a.due_on < today else "due"
                    lines.append(f"• {a.skill.system.slug}/{a.skill.slug}: {role}, {late} {a.due_on:%d %b}")
                body = "\n".join(blocks.escape(line) for line in lines)
                client.chat_postMessage(
                    channel=slack_user_id,
                    **blocks.message(
                        f"Transfer assignments due soon: {len(assignments)}",
                        blocks.section(
                            f"*Transfer assignments due soon*\n{body}\n{blocks.link('/plan/', 'Open the planner')}"
                        ),
                    ),
                )
        except IntegrityError:
            continue
        except SlackApiError:
            continue
        sent += 1
    return sent
