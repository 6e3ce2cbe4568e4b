"""Small factory functions for test data: explicit, no magic."""

import itertools
from datetime import timedelta

from django.utils import timezone

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
    return Assessment.objects.create(
        person=person,
        skill=skill,
        level=level,
        source=source,
        author=author or person,
        assessed_at=extra.pop("assessed_at", timezone.now() - timedelta(days=days_ago)),
        **extra,
    )
