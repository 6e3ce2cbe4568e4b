"""A small rota with every status, shared by the command and page tests.

Platform answers for payments (tier 1: deploy and restore are critical by default) and batch
(tier 2: only rerun is flagged critical; docs is not). Max covers deploy, fresh; Lena (the lead)
covers restore, fresh; nobody covers rerun. Next week Max is on call: restore is a gap with Lena as
its backup, rerun one with nobody, so at risk (ready with backup once rerun is not critical). The
week after, ghost@example.com, who is nobody here: every critical skill is a gap."""

from datetime import timedelta

from django.utils import timezone

from ops_skills.oncall.models import Schedule, Shift
from tests.factories import make_execution, make_runbook, make_skill, make_system


def next_monday(now=None):
    today = timezone.localdate(now)
    monday = today + timedelta(days=7 - today.weekday())
    return timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time())) + timedelta(hours=9)


def build(team, lead, member):
    payments = make_system(team, slug="payments", tier=1)
    batch = make_system(team, slug="batch", tier=2)
    deploy = make_skill(payments, slug="deploy")
    restore = make_skill(payments, slug="restore")
    make_skill(batch, slug="rerun", oncall_critical=True)
    make_skill(batch, slug="docs")
    make_execution(make_runbook(payments, [deploy]), member)  # level 3, practised yesterday
    make_execution(make_runbook(payments, [restore]), lead)
    schedule = Schedule.objects.create(team=team, name="Primary", url="https://rota.example.com/p.ics")
    schedule.systems.set([payments, batch])
    start = next_monday()
    first = Shift.objects.create(
        schedule=schedule, person=member, email=member.email, start=start, end=start + timedelta(weeks=1)
    )
    second = Shift.objects.create(
        schedule=schedule,
        email="ghost@example.com",
        start=start + timedelta(weeks=1),
        end=start + timedelta(weeks=2),
    )
    return schedule, first, second
