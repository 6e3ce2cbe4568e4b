"""Loads a repository's history for the authorship rules (``authorship.py``) in a fixed number of
queries, and puts the skill-based truck factor of the same systems beside the file-based one.

Who an email is, which emails are bots and who has left are decided here, when the numbers are
computed, so that a new alias, a changed bot pattern or a departure applies to the whole history
at once (see ``models.py``).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from ops_skills.levels import bulk
from ops_skills.people.models import Person
from ops_skills.reports.selectors import org_facts
from ops_skills.reports.summary import summarise
from ops_skills.repos.authorship import Change, TruckFactor, file_authors, truck_factor
from ops_skills.repos.models import AuthorAlias, Commit, FileChange, PathMapping, RepoFile, Repository
from ops_skills.repos.patterns import compile_pattern, literal_prefix
from ops_skills.skills.models import System

CHUNK = 10_000  # change rows fetched at a time


@dataclass(frozen=True)
class SystemKnowledge:
    """The file-based figures of one mapped system: its files are those matching any of its
    mappings."""

    system: System
    files: int
    truck_factor: TruckFactor
    authors: dict[str, int]  # identity -> files of the system they author, by (-files, identity)


@dataclass(frozen=True)
class Knowledge:
    """A repository's live files, their authors and truck factors, as of ``since`` (the start of
    the recency window). Identities are emails: a matched person's own email, else the commit's."""

    files: int
    authors: dict[str, int]  # identity -> files authored, by (-files, identity)
    truck_factor: TruckFactor
    systems: list[SystemKnowledge]  # by system name
    people: dict[str, Person | None]  # every identity with counted changes (no bots) -> its person
    since: datetime


@dataclass(frozen=True)
class Identities:
    """Who each email of the history is."""

    identity: dict[str, str]  # email -> identity, for the emails of people
    people: dict[str, Person]  # identity -> person
    departed: frozenset[str]  # identities of people who left or cannot log in
    bot_names: frozenset[str]  # emails committed under a name matching a bot pattern
    bot_patterns: tuple[str, ...]

    def resolve(self, email: str) -> str | None:
        """The identity behind ``email``, None for a bot: an email or a name it committed under
        that contains a bot pattern. An email matched to a person never is a bot (someone
        registered it as theirs, such as a GitHub noreply address)."""
        if email in self.identity:
            return self.identity[email]
        if email in self.bot_names or any(p in email for p in self.bot_patterns):
            return None
        return email


def repository_knowledge(repo: Repository, *, now: datetime | None = None) -> Knowledge:
    """The authors of each live file of ``repo`` and the file-based truck factors of the repository
    and of each mapped system, counting the changes since ``now`` minus the recency window.
    Six queries: mappings with their systems, live files, aliases, people, bot names, changes
    (streamed, one file after another)."""
    now = now or timezone.now()
    since = now - timedelta(days=repo.recency_days)
    mappings = _mappings(repo)
    paths = dict(RepoFile.objects.filter(repository=repo, deleted=False).order_by().values_list("pk", "path"))
    counted = FileChange.objects.filter(file__repository=repo, file__deleted=False, at__gte=since)
    authors_by_file, people = _authors(repo, counted, paths, since=since, now=now)
    ordered = sorted(paths.items(), key=operator.itemgetter(1))  # by path, as Python compares them
    systems = [
        _system_knowledge(system, [authors_by_file[ordered[i][0]] for i in positions])
        for system, positions in _files_of_systems(mappings, [path for _, path in ordered])
    ]
    return Knowledge(
        files=len(paths),
        authors=_authored(authors_by_file.values()),
        truck_factor=truck_factor(authors_by_file),
        systems=systems,
        people=people,
        since=since,
    )


def system_knowledge(
    repo: Repository, system: System, *, now: datetime | None = None
) -> tuple[SystemKnowledge, dict[str, Person | None]]:
    """``repository_knowledge``'s figures of one mapped system, and the people behind its
    identities, reading the changes of that system's files only (the system report's panel).
    Six queries, as ``repository_knowledge``."""
    now = now or timezone.now()
    since = now - timedelta(days=repo.recency_days)
    mappings = _mappings(repo).filter(system=system)
    live = RepoFile.objects.filter(repository=repo, deleted=False).order_by().values_list("pk", "path")
    ordered = sorted(live, key=operator.itemgetter(1))
    [(_, positions)] = _files_of_systems(mappings, [path for _, path in ordered]) or [(system, [])]
    paths = {ordered[i][0]: ordered[i][1] for i in positions}
    counted = FileChange.objects.filter(file_id__in=bulk.values_in(paths), at__gte=since)
    authors_by_file, people = _authors(repo, counted, paths, since=since, now=now)
    return _system_knowledge(system, [authors_by_file[pk] for pk in paths]), people


def _mappings(repo: Repository):
    return PathMapping.objects.filter(repository=repo).select_related("system__team").order_by("system__name", "id")


def _authors(
    repo: Repository, counted, paths: dict[int, str], *, since: datetime, now: datetime
) -> tuple[dict[int, tuple[str, ...]], dict[str, Person | None]]:
    """The authors of each of ``paths`` (file id -> path) from ``counted`` (their changes in the
    window), and every identity with counted changes -> its person (None for nobody here)."""
    who = identities(repo, counted.values("email"), today=timezone.localtime(now).date())
    authors_by_file: dict[int, tuple[str, ...]] = dict.fromkeys(paths, ())
    resolved: dict[str, str | None] = {}  # email -> identity (None: a bot), for each email seen
    rows = counted.order_by("file_id").values_list("file_id", "commit_id", "email", "created")
    for file_id, file_rows in itertools.groupby(rows.iterator(chunk_size=CHUNK), key=operator.itemgetter(0)):
        changes = {}  # (commit, identity) -> change: an author who is also a co-author counts once
        for _, commit_id, email, created in file_rows:
            if email not in resolved:
                resolved[email] = who.resolve(email)
            if (identity := resolved[email]) is not None:
                # The database kept the changes from ``since`` on only: their dates matter no more
                # (and converting 100,000 of them costs more than the rest of the loop).
                changes.setdefault((commit_id, identity), Change(identity, since, created))
        authors_by_file[file_id] = tuple(file_authors(changes.values(), since=since, departed=who.departed))
    people = {identity: who.people.get(identity) for identity in sorted(set(resolved.values()) - {None})}
    return authors_by_file, people


def identities(repo: Repository, emails, *, today) -> Identities:
    """Resolve the emails of ``emails`` (a query of them) to people, directly or by alias, and find
    the emails committed under a bot's name. Three queries."""
    aliases = dict(AuthorAlias.objects.filter(email__in=emails).values_list("email", "person_id"))
    found = Person.objects.filter(Q(email__in=emails) | Q(pk__in=set(aliases.values())))
    by_pk = {person.pk: person for person in found}
    identity = {email: by_pk[pk].email for email, pk in aliases.items()}
    identity.update((person.email, person.email) for person in by_pk.values())  # their own email first
    departed = frozenset(
        p.email for p in by_pk.values() if not p.is_active or (p.departed_on is not None and p.departed_on <= today)
    )
    patterns = tuple(repo.bot_pattern_list)
    bot_names: frozenset[str] = frozenset()
    if patterns:
        named = functools.reduce(operator.or_, (Q(author_name__icontains=p) for p in patterns))
        bot_names = frozenset(
            Commit.objects.filter(named, repository=repo).order_by().values_list("author_email", flat=True).distinct()
        )
    return Identities(
        identity=identity,
        people={person.email: person for person in by_pk.values()},
        departed=departed,
        bot_names=bot_names,
        bot_patterns=patterns,
    )


