"""Evidence as the plain facts of ``skills.rules``, loaded in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ops_skills.evidence import rules as evidence_rules
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.skills import rules

Pair = tuple[int, int]


def evidence_facts(
    people: QuerySet | Iterable[int] | None,
    skills: QuerySet | Iterable[int] | None,
    *,
    confirmed_only: bool = True,
) -> dict[Pair, list[rules.EvidenceFact]]:
    """Every piece of evidence touching these skills, per (person, skill), seen from that
    person's side. At most seven queries whatever the amount: the ids of the people when given
    as a queryset, executions, their runbooks' skills, their participants; sessions,
    their skills, their learners. ``people=None`` means everyone, ``skills=None`` every skill
    (then only the evidence the people took part in is read)."""
    facts: dict[Pair, list[rules.EvidenceFact]] = defaultdict(list)
    wanted = None if people is None else set(_ids(people))

    # Through-table subqueries rather than joins with DISTINCT: SQLite would otherwise walk the
    # (unselective) status index over every confirmed record, 200 times slower for a team.
    if skills is not None:
        executions = RunbookExecution.objects.filter(
            runbook_id__in=Runbook.skills.through.objects.filter(skill_id__in=skills).values("runbook_id")
        )
        sessions = PairingSession.objects.filter(
            pk__in=PairingSession.skills.through.objects.filter(skill_id__in=skills).values("pairingsession_id")
        )
    elif wanted is not None:
        attended = RunbookExecution.participants.through.objects.filter(person_id__in=wanted)
        executions = RunbookExecution.objects.filter(
            Q(performer__in=wanted) | Q(pk__in=attended.values("runbookexecution_id"))
        )
        learned = PairingSession.learners.through.objects.filter(person_id__in=wanted)
        sessions = PairingSession.objects.filter(Q(mentor__in=wanted) | Q(pk__in=learned.values("pairingsession_id")))
    else:
        executions, sessions = RunbookExecution.objects.all(), PairingSession.objects.all()
    if confirmed_only:
        executions = executions.filter(status=RunbookExecution.Status.CONFIRMED)
        sessions = sessions.filter(status=PairingSession.Status.CONFIRMED)

    execution_rows = list(
        executions.values_list("id", "runbook_id", "performer_id", "environment", "outcome", "occurred_at", "status")
    )
    # The related rows are selected by subquery rather than by a list of ids: a list of 100,000
    # ids is beyond both SQLite's and PostgreSQL's limit on query parameters. With skills, their
    # (record, skill) pairs come straight from the skills: a second IN over the records made
    # SQLite probe every record for every skill. Pairs of records not read are never looked up.
    if skills is not None:
        runbook_skill_pairs = Runbook.skills.through.objects.filter(skill_id__in=skills)
        session_skill_pairs = PairingSession.skills.through.objects.filter(skill_id__in=skills)
    else:
        runbook_skill_pairs = Runbook.skills.through.objects.filter(
            runbook_id__in=executions.order_by().values("runbook_id")
        )
        session_skill_pairs = PairingSession.skills.through.objects.filter(
            pairingsession_id__in=sessions.order_by().values("id")
        )
    runbook_skills = _grouped(execution_rows, runbook_skill_pairs.values_list("runbook_id", "skill_id"))
    attendees = _grouped(
        execution_rows,
        RunbookExecution.participants.through.objects.filter(
            runbookexecution_id__in=executions.order_by().values("id")
        ).values_list("runbookexecution_id", "person_id"),
    )

    for pk, runbook_id, performer_id, environment, outcome, at, status in execution_rows:
        confirmed = status == RunbookExecution.Status.CONFIRMED
        people_roles = [(performer_id, True)] + [(p, False) for p in attendees[pk] if p != performer_id]
        for person_id, performed in people_roles:
            if wanted is not None and person_id not in wanted:
                continue
            role = evidence_rules.execution_role(environment=environment, outcome=outcome, performed=performed)
            fact = rules.EvidenceFact(pk, role, at, confirmed, kind="runbook execution")
            for skill_id in runbook_skills[runbook_id]:
                facts[person_id, skill_id].append(fact)

    session_rows = list(sessions.values_list("id", "mentor_id", "occurred_at", "status"))
    session_skills = _grouped(session_rows, session_skill_pairs.values_list("pairingsession_id", "skill_id"))
    learners = _grouped(
        session_rows,
        PairingSession.learners.through.objects.filter(
            pairingsession_id__in=sessions.order_by().values("id")
        ).values_list("pairingsession_id", "person_id"),
    )

    for pk, mentor_id, at, status in session_rows:
        confirmed = status == PairingSession.Status.CONFIRMED
        for person_id, is_mentor in [(mentor_id, True)] + [(p, False) for p in learners[pk]]:
            if wanted is not None and person_id not in wanted:
                continue
            fact = rules.EvidenceFact(
                pk, evidence_rules.pairing_role(mentor=is_mentor), at, confirmed, kind="pairing session"
            )
            for skill_id in session_skills[pk]:
                facts[person_id, skill_id].append(fact)
    return facts


def last_practised_from(facts: dict[Pair, list[rules.EvidenceFact]]) -> dict[Pair, object]:
    """The latest confirmed practice (not mere observation) per (person, skill)."""
    latest = {}
    for pair, items in facts.items():
        dates = [f.at for f in items if f.confirmed and f.role in evidence_rules.PRACTICE_ROLES]
        if dates:
            latest[pair] = max(dates)
    return latest


def _grouped(rows: list, pairs: QuerySet) -> dict[int, list[int]]:
    """``pairs`` (key, value) grouped by key; without ``rows`` there is nothing to read."""
    grouped: dict[int, list[int]] = defaultdict(list)
    if rows:
        for key, value in pairs.order_by():
            grouped[key].append(value)
    return grouped


def _ids(values) -> list[int]:
    if isinstance(values, QuerySet):
        return list(values.values_list("pk", flat=True))
    return [v if isinstance(v, int) else v.pk for v in values]


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
