"""The audit trail of transfer assignments whose writes send no model signal: accepting a plan
(a bulk INSERT) and the conditional UPDATEs that cancel or complete an assignment."""

from __future__ import annotations

from collections.abc import Iterable

from ops_skills.people import audit
from ops_skills.planner.models import Assignment

# What a move out of "active" sets; empty before it.
MOVE_FIELDS = ["cancelled_by", "cancel_reason", "level_at_end", "completed_by_session", "completed_by_execution"]


def record_accepted(created: Iterable[Assignment], *, team_id: int, people: dict, skills: dict) -> None:
    """One entry per assignment a lead accepted, in one INSERT. ``people`` and ``skills`` (by id)
    are the mentors, learners and skills the caller loaded: they name the entries without a query."""
    entries = []
    for a in created:
        a.mentor, a.learner, a.skill = people[a.mentor_id], people[a.learner_id], skills[a.skill_id]
        changes = {name: (None, getattr(a, f"{name}_id")) for name in ("skill", "mentor", "learner")}
        changes |= {"status": (None, a.status), "due_on": (None, a.due_on)}
        teams = [team_id, a.mentor.team_id, a.learner.team_id]
        entries.append(
            audit.entry_for(a, action=audit.CREATE, changes=changes, teams=teams, people=[a.mentor_id, a.learner_id])
        )
    audit.record_many(entries)


def record_moved(assignments: Iterable[Assignment]) -> None:
    """One entry per assignment just moved out of "active" (cancelled or done; the objects hold
    their new values), in one INSERT. Their skill (with its system), mentor and learner should be
    loaded, as the services that move them have them."""
    entries = []
    for a in assignments:
        changes = {"status": (Assignment.Status.ACTIVE, a.status)}
        for name in MOVE_FIELDS:
            field = Assignment._meta.get_field(name)
            value = getattr(a, field.attname)
            if value not in (None, ""):
                changes[name] = (None, value)
        teams = [a.skill.system.team_id, a.mentor.team_id, a.learner.team_id]
        entries.append(audit.entry_for(a, changes=changes, teams=teams, people=[a.mentor_id, a.learner_id]))
    audit.record_many(entries)