def _files_of_systems(mappings: list[PathMapping], paths: list[str]) -> list[tuple[System, list[int]]]:
    """Each mapped system (in the mappings' order, by name) with the positions in ``paths`` (sorted)
    of its files: those matching any of its patterns. A pattern is tried only on the paths that
    start with its literal prefix (found by bisection), not on every file of the repository."""
    by_system: dict[int, tuple[System, set[int]]] = {}
    for mapping in mappings:
        _, found = by_system.setdefault(mapping.system_id, (mapping.system, set()))
        prefix, test = literal_prefix(mapping.pattern), compile_pattern(mapping.pattern)
        start = bisect.bisect_left(paths, prefix)
        for position in range(start, len(paths)):
            path = paths[position]
            if not path.startswith(prefix):
                break
            if test(path):
                found.add(position)
    return [(system, sorted(found)) for system, found in by_system.values()]


def _system_knowledge(system: System, authors_by_file: list[tuple[str, ...]]) -> SystemKnowledge:
    return SystemKnowledge(
        system=system,
        files=len(authors_by_file),
        truck_factor=truck_factor(dict(enumerate(authors_by_file))),
        authors=_authored(authors_by_file),
    )


def _authored(authors_by_file: Iterable[Iterable[str]]) -> dict[str, int]:
    """Identity -> files authored, most first, ties by identity."""
    counts = Counter(itertools.chain.from_iterable(authors_by_file))
    return dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


def json(knowledge: Knowledge) -> dict:
    """The issue's ``manage.py git_knowledge REPO --json`` document."""
    return {
        "files": knowledge.files,
        "authors": dict(knowledge.authors),
        "truck_factor": knowledge.truck_factor.value,
        "truck_factor_authors": list(knowledge.truck_factor.removed),
        "systems": [
            {
                "system": s.system.slug,  # as ``busfactor --json`` names systems
                "truck_factor": s.truck_factor.value,
                "authors": list(s.truck_factor.removed),
            }
            for s in knowledge.systems
        ],
    }


def skill_truck_factors(systems: Iterable[System]) -> dict[int, tuple[int | None, str, list[str]]]:
    """The skill-based truck factor of each of ``systems`` as the bus-factor report gives it:
    system id -> (truck factor, "exact" | "greedy" | "none", key people's emails). None for a
    system without skills. The report of their team when they share one (else of the whole
    organisation): its four queries, and one more for the team unless it was loaded with them."""
    systems = list(systems)
    if not systems:
        return {}
    teams = {s.team_id for s in systems}
    facts = org_facts(team=systems[0].team if len(teams) == 1 else None, levels=False)
    rows = {row.system.id: row for row in summarise(facts).systems}
    found = {}
    for system in systems:
        row = rows[system.pk]
        found[system.pk] = (row.truck.value, row.truck.method, [p.email for p in row.key_people])
    return found
