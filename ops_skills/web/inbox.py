"""What waits for someone to act on, gathered from the evidence, planner and onboarding apps for
the home page: the evidence they may confirm, and for a lead (or an admin on a team) the team's
disputes, production runs done alone, overdue transfer assignments and overdue onboarding items.
Each line links to the page where it is acted on; deciding goes through ``ops_skills.flows``
there, as everywhere. Leads and admins also see how many git suggestions wait for them.

A fixed number of queries whatever the amount of data: two per kind of evidence to find and
count it, and the records of the lines shown with their people (at most five); two for each of
the lead's other kinds (a count and the lines shown); one to count the git suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch
from django.utils import timezone

from ops_skills.evidence import lifecycle
from ops_skills.evidence import selectors as evidence_selectors
from ops_skills.evidence.models import Evidence, PairingSession, RunbookExecution
from ops_skills.onboarding.models import ChecklistItem
from ops_skills.people import permissions
from ops_skills.planner.models import Assignment
from ops_skills.repos import suggestions
from ops_skills.skills.models import Skill

SHOWN = 5  # lines of each kind; the count says how many there are
SOLO_DAYS = 30  # production runs done alone are followed up while they are recent


@dataclass
class Section:
    lines: list = field(default_factory=list)
    count: int = 0


@dataclass
class Inbox:
    to_confirm: Section
    disputes: Section
    solo_runs: Section | None = None  # None: not a lead's inbox
    overdue_assignments: Section | None = None
    overdue_items: Section | None = None
    git_suggestions: int = 0  # open ones the person may decide (a lead's or an admin's)
    today: date | None = None
    solo_days: int = SOLO_DAYS

    @property
    def for_lead(self) -> bool:
        return self.solo_runs is not None

    @property
    def total(self) -> int:
        sections = (self.to_confirm, self.disputes, self.solo_runs, self.overdue_assignments, self.overdue_items)
        return sum(s.count for s in sections if s is not None) + self.git_suggestions


def inbox(person, *, today: date | None = None) -> Inbox:
    """What waits for ``person`` (see the module)."""
    today = today or timezone.localdate()
    to_confirm, disputes = _evidence(person)
    result = Inbox(to_confirm=to_confirm, disputes=disputes, today=today)
    if permissions.is_lead_or_admin(person):
        result.git_suggestions = suggestions.decidable(person).count()
    team_id = person.team_id if permissions.is_lead_or_admin(person) else None
    if team_id is None:
        return result
    result.solo_runs = _section(
        RunbookExecution.objects.filter(
            environment=RunbookExecution.Environment.PRODUCTION,
            performer__team_id=team_id,
            occurred_at__gte=timezone.now() - timedelta(days=SOLO_DAYS),
        )
        .annotate(participant_count=Count("participants"))
        .filter(participant_count=0)
        .select_related("runbook__system", "performer")
        .order_by("-occurred_at", "-id")
    )
    result.overdue_assignments = _section(
        Assignment.objects.overdue(today)
        .filter(skill__system__team_id=team_id)
        .select_related("skill__system__team", "mentor", "learner")
        .order_by("due_on", "id")
    )
    result.overdue_items = _section(
        ChecklistItem.objects.filter(
            checklist__team_id=team_id,
            checklist__person__is_active=True,
            done_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("checklist__person")
        .order_by("due_on", "id")
    )
    return result


def _section(queryset) -> Section:
    """Two queries: the first lines, and how many there are when there may be more."""
    lines = list(queryset[:SHOWN])
    return Section(lines, len(lines) if len(lines) < SHOWN else queryset.count())


def _evidence(person) -> tuple[Section, Section]:
    """The pending evidence ``person`` may confirm and the disputes waiting for them as a lead,
    newest first. Queries: the keys of each kind (2), then the records shown with their people
    and skills (sessions 3, executions 2; none when there is nothing)."""
    sessions, executions = evidence_selectors.waiting_for(person)
    keys = sorted(
        [
            *((at, pk, status, "s") for pk, at, status in sessions.values_list("pk", "occurred_at", "status")),
            *((at, pk, status, "e") for pk, at, status in executions.values_list("pk", "occurred_at", "status")),
        ],
        reverse=True,
    )
    pending = [k for k in keys if k[2] == Evidence.Status.PENDING]
    disputed = [k for k in keys if k[2] == Evidence.Status.DISPUTED]
    shown = pending[:SHOWN] + disputed[:SHOWN]
    wanted = {kind: [pk for _, pk, _, k in shown if k == kind] for kind in "se"}
    loaded = {}
    if wanted["s"]:
        records = (
            PairingSession.objects.filter(pk__in=wanted["s"])
            .select_related("mentor", "decided_by")
            .prefetch_related("learners", Prefetch("skills", queryset=Skill.objects.select_related("system")))
        )
        loaded.update((("s", r.pk), r) for r in records)
    if wanted["e"]:
        records = (
            RunbookExecution.objects.filter(pk__in=wanted["e"])
            .select_related("runbook__system", "performer", "decided_by")
            .prefetch_related("participants")
        )
        loaded.update((("e", r.pk), r) for r in records)

    def lines(keys):
        # The query is the rule of ``permissions.can_decide``; asking it again costs nothing here
        # (the participants are prefetched) and keeps a line from offering what the page refuses.
        records = [loaded[kind, pk] for _, pk, _, kind in keys]
        return [r for r in records if lifecycle.can_decide(person, r)]

    return Section(lines(pending[:SHOWN]), len(pending)), Section(lines(disputed[:SHOWN]), len(disputed))
