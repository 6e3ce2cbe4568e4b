"""Reads of evidence for the pages."""

from __future__ import annotations

from django.db.models import Q

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people import permissions
from ops_skills.people.models import Person


def recent_evidence(skills, limit: int = 10) -> list:
    """The latest pairing sessions and runbook executions on these skills, newest first.
    Five queries: executions, their participants; sessions, their learners, their skills."""
    executions = (
        RunbookExecution.objects.filter(runbook__skills__in=skills)
        .distinct()
        .select_related("runbook__system", "performer")
        .prefetch_related("participants")
        .order_by("-occurred_at", "-id")[:limit]
    )
    sessions = (
        PairingSession.objects.filter(skills__in=skills)
        .distinct()
        .select_related("mentor")
        .prefetch_related("learners", "skills__system")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return sorted([*executions, *sessions], key=lambda e: e.occurred_at, reverse=True)[:limit]


def waiting_for(person) -> tuple:
    """What waits for ``person`` to decide on, as (sessions, executions) querysets without their
    related rows or order: the pending evidence they took part in and did not log and, for a lead
    or an admin with a team, the pending evidence anyone on that team took part in (a staging run
    between two members, a session the lead did not attend) and the team's disputes that no lead
    or admin made: a member's dispute does not count until a lead confirms the evidence or leaves
    it disputed (``lifecycle.uphold``). The same people as ``people.permissions.can_decide``.
    No query until they are read."""
    Status = PairingSession.Status
    session_people = PairingSession.learners.through.objects
    run_people = RunbookExecution.participants.through.objects
    # Subqueries on the through tables' indexes, not an OR over a join (see ``lifecycle.participants``).
    mine_s = Q(mentor=person) | Q(pk__in=session_people.filter(person=person).values("pairingsession_id"))
    mine_e = Q(performer=person) | Q(pk__in=run_people.filter(person=person).values("runbookexecution_id"))
    sessions = PairingSession.objects.filter(mine_s, status=Status.PENDING)
    executions = RunbookExecution.objects.filter(mine_e, status=Status.PENDING)
    team_id = person.team_id if permissions.is_lead_or_admin(person) else None
    if team_id is not None:
        # The team's people as a subquery, not a join: a join makes the database start from the
        # people and read every record of theirs.
        members = Person.objects.filter(team_id=team_id).values("pk")
        team_s = Q(mentor_id__in=members) | Q(
            pk__in=session_people.filter(person__team_id=team_id).values("pairingsession_id")
        )
        team_e = Q(performer_id__in=members) | Q(
            pk__in=run_people.filter(person__team_id=team_id).values("runbookexecution_id")
        )
        # A dispute decided by a lead or an admin (or later left standing by one) waits for nobody.
        undecided = Q(status=Status.PENDING) | (Q(status=Status.DISPUTED) & ~Q(decided_by__in=_deciders()))
        # The status first, on its own: it lets the database start from the status index (the few
        # pending and disputed records) instead of testing the ORs on every record of two years.
        open_ = Q(status__in=[Status.PENDING, Status.DISPUTED])
        sessions = PairingSession.objects.filter(open_).filter(
            (mine_s & Q(status=Status.PENDING)) | (team_s & undecided)
        )
        executions = RunbookExecution.objects.filter(open_).filter(
            (mine_e & Q(status=Status.PENDING)) | (team_e & undecided)
        )
    # No order (the models' default is by date): sorting would make the database walk the date
    # index over every record instead of starting from the few open ones.
    return sessions.exclude(logged_by=person).order_by(), executions.exclude(logged_by=person).order_by()


def _deciders():
    """Leads and admins, as a subquery."""
    return Person.objects.filter(Q(role__in=[Person.Role.LEAD, Person.Role.ADMIN]) | Q(is_superuser=True)).values("pk")
