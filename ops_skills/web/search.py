"""Search across people, systems, skills and runbooks (the top bar's box).

Everyone logged in reads every person, system, skill and runbook page, so everyone searches them
all. Each group is one query: the first few matches (those starting with the words first), and
one more to know whether to offer "more"; a group on its own page is paginated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from ops_skills.evidence.models import Runbook
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill, System

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_GROUP = 5  # on the overview; "more" opens the group on its own, paginated
PAGE_SIZE = 25


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        error_messages={
            "min_length": f"Type at least {MIN_LENGTH} characters to search.",
            "max_length": f"Search for at most {MAX_LENGTH} characters.",
        },
    )


def _people(q: str) -> QuerySet:
    return (
        Person.objects.select_related("team")
        .filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q))
        .annotate(rank=_starts_with(q, "name", "email"))
        .order_by("rank", "name", "email", "pk")
    )


def _systems(q: str) -> QuerySet:
    return (
        System.objects.select_related("team")
        .filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(description__icontains=q))
        .annotate(rank=_starts_with(q, "name", "slug"))
        .order_by("rank", "name", "pk")
    )


def _skills(q: str) -> QuerySet:
    return (
        Skill.objects.select_related("system")
        .filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(description__icontains=q))
        .annotate(rank=_starts_with(q, "name", "slug"))
        .order_by("rank", "name", "system__name", "pk")
    )


def _runbooks(q: str) -> QuerySet:
    return (
        Runbook.objects.select_related("system")
        .defer("body")
        .filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(system__name__icontains=q))
        .annotate(rank=_starts_with(q, "title"))
        .order_by("rank", "title", "pk")
    )


def _starts_with(q: str, *fields: str) -> Case:
    """0 when one of ``fields`` starts with ``q``, else 1: the closer matches come first."""
    return Case(
        *(When(**{f"{field}__istartswith": q}, then=Value(0)) for field in fields),
        default=Value(1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Group:
    kind: str
    title: str
    queryset: QuerySet


def groups(q: str) -> list[Group]:
    return [
        Group("people", "People", _people(q)),
        Group("systems", "Systems", _systems(q)),
        Group("skills", "Skills", _skills(q)),
        Group("runbooks", "Runbooks", _runbooks(q)),
    ]


@dataclass(frozen=True)
class GroupResults:
    group: Group
    results: list
    more: bool


def search_overview(q: str) -> list[GroupResults]:
    """The first ``PER_GROUP`` matches of each group: one query a group."""
    found = []
    for group in groups(q):
        rows = list(group.queryset[: PER_GROUP + 1])
        found.append(GroupResults(group, rows[:PER_GROUP], more=len(rows) > PER_GROUP))
    return found
