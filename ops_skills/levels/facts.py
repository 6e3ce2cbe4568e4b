"""Assessments and evidence as the plain facts of ``levels.rules``, loaded in a fixed number of
queries. Only the store's refresh and the explanation (a person's timeline) read these: every
other page reads the stored levels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from ops_skills.evidence import rules as evidence_rules
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.levels import bulk, rules
from ops_skills.skills.models import Assessment

Pair = tuple[int, int]  # (person id, skill id)
Facts = dict[Pair, list[rules.EvidenceFact]]


def assessment_fact(assessment: Assessment) -> rules.AssessmentFact:
    return rules.AssessmentFact(
        assessment.pk, assessment.level, assessment.source, assessment.assessed_at, assessment.author_id
    )


def assessment_facts(
    people: QuerySet | Iterable[int] | None, skills: QuerySet | Iterable[int] | None
) -> dict[Pair, list[rules.AssessmentFact]]:
    """All assessments of these people in these skills, grouped by (person, skill). One query.
    ``people=None``: everyone, without a ``person__in`` filter (which makes SQLite probe the
    (person, skill, assessed_at) index once per person and skill instead of using the skill index);
    ``skills=None``: every skill, a plain scan rather than a subquery over all skills."""
    rows = Assessment.objects.all()
    if skills is not None:
        rows = rows.filter(skill__in=_in(skills))
    if people is not None:
        rows = rows.filter(person__in=_in(people))
    rows = rows.order_by().values_list("id", "person_id", "skill_id", "level", "source", "assessed_at", "author_id")
    facts: dict[Pair, list[rules.AssessmentFact]] = defaultdict(list)
    for pk, person_id, skill_id, level, source, at, author_id in rows.iterator(chunk_size=5000):
        facts[person_id, skill_id].append(rules.AssessmentFact(pk, level, source, at, author_id))
    return facts


def evidence_facts(
    people: QuerySet | Iterable[int] | None,
    skills: QuerySet | Iterable[int] | None,
    *,
    confirmed_only: bool = True,
) -> Facts:
    """Every piece of evidence these people took part in that exercises these skills, per
    (person, skill), seen from that person's side: the facts of ``execution_facts`` and of
    ``session_facts`` together. ``people=None`` means everyone, ``skills=None`` every skill.
    At most seven queries whatever the amount."""
    wanted = None if people is None else set(_ids(people))
    facts: Facts = defaultdict(list)
    execution_facts(facts, wanted, skills, confirmed_only=confirmed_only)
    session_facts(facts, wanted, skills, confirmed_only=confirmed_only)
    return facts


def execution_facts(facts: Facts, wanted: set[int] | None, skills, *, confirmed_only: bool = True) -> None:
    """Add the runbook executions' facts to ``facts``: the performer's and each participant's
    role, for every skill the runbook exercises. Three queries: executions, their runbooks'
    skills, their participants."""
    # Through-table subqueries rather than joins with DISTINCT: SQLite would otherwise walk the
    # (unselective) status index over every confirmed record, 200 times slower for a team.
    executions = RunbookExecution.objects.all()
    if skills is not None:
        executions = executions.filter(
            runbook_id__in=Runbook.skills.through.objects.filter(skill_id__in=_in(skills)).values("runbook_id")
        )
    if wanted is not None:
        attended = RunbookExecution.participants.through.objects.filter(person_id__in=_in(wanted))
        performed = RunbookExecution.objects.filter(performer__in=_in(wanted)).order_by().values("pk")
        executions = executions.filter(pk__in=performed.union(attended.order_by().values("runbookexecution_id")))
    if confirmed_only:
        executions = executions.filter(status=RunbookExecution.Status.CONFIRMED)
    rows = list(
        executions.values_list("id", "runbook_id", "performer_id", "environment", "outcome", "occurred_at", "status")
    )
    # The related rows are selected by subquery rather than by a list of ids: a list of 100,000
    # ids is beyond both SQLite's and PostgreSQL's limit on query parameters. With skills, the
    # (runbook, skill) pairs come straight from the skills: a second IN over the records made
    # SQLite probe every record for every skill.
    if skills is not None:
        skill_pairs = Runbook.skills.through.objects.filter(skill_id__in=_in(skills))
    else:
        skill_pairs = Runbook.skills.through.objects.filter(runbook_id__in=executions.order_by().values("runbook_id"))
    runbook_skills = _grouped(rows, skill_pairs.values_list("runbook_id", "skill_id"))
    attendees = _grouped(
        rows,
        RunbookExecution.participants.through.objects.filter(
            runbookexecution_id__in=executions.order_by().values("id")
        ).values_list("runbookexecution_id", "person_id"),
    )
    for pk, runbook_id, performer_id, environment, outcome, at, status in rows:
        confirmed = status == RunbookExecution.Status.CONFIRMED
        people_roles = [(performer_id, True)] + [(p, False) for p in attendees[pk] if p != performer_id]
        for person_id, performed in people_roles:
            if wanted is not None and person_id not in wanted:
                continue
            role = evidence_rules.execution_role(environment=environment, outcome=outcome, performed=performed)
            fact = rules.EvidenceFact(pk, role, at, confirmed, kind="runbook execution")
            for skill_id in runbook_skills[runbook_id]:
                facts[person_id, skill_id].append(fact)


def session_facts(facts: Facts, wanted: set[int] | None, skills, *, confirmed_only: bool = True) -> None:
    """Add the pairing sessions' facts to ``facts``: the mentor's and each learner's role, for
    every skill of the session. Three queries: sessions, their skills, their learners."""
    sessions = PairingSession.objects.all()
    if skills is not None:
        sessions = sessions.filter(
            pk__in=PairingSession.skills.through.objects.filter(skill_id__in=_in(skills)).values("pairingsession_id")
        )
    if wanted is not None:
        # Their records as one UNION subquery: with "mentor OR learner", PostgreSQL scanned all
        # 80,000 sessions for the one cell of an assessment (45 ms instead of 0.7).
        learned = PairingSession.learners.through.objects.filter(person_id__in=_in(wanted))
        mentored = PairingSession.objects.filter(mentor__in=_in(wanted)).order_by().values("pk")
        sessions = sessions.filter(pk__in=mentored.union(learned.order_by().values("pairingsession_id")))
    if confirmed_only:
        sessions = sessions.filter(status=PairingSession.Status.CONFIRMED)
    rows = list(sessions.values_list("id", "mentor_id", "occurred_at", "status"))
    if skills is not None:
        skill_pairs = PairingSession.skills.through.objects.filter(skill_id__in=_in(skills))
    else:
        skill_pairs = PairingSession.skills.through.objects.filter(
            pairingsession_id__in=sessions.order_by().values("id")
        )
    session_skills = _grouped(rows, skill_pairs.values_list("pairingsession_id", "skill_id"))
    learners = _grouped(
        rows,
        PairingSession.learners.through.objects.filter(
            pairingsession_id__in=sessions.order_by().values("id")
        ).values_list("pairingsession_id", "person_id"),
    )
    for pk, mentor_id, at, status in rows:
        confirmed = status == PairingSession.Status.CONFIRMED
        for person_id, is_mentor in [(mentor_id, True)] + [(p, False) for p in learners[pk]]:
            if wanted is not None and person_id not in wanted:
                continue
            fact = rules.EvidenceFact(
                pk, evidence_rules.pairing_role(mentor=is_mentor), at, confirmed, kind="pairing session"
            )
            for skill_id in session_skills[pk]:
                facts[person_id, skill_id].append(fact)


def last_practised_from(facts: Facts) -> dict[Pair, object]:
    """The latest confirmed practice (not mere observation) per (person, skill)."""
    latest = {}
    for pair, items in facts.items():
        dates = [f.at for f in items if f.confirmed and f.role in evidence_rules.PRACTICE_ROLES]
        if dates:
            latest[pair] = max(dates)
    return latest


def levels_and_practice(people, skills) -> tuple[dict[Pair, rules.Level], dict[Pair, object]]:
    """Recompute the current level of every (person, skill) that has any assessment or confirmed
    evidence, and when each person last practised each skill: what the store's refresh writes.
    ``people=None``: everyone; ``skills=None``: every skill (the whole organisation, no filters)."""
    assessments = assessment_facts(people, skills)
    evidence = evidence_facts(people, skills)
    levels = {
        pair: rules.current_level(assessments.get(pair, ()), evidence.get(pair, ()))
        for pair in assessments.keys() | evidence.keys()
    }
    return levels, last_practised_from(evidence)


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


def _in(values):
    """For ``field__in=``: a QuerySet as its subquery, ids (or instances) through
    ``bulk.values_in``, one query parameter however many there are."""
    return values if isinstance(values, QuerySet) else bulk.values_in(_ids(values))
