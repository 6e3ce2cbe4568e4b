"""Demo runbooks, runbook executions and read marks, added by ``manage.py seed_demo`` once people,
systems, skills, assessments and pairing sessions exist. Idempotent: a second run creates nothing.

The runbooks are the example folder, ``examples/runbooks/``, imported as ``import_runbooks`` does.
Their review dates are moved close to today so that exactly one of them (the payment-batch
failover) is overdue for review whatever day the demo is built. The executions show each case the
pages deal with: production by two people, production alone (flagged for the lead), the new hire's
staging run waiting for confirmation, and a failed run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ops_skills.evidence import runbook_import, services
from ops_skills.evidence.models import Runbook, RunbookExecution, RunbookRead
from ops_skills.people.models import Notice, Person

EXAMPLES = Path(settings.BASE_DIR) / "examples" / "runbooks"
OVERDUE = ("batch-jobs", "payment-batch-failover")


@dataclass(frozen=True)
class DemoRun:
    runbook: tuple[str, str]  # (system slug, runbook slug)
    performer: str
    participants: tuple[str, ...]
    environment: str
    outcome: str
    days_ago: int
    status: str  # confirmed, pending
    decided_by: str | None
    notes: str
    link: str = ""


RUNS = [
    DemoRun(
        ("postgres-main", "restore-database-from-snapshot"),
        "marco@example.com",
        ("aisha@example.com",),
        "production",
        "success",
        38,
        "confirmed",
        "aisha@example.com",
        "Restored `orders` to 14:02 after the bad migration. Aisha checked the row counts; "
        "applications moved over at 15:10.",
        "https://tickets.example.com/INC-2291",
    ),
    DemoRun(
        ("payments-api", "deploy-and-roll-back-a-release"),
        "bob@example.com",
        ("chen@example.com",),
        "production",
        "success",
        6,
        "confirmed",
        "chen@example.com",
        "v4.18.0 with a 10% canary for 20 minutes, then everyone. No new errors.",
        "https://tickets.example.com/CHG-1840",
    ),
    DemoRun(
        ("batch-jobs", "payment-batch-failover"),
        "alice@example.com",
        ("bob@example.com",),
        "staging",
        "success",
        70,
        "confirmed",
        "bob@example.com",
        "Quarterly failover drill in staging; settlement files were ready at 04:50.",
    ),
    DemoRun(
        ("ci-pipelines", "fix-a-broken-pipeline"),
        "jonas@example.com",
        (),
        "production",
        "success",
        3,
        "pending",
        None,
        "The deploy role's credentials had expired at 02:00; rotated them and re-ran the failed deploys. "
        "Nobody else was awake.",
        "https://tickets.example.com/INC-2310",
    ),
    DemoRun(
        ("ecs-cluster", "drain-and-replace-a-node"),
        "aisha@example.com",
        ("priya@example.com",),
        "production",
        "failed",
        20,
        "confirmed",
        "priya@example.com",
        "The replacement node never joined the cluster (old launch template). Put the old node back; "
        "fixed the template the next day.",
    ),
    DemoRun(
        ("ecs-cluster", "drain-and-replace-a-node"),
        "ravi@example.com",
        ("priya@example.com",),
        "staging",
        "success",
        1,
        "pending",
        None,
        "My first drain, in staging, with Priya watching.",
    ),
]

# (system slug, runbook slug, reader, days ago)
READS = [
    ("postgres-main", "restore-database-from-snapshot", "marco@example.com", 40),
    ("postgres-main", "restore-database-from-snapshot", "aisha@example.com", 39),
    ("postgres-main", "restore-database-from-snapshot", "priya@example.com", 12),
    ("ecs-cluster", "drain-and-replace-a-node", "aisha@example.com", 21),
    ("ecs-cluster", "drain-and-replace-a-node", "jonas@example.com", 50),
    ("payments-api", "deploy-and-roll-back-a-release", "bob@example.com", 7),
    ("payments-api", "deploy-and-roll-back-a-release", "chen@example.com", 7),
    ("batch-jobs", "payment-batch-failover", "alice@example.com", 71),
    ("secrets-vault", "unseal-vault", "marco@example.com", 30),
]


def seed(*, today: date) -> dict[str, int]:
    counts = {"runbooks": _import_examples(today), "runbook executions": 0, "runbook reads": 0}
    runbooks = {(r.system.slug, r.slug): r for r in Runbook.objects.select_related("system")}
    people = {p.email: p for p in Person.objects.filter(email__endswith="@example.com")}
    if not RunbookExecution.objects.filter(runbook__in=runbooks.values()).exists():
        counts["runbook executions"] = _seed_runs(runbooks, people, today)
    for system_slug, slug, email, days_ago in READS:
        runbook, person = runbooks.get((system_slug, slug)), people.get(email)
        if runbook is None or person is None:
            continue
        _, created = RunbookRead.objects.get_or_create(
            runbook=runbook,
            person=person,
            defaults={"revision_number": 1, "read_at": _at(today - timedelta(days=days_ago), 11)},
        )
        counts["runbook reads"] += created
    return counts


def _import_examples(today: date) -> int:
    """Import the example folder; a broken example is a bug in this repository, so it stops the seed."""
    created = 0
    # Saved without refreshing levels: ``seed_demo`` recomputes the stored levels once after
    # this seeder, from everything it wrote.
    for result in runbook_import.import_directory(EXAMPLES, today=today, save=services.runbook_save):
        if result.error is not None:
            raise RuntimeError(f"{result.path}:{result.error.line}: {result.error.message}")
        if result.action != runbook_import.CREATED:
            continue
        created += 1
        runbook = result.runbook
        if (runbook.system.slug, runbook.slug) == OVERDUE:
            # Overdue by a month, whatever day it is (and never before the file's date, so that a
            # later import of the folder finds it unchanged).
            overdue = today - timedelta(days=runbook.review_interval_days + 30)
            reviewed = max(runbook.last_reviewed_on or overdue, overdue)
        else:
            # Reviewed within its interval; never before the file says (a later import keeps it).
            reviewed = max(runbook.last_reviewed_on or today, today - timedelta(days=runbook.review_interval_days // 3))
        Runbook.objects.filter(pk=runbook.pk).update(last_reviewed_on=min(reviewed, today))
    return created


def _seed_runs(runbooks: dict, people: dict, today: date) -> int:
    created = 0
    for run in RUNS:
        runbook = runbooks.get(run.runbook)
        performer = people.get(run.performer)
        participants = [people[e] for e in run.participants if e in people]
        if runbook is None or performer is None or len(participants) != len(run.participants):
            continue
        when = _at(today - timedelta(days=run.days_ago), 10 if run.days_ago % 2 else 15)
        decided_by = people.get(run.decided_by) if run.decided_by else None
        execution = RunbookExecution.objects.create(
            runbook=runbook,
            performer=performer,
            environment=run.environment,
            outcome=run.outcome,
            occurred_at=when,
            notes=run.notes,
            link=run.link,
            logged_by=performer,
            logged_at=when + timedelta(hours=1),
            status=run.status,
            decided_by=decided_by,
            decided_at=when + timedelta(hours=4) if decided_by else None,
        )
        execution.participants.set(participants)
        if run.status == RunbookExecution.Status.PENDING:
            # Those who were there are asked to confirm it, as when it is logged from the form.
            Notice.objects.bulk_create(
                Notice(
                    person=p,
                    text=f"{performer} logged a {run.environment} run of “{runbook.title}” with you",
                    url=execution.get_absolute_url(),
                )
                for p in participants
            )
        created += 1
    return created


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
