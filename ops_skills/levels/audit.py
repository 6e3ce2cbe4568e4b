"""The audit trail of a matrix import: cheap whatever the sheet's size (see ``people.audit``)."""

from __future__ import annotations

from ops_skills.people import audit
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, System

BATCH = 5000  # ids per query, below SQLite's limit of variables
MAX_PEOPLE = 2000  # the summary names the people it assessed up to this many


def record_matrix_import(
    plan,
    *,
    filename: str,
    created_ids: dict[str, int],
    team_ids: dict[str, int] | None = None,
    system_ids: dict[str, int] | None = None,
) -> None:
    """Log a matrix import: one entry per team, system and person it creates and per person it
    changes (one bulk INSERT) and one summary entry for the levels it sets (the assessments
    themselves keep who set each level, when, and from which file). ``plan`` is the import's
    ``MatrixPlan``, ``created_ids`` the ids of the people it created by email, ``team_ids`` and
    ``system_ids`` those of the teams and systems it created by slug.

    Call it after creating the new people and before updating the others: it reads the teams
    they are leaving. A query per 5,000 people changed or assessed, and two INSERTs."""
    updated = {u.person_id: u for u in plan.people_to_update}
    before: dict[int, int | None] = {}
    for batch in _batches(list(updated)):
        before.update(Person.objects.filter(pk__in=batch).order_by().values_list("pk", "team_id"))
    origin = audit.current()
    team_ids, system_ids = team_ids or {}, system_ids or {}
    entries = [
        audit.entry_for(
            Team(pk=team_ids[t.slug], slug=t.slug, name=t.name),
            action=audit.CREATE,
            changes={"name": (None, t.name), "slug": (None, t.slug)},
            teams=[team_ids[t.slug]],
            note=f"created by the import of {filename}",
            origin=origin,
        )
        for t in plan.teams_to_create
        if t.slug in team_ids
    ]
    entries += [
        audit.entry_for(
            System(pk=system_ids[s.slug], slug=s.slug, name=s.name, team_id=s.team_id, tier=s.tier),
            action=audit.CREATE,
            changes={"name": (None, s.name), "slug": (None, s.slug), "team": (None, s.team_id), "tier": (None, s.tier)},
            teams=[s.team_id],
            note=f"created by the import of {filename}: team {s.team} ({s.why}), tier {s.tier}",
            origin=origin,
        )
        for s in plan.systems_to_create
        if s.slug in system_ids
    ]
    entries += [
        audit.entry_for(
            Person(pk=created_ids[p.email], email=p.email, name=p.name),
            action=audit.CREATE,
            changes={"email": (None, p.email), "name": (None, p.name), "team": (None, p.team_id)},
            teams=[p.team_id],
            people=[created_ids[p.email]],
            origin=origin,
        )
        for p in plan.people_to_create
        if p.email in created_ids
    ]
    for u in updated.values():
        old_team = before.get(u.person_id)
        entries.append(
            audit.entry_for(
                Person(pk=u.person_id, email=u.email, name=u.name),
                changes={"team": (old_team, u.team_id)} if old_team != u.team_id else {},
                teams=[u.team_id, old_team],
                people=[u.person_id],
                note=f"{u.what} (import of {filename})",
                origin=origin,
            )
        )
    audit.record_many(entries)
    teams = {p.team_id for p in plan.people_to_create} | {u.team_id for u in updated.values()} | set(before.values())
    teams |= set(team_ids.values()) | {s.team_id for s in plan.systems_to_create}
    assessed = {c.person_id for c in plan.changes if c.person_id is not None} - set(updated)
    for batch in _batches(sorted(assessed)):
        teams.update(Person.objects.filter(pk__in=batch).order_by().values_list("team_id", flat=True).distinct())
    everyone = assessed | set(updated) | set(created_ids.values())
    created = ""
    if plan.teams_to_create or plan.systems_to_create:
        created = f"{len(plan.teams_to_create)} teams created, {len(plan.systems_to_create)} systems created, "
    audit.record_summary(
        Assessment,
        summary=(
            f"Matrix import of {filename}: {created}{len(plan.changes)} levels set, "
            f"{len(plan.people_to_create)} people created, {len(updated)} changed, "
            f"{len(plan.skills_to_create)} skills created"
        ),
        teams=teams,
        # Whom it assessed, so that the page finds it for a person (not for a sheet of thousands).
        people=everyone if len(everyone) <= MAX_PEOPLE else (),
        file=filename,
        levels=len(plan.changes),
        people_created=len(plan.people_to_create),
        people_changed=len(updated),
        skills_created=len(plan.skills_to_create),
        teams_created=len(plan.teams_to_create),
        systems_created=len(plan.systems_to_create),
    )


def _batches(items: list):
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
