"""Demo data for the onboarding app, added by ``manage.py seed_demo`` after people, systems,
skills, assessments and evidence exist. Idempotent: a second run creates nothing.

Platform gets an "SRE onboarding" template; Ravi (the new hire, started 12 days ago, buddy Marco)
is part-way through it: some items ticked by evidence, some by hand, one overdue. Aisha went
through it last year, so the lead's overview also shows a finished onboarding. Items that name a
runbook or skill the demo does not have (runbooks come from the evidence demo) are left out.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from ops_skills.levels import store
from ops_skills.onboarding import checklists
from ops_skills.onboarding.models import Checklist, ChecklistItem, Kind, OnboardingTemplate, TemplateItem
from ops_skills.people.models import Person, Team

TEMPLATE_NAME = "SRE onboarding"
DESCRIPTION = """Welcome to **Platform**! This list takes you through your first month: whom to meet, \
which runbooks to read and which ones to try in *staging* with your buddy. Items about runbooks and \
pairing tick themselves when you mark a runbook read or when a session or a staging run you logged \
is confirmed; tick the others yourself."""

# kind, title, due days, (system slug, skill slug) naming the runbook or skill, guidance
ITEMS = [
    (
        Kind.ACCESS,
        "Get access to AWS SSO, Vault and the on-call pager",
        1,
        None,
        "Ask in `#platform-access`; your buddy approves the Vault policy.",
    ),
    (Kind.MEET, "Meet Priya, your lead, for a first 1:1", 2, None, ""),
    (
        Kind.READ_RUNBOOK,
        "Read how we fix a broken deploy pipeline",
        4,
        ("ci-pipelines", "fix-a-broken-pipeline"),
        "",
    ),
    (
        Kind.PAIR_SKILL,
        "Pair on adding an alert",
        6,
        ("monitoring", "add-an-alert"),
        "Any Prometheus rule will do; pick one from the backlog.",
    ),
    (
        Kind.TEXT,
        "Set up your laptop and the on-call tooling",
        8,
        None,
        "- `aws-vault`, `kubectl`, `psql`\n- the PagerDuty app on your phone\n- read the on-call handbook",
    ),
    (
        Kind.PAIR_SKILL,
        "Pair on draining and replacing an ECS node",
        9,
        ("ecs-cluster", "drain-and-replace-a-node"),
        "",
    ),
    (
        Kind.READ_RUNBOOK,
        "Read the database restore runbook",
        13,
        ("postgres-main", "restore-database-from-snapshot"),
        "The most important runbook we have: **read it before your first on-call week**.",
    ),
    (
        Kind.PAIR_SKILL,
        "Pair with Marco on point-in-time recovery",
        14,
        ("postgres-main", "point-in-time-recovery"),
        "Marco is the only one who can do it alone: this is how we change that.",
    ),
    (
        Kind.EXECUTE_STAGING,
        "Restore the staging database from a snapshot",
        21,
        ("postgres-main", "restore-database-from-snapshot"),
        "Log the run with your buddy as participant.",
    ),
    (
        Kind.EXECUTE_STAGING,
        "Drain and replace a staging ECS node",
        25,
        ("ecs-cluster", "drain-and-replace-a-node"),
        "",
    ),
    (Kind.MEET, "Shadow an on-call shift with Jonas", 28, None, ""),
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _lookup(kind, ref):
    """(runbook, skill) for an item, or None when the demo lacks what it names."""
    from ops_skills.evidence.models import Runbook
    from ops_skills.skills.models import Skill

    if ref is None:
        return None, None
    system_slug, skill_slug = ref
    skill = Skill.objects.filter(system__slug=system_slug, slug=skill_slug).first()
    if skill is None:
        return None
    if kind == Kind.PAIR_SKILL:
        return None, skill
    runbook = Runbook.objects.filter(system__slug=system_slug, skills=skill).order_by("pk").first()
    return (runbook, None) if runbook else None


@transaction.atomic
def seed(*, today: date) -> dict[str, int]:
    """Create this app's demo rows; return counts of what was created."""
    counts = {"onboarding templates": 0, "onboarding checklists": 0}
    team = Team.objects.filter(slug="platform").first()
    people = {p.email: p for p in Person.objects.filter(email__endswith="@example.com")}
    priya, ravi, marco = (people.get(f"{n}@example.com") for n in ("priya", "ravi", "marco"))
    if team is None or priya is None:
        return counts
    template = OnboardingTemplate.objects.filter(team=team, name=TEMPLATE_NAME).first()
    if template is None:
        template = OnboardingTemplate.objects.create(
            team=team, name=TEMPLATE_NAME, role=Person.Role.MEMBER, description=DESCRIPTION, created_by=priya
        )
        position = 0
        for kind, title, due_days, ref, guidance in ITEMS:
            found = _lookup(kind, ref)
            if found is None:
                continue  # the runbook or skill is not in this demo
            position += 1
            runbook, skill = found
            TemplateItem.objects.create(
                template=template,
                position=position,
                kind=kind,
                title=title,
                due_days=due_days,
                guidance=guidance,
                runbook=runbook,
                skill=skill,
            )
        counts["onboarding templates"] += 1
    if ravi is not None and marco is not None and not Checklist.objects.filter(person=ravi).exists():
        _seed_new_hire(template, ravi, marco, priya, people, today)
        counts["onboarding checklists"] += 1
    aisha = people.get("aisha@example.com")
    if aisha is not None and not Checklist.objects.filter(person=aisha).exists():
        _seed_finished(template, aisha, marco, priya, today)
        counts["onboarding checklists"] += 1
    return counts


