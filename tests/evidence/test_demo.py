"""The evidence part of the demo organisation: the example runbooks, executions that show each
case (two people in production, one alone and flagged, the new hire's staging run waiting for
confirmation, a failed run), read marks, and nothing new on a second run."""

from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence import demo
from ops_skills.evidence.models import Runbook, RunbookExecution, RunbookRead
from ops_skills.people.models import Notice, Person
from ops_skills.web.management.commands.seed_demo import seed

TODAY = timezone.localdate()


def test_the_demo_has_runbooks_executions_and_reads(db):
    counts = seed(today=TODAY)
    assert counts["runbooks"] == Runbook.objects.count() == 6
    assert counts["runbook executions"] == RunbookExecution.objects.count() == len(demo.RUNS)
    assert counts["runbook reads"] == len(demo.READS)
    assert RunbookRead.objects.exclude(person__email="ravi@example.com").count() == len(demo.READS)  # his: onboarding

    runs = RunbookExecution.objects.select_related("performer").prefetch_related("participants")
    production = [e for e in runs if e.environment == "production"]
    assert any(e.participants.all() and e.status == "confirmed" and e.outcome == "success" for e in production)
    alone = [e for e in production if not e.participants.all()]
    assert [e.performer.email for e in alone] == ["jonas@example.com"]
    assert any(e.outcome == "failed" for e in runs)
    (staging,) = [e for e in runs if e.performer.email == "ravi@example.com"]
    assert (staging.environment, staging.status) == ("staging", "pending")
    # Who was there is asked to confirm it.
    assert Notice.objects.filter(url=staging.get_absolute_url(), person__email="priya@example.com").exists()
    assert [r.slug for r in Runbook.objects.all() if r.is_overdue(TODAY)] == ["payment-batch-failover"]


def test_a_second_run_creates_nothing(db):
    seed(today=TODAY)
    before = [m.objects.count() for m in (Runbook, RunbookExecution, RunbookRead, Notice)]
    again = demo.seed(today=TODAY)
    assert again == {"runbooks": 0, "runbook executions": 0, "runbook reads": 0}
    assert [m.objects.count() for m in (Runbook, RunbookExecution, RunbookRead, Notice)] == before


def test_the_demo_lead_sees_the_solo_run_flagged_and_the_overdue_runbook(db, client):
    seed(today=TODAY)
    client.force_login(Person.objects.get(email="priya@example.com"))
    flagged = client.get(reverse("evidence:flagged"))
    assert [e.performer.email for e in flagged.context["page"]] == ["jonas@example.com"]
    listed = client.get(reverse("evidence:runbooks"), {"overdue": "1"})
    assert [r.slug for r in listed.context["page"]] == ["payment-batch-failover"]
    runbook = Runbook.objects.get(slug="drain-and-replace-a-node")
    page = client.get(runbook.get_absolute_url())
    assert len(page.context["executions"]) == 2
    assert "Ravi Patel" in page.content.decode() and "waiting for confirmation" in page.content.decode()
