"""Small factory functions for test data: explicit, no magic.

They write with the ORM, around the services, so the ones that write what a level depends on
(assessments, confirmed evidence) refresh the stored levels themselves, as the services do."""

import itertools
from datetime import timedelta

from django.utils import timezone

from ops_skills.levels import store
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System

_seq = itertools.count(1)


def make_team(name=None, **extra) -> Team:
    n = next(_seq)
    name = name or f"Team {n}"
    return Team.objects.create(name=name, slug=extra.pop("slug", f"team-{n}"), **extra)


def make_person(team=None, role=Person.Role.MEMBER, email=None, name=None, **extra) -> Person:
    n = next(_seq)
    return Person.objects.create_user(
        email=email or f"person{n}@example.com",
        password="pw",
        name=name or f"Person {n}",
        team=team,
        role=role,
        **extra,
    )


def make_system(team, slug=None, tier=2, **extra) -> System:
    n = next(_seq)
    slug = slug or f"system-{n}"
    return System.objects.create(team=team, name=extra.pop("name", slug), slug=slug, tier=tier, **extra)


def make_skill(system, slug=None, **extra) -> Skill:
    n = next(_seq)
    slug = slug or f"skill-{n}"
    return Skill.objects.create(
        system=system, name=extra.pop("name", slug.replace("-", " ").capitalize()), slug=slug, **extra
    )


def make_assessment(person, skill, level, source="lead", author=None, days_ago=1, **extra) -> Assessment:
    assessment = Assessment.objects.create(
        person=person,
        skill=skill,
        level=level,
        source=source,
        author=author or person,
        assessed_at=extra.pop("assessed_at", timezone.now() - timedelta(days=days_ago)),
        **extra,
    )
    store.refresh([person.pk], [skill.pk])
    return assessment


def make_assessments(rows, source="lead", days_ago=1) -> list[Assessment]:
    """Many assessments at once, ``rows`` of (person, skill, level), and one refresh of the
    stored levels for all of them (a refresh per row made large set-ups slow)."""
    at = timezone.now() - timedelta(days=days_ago)
    made = Assessment.objects.bulk_create(
        Assessment(person=p, skill=s, level=level, source=source, author=p, assessed_at=at) for p, s, level in rows
    )
    store.refresh({p.pk for p, _, _ in rows}, {s.pk for _, s, _ in rows})
    return made


def make_runbook(system, skills=(), owner=None, **extra):
    from ops_skills.evidence.models import RUNBOOK_TEMPLATE, Runbook

    n = next(_seq)
    runbook = Runbook.objects.create(
        system=system,
        title=extra.pop("title", f"Runbook {n}"),
        slug=extra.pop("slug", f"runbook-{n}"),
        body=extra.pop("body", RUNBOOK_TEMPLATE),
        owner=owner,
        **extra,
    )
    runbook.skills.set(skills)
    return runbook


def make_session(mentor, learners, skills, status="confirmed", days_ago=1, logged_by=None, **extra):
    from ops_skills.evidence.models import PairingSession

    session = PairingSession.objects.create(
        mentor=mentor,
        duration_minutes=extra.pop("duration_minutes", 60),
        occurred_at=timezone.now() - timedelta(days=days_ago),
        status=status,
        logged_by=logged_by or mentor,
        **extra,
    )
    session.learners.set(learners)
    session.skills.set(skills)
    store.refresh_scope(store.evidence_scope(session))
    return session


def make_execution(
    runbook,
    performer,
    participants=(),
    environment="production",
    outcome="success",
    status="confirmed",
    days_ago=1,
    **extra,
):
    from ops_skills.evidence.models import RunbookExecution

    execution = RunbookExecution.objects.create(
        runbook=runbook,
        performer=performer,
        environment=environment,
        outcome=outcome,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        status=status,
        logged_by=extra.pop("logged_by", performer),
        **extra,
    )
    execution.participants.set(participants)
    store.refresh_scope(store.evidence_scope(execution))
    return execution