def _seed_new_hire(template, ravi, marco, priya, people, today: date) -> None:
    """Ravi, 12 days in: evidence ticks two items, hands three, one is overdue."""
    from ops_skills.evidence.models import PairingSession, RunbookRead

    started = today - timedelta(days=12)
    items = {i.title: i for i in template.items.all()}
    # Evidence from his first days, before the checklist exists: it counts since the start date.
    pipeline = items.get("Read how we fix a broken deploy pipeline")
    if pipeline is not None:
        RunbookRead.objects.get_or_create(
            runbook=pipeline.runbook,
            person=ravi,
            defaults={"revision_number": 1, "read_at": _at(started + timedelta(days=3), 15)},
        )
    alert = items.get("Pair on adding an alert")
    mentor = people.get("jonas@example.com") or marco
    if alert is not None:
        when = _at(started + timedelta(days=5), 14)
        session = PairingSession.objects.create(
            mentor=mentor,
            duration_minutes=60,
            occurred_at=when,
            notes="Wrote the `DiskWillFillIn4Hours` alert together and routed it to the platform pager.",
            logged_by=mentor,
            status=PairingSession.Status.CONFIRMED,
            decided_by=ravi,
            decided_at=when + timedelta(hours=2),
        )
        session.learners.set([ravi])
        session.skills.set([alert.skill])
        # Written confirmed, as its history left it: store the levels it gives.
        store.refresh_scope(store.evidence_scope(session))
    checklist = checklists.checklist_start(person=ravi, template=template, buddy=marco, started_on=started, by=priya)
    by_hand = {
        "Get access to AWS SSO, Vault and the on-call pager": (marco, 1),
        "Meet Priya, your lead, for a first 1:1": (ravi, 2),
        "Set up your laptop and the on-call tooling": (ravi, 6),
    }
    for item in checklist.items.filter(title__in=by_hand):
        who, day = by_hand[item.title]
        item.done_at = _at(started + timedelta(days=day), 16)
        item.completed_by = ChecklistItem.CompletedBy.HAND
        item.ticked_by = who
        item.save(update_fields=["done_at", "completed_by", "ticked_by"])


def _seed_finished(template, aisha, marco, priya, today: date) -> None:
    """Aisha's onboarding, last year: every item done, two of them a little late."""
    started = today - timedelta(days=410)
    checklist = checklists.checklist_start(person=aisha, template=template, buddy=marco, started_on=started, by=priya)
    # Before evidence was logged here: every item was ticked by hand, whatever ticked itself since.
    for n, item in enumerate(checklist.items.all()):
        late = 3 if n % 4 == 1 else 0
        item.done_at = _at(item.due_on + timedelta(days=late or -1), 16)
        item.completed_by = ChecklistItem.CompletedBy.HAND
        item.ticked_by = marco if n % 2 else aisha
        item.read = item.session = item.execution = None
        item.save(update_fields=["done_at", "completed_by", "ticked_by", "read", "session", "execution"])
    Checklist.objects.filter(pk=checklist.pk).update(finished_at=None)
    checklists.checklists_refresh_finished([checklist.pk])
