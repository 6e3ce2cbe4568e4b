"""Git suggestions: who has worked on a system's files lately but has no level there.

``suggestions_refresh`` turns a repository's recent history into open suggestions; a lead then
accepts one (``suggestion_accept`` records a lead assessment, through the levels service that
refreshes the stored level) or dismisses it (``suggestion_dismiss``). Git never sets a level by
itself (DESIGN.md, "Repository").
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.levels import selectors as level_selectors
from ops_skills.levels import services as level_services
from ops_skills.levels.rules import LEVEL_LABELS
from ops_skills.people import permissions
from ops_skills.people.models import Person
from ops_skills.repos import selectors as repo_selectors
from ops_skills.repos.models import FileChange, Repository, Suggestion
from ops_skills.repos.patterns import compile_pattern
from ops_skills.skills.models import Skill

SHOWN_PATHS = 3  # the directories a suggestion names
KEPT_COMMITS = 50  # the shas a suggestion keeps, newest first
NOTE_MAX = 300  # Assessment.note

Target = tuple[int, int | None]  # (system id, skill id or None)


@dataclass
class _Work:
    """One person's recent commits to one target's files."""

    commits: dict[str, datetime] = field(default_factory=dict)  # sha -> authored at
    directories: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # directory -> shas


def _directory(path: str) -> str:
    return posixpath.dirname(path) or path


@transaction.atomic
def suggestions_refresh(repo: Repository, *, now: datetime | None = None) -> int:
    """Bring ``repo``'s open suggestions up to date with its history; returns how many are open.

    For each mapping target (a system, or a system's skill when the mapping names one) and each
    active person who has not left, matched by email or alias, the commits of the last
    ``GIT_SUGGEST_DAYS`` days touching a mapped file are counted (bots and unmatched emails left
    out). ``GIT_SUGGEST_MIN_CHANGES`` or more, while the person's stored level is 0 in the mapped
    skill (in every skill of the system, for a mapping without a skill), make an open suggestion.
    A decided suggestion for the same person and target stands for the commits it covered: only
    commits after its ``last_commit_at`` count towards a new one. Systems without skills are
    left out (nothing to assess). An open suggestion no longer wanted — the person has a level
    now, has left, or the commits fell out of the window — is deleted.

    Emails are resolved to people as the knowledge pages resolve them (``selectors``): an email
    of a person is never a bot. Queries: mappings, skills, the aliases, people and bot names
    behind the window's emails, its changes, stored levels, existing suggestions, then at most
    one delete, one update and one insert."""
    now = now or timezone.now()
    matchers: dict[Target, list] = defaultdict(list)
    for system_id, skill_id, pattern in repo.mappings.order_by("pk").values_list("system_id", "skill_id", "pattern"):
        matchers[system_id, skill_id].append(compile_pattern(pattern))
    skills_of = defaultdict(set)
    for skill_id, system_id in Skill.objects.filter(system__in={t[0] for t in matchers}).values_list("pk", "system_id"):
        skills_of[system_id].add(skill_id)
    targets = {t: m for t, m in matchers.items() if skills_of[t[0]]}

    # Each person's work on each target; one person may commit under several emails.
    work: dict[tuple[int, int, int | None], _Work] = defaultdict(_Work)
    people: set[int] = set()
    if targets:
        since = now - timedelta(days=settings.GIT_SUGGEST_DAYS)
        changes = FileChange.objects.filter(file__repository=repo, at__gte=since, at__lte=now)
        who = repo_selectors.identities(repo, changes.values("email"), today=timezone.localdate(now))
        matched: dict[str, list[Target]] = {}
        rows = changes.values_list("email", "commit__sha", "at", "file__path")
        for email, sha, at, path in rows.iterator(chunk_size=5000):
            identity = who.resolve(email)  # None for a bot
            person = who.people.get(identity)
            if person is None or identity in who.departed:
                continue
            if path not in matched:
                matched[path] = [t for t, tests in targets.items() if any(test(path) for test in tests)]
            for target in matched[path]:
                item = work[(person.pk, *target)]
                item.directories[_directory(path)].add(sha)
                item.commits[sha] = at
                people.add(person.pk)

    levels = level_selectors.stored_levels(people, set().union(*skills_of.values()) if skills_of else set())
    existing = list(repo.suggestions.order_by("last_commit_at", "pk"))
    open_by_key = {(s.person_id, s.system_id, s.skill_id): s for s in existing if s.status == Suggestion.Status.OPEN}
    decided_until = {
        (s.person_id, s.system_id, s.skill_id): s.last_commit_at
        for s in existing
        if s.status != Suggestion.Status.OPEN  # in order: the newest decision wins
    }

    wanted: dict[tuple[int, int, int | None], Suggestion] = {}
    for key, item in work.items():
        person_id, system_id, skill_id = key
        after = decided_until.get(key)
        commits = {sha: at for sha, at in item.commits.items() if after is None or at > after}
        if len(commits) < settings.GIT_SUGGEST_MIN_CHANGES:
            continue
        skills = {skill_id} if skill_id else skills_of[system_id]
        if any((person_id, s) in levels for s in skills):
            continue
        newest = sorted(commits.items(), key=lambda c: (c[1], c[0]), reverse=True)
        busy = Counter({d: len(shas & commits.keys()) for d, shas in item.directories.items()})
        directories = sorted(((d, n) for d, n in busy.items() if n), key=lambda d: (-d[1], d[0]))
        wanted[key] = Suggestion(
            repository=repo,
            person_id=person_id,
            system_id=system_id,
            skill_id=skill_id,
            changes=len(commits),
            paths=[d for d, _ in directories[:SHOWN_PATHS]],
            commits=[sha for sha, _ in newest[:KEPT_COMMITS]],
            first_commit_at=newest[-1][1],
            last_commit_at=newest[0][1],
            created_at=now,
        )

    fields = ["changes", "paths", "commits", "first_commit_at", "last_commit_at"]
    updated = []
    for key, suggestion in wanted.items():
        if key in open_by_key:
            current = open_by_key[key]
            for name in fields:
                setattr(current, name, getattr(suggestion, name))
            updated.append(current)
    stale = [s.pk for key, s in open_by_key.items() if key not in wanted]
    if stale:
        Suggestion.objects.filter(pk__in=stale).delete()
    if updated:
        Suggestion.objects.bulk_update(updated, fields)
    created = [s for key, s in wanted.items() if key not in open_by_key]
    if created:
        Suggestion.objects.bulk_create(created)
    return len(wanted)


def decidable(viewer):
    """The open suggestions ``viewer`` may decide (``permissions.can_decide_suggestion`` as a
    query): an admin's about anyone else, a lead's about the other people of their team."""
    open_ = Suggestion.objects.open().exclude(person=viewer)
    if viewer.is_admin:
        return open_
    if viewer.is_lead and viewer.team_id:
        return open_.filter(person__team_id=viewer.team_id)
    return open_.none()


def _check_open(suggestion: Suggestion, by: Person) -> Suggestion:
    """The suggestion, locked and re-read, when ``by`` may decide it and it is still open."""
    if not permissions.can_decide_suggestion(by, suggestion.person):
        raise PermissionDenied("Only the person's lead or an admin decides on a git suggestion about them.")
    locked = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("person", "repository", "system", "decided_by")
        .get(pk=suggestion.pk)
    )
    if locked.status != Suggestion.Status.OPEN:
        who = f" by {locked.decided_by}" if locked.decided_by else ""
        raise ValidationError(
            f"This suggestion was already {locked.get_status_display().lower()}{who}"
            f" on {timezone.localtime(locked.decided_at):%-d %b %Y}."
        )
    return locked


def commit_url(repo: Repository, sha: str) -> str:
    """The commit's page on the repository's web host ("" without ``web_url``)."""
    return f"{repo.web_url.rstrip('/')}/commit/{sha}" if repo.web_url else ""


def accept_note(suggestion: Suggestion) -> str:
    """The assessment's note: what git showed, and the newest commit (its link when the
    repository has a web address). At most 300 characters."""
    repo = suggestion.repository
    sha = suggestion.commits[0] if suggestion.commits else ""
    link = commit_url(repo, sha) if sha else ""
    reference = f" ({link})" if link else (f" ({repo.name} {sha[:7]}…)" if sha else f" ({repo.name})")
    start = f"From git: {suggestion.changes} change{'s' if suggestion.changes != 1 else ''} to "
    end = f" in {settings.GIT_SUGGEST_DAYS} days{reference}"
    where = ", ".join(suggestion.paths) or str(suggestion.system)
    room = NOTE_MAX - len(start) - len(end)
    if len(where) > room:
        where = where[: max(room - 1, 0)] + "…"
    return (start + where + end)[:NOTE_MAX]


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, by: Person, skill: Skill, level: int) -> Suggestion:
    """``by`` accepts the suggestion: a lead assessment of ``level`` (1 to 4) in ``skill`` (a
    skill of the suggested system; the mapped skill when the suggestion names one), recorded by
    ``levels.services.assessment_record``, which refreshes the stored level. Refused for someone
    who may not decide it, and for a suggestion already decided."""
    suggestion = _check_open(suggestion, by)
    if skill.system_id != suggestion.system_id:
        raise ValidationError("Choose a skill of the suggested system.")
    if suggestion.skill_id and skill.pk != suggestion.skill_id:
        raise ValidationError("This suggestion is about one skill: accept it for that skill.")
    if level not in range(1, 5):
        raise ValidationError("Choose a level from 1 (aware) to 4 (expert).")
    level_services.assessment_record(
        author=by, person=suggestion.person, skill=skill, level=level, note=accept_note(suggestion)
    )
    suggestion.status = Suggestion.Status.ACCEPTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.outcome = f"{suggestion.person} assessed {LEVEL_LABELS[level]} ({level}) in {skill.name}."[:300]
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "outcome"])
    return suggestion


@transaction.atomic
def suggestion_dismiss(*, suggestion: Suggestion, by: Person) -> Suggestion:
    """``by`` dismisses the suggestion: the same commits never suggest it again (newer ones may)."""
    suggestion = _check_open(suggestion, by)
    suggestion.status = Suggestion.Status.DISMISSED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.outcome = "Dismissed."
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "outcome"])
    return suggestion
