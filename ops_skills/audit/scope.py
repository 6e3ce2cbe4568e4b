"""What the audit trail tracks, and which teams and people each entry is about.

Tracked: levels stated (assessments), evidence, people (never their password or last login),
teams, transfer assignments (the plan) and absences. Not the stored current levels: they are
recomputed from the assessments and evidence, which are tracked.

An entry is shown to the leads of the teams it is about: a person's team (before and after a
move), the team of the person assessed or absent, the teams of the people who took part in
evidence, the team of an assignment's skill and its mentor's and learner's teams.
"""

from __future__ import annotations

from auditlog.registry import auditlog

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people.models import Person, Team
from ops_skills.planner.models import Assignment
from ops_skills.reports.models import Absence
from ops_skills.skills.models import Assessment, Skill

PERSON_FIELDS = [
    "email",
    "name",
    "team",
    "role",
    "title",
    "started_on",
    "departed_on",
    "is_active",
    "is_staff",
    "is_superuser",
]
EVIDENCE_FIELDS = ["occurred_at", "status", "decided_by", "dispute_reason"]
TRACKED = {
    Person: PERSON_FIELDS,
    Team: ["name", "slug", "description"],
    Assessment: ["person", "skill", "level", "source", "author", "note"],
    RunbookExecution: ["runbook", "performer", "environment", "outcome", "link", *EVIDENCE_FIELDS],
    PairingSession: ["mentor", "duration_minutes", *EVIDENCE_FIELDS],
    Assignment: ["skill", "mentor", "learner", "status", "due_on", "level_at_end", "cancel_reason"],
    Absence: ["person", "starts_on", "ends_on", "kind", "note"],
}
# The kinds of record the page filters on.
KINDS = {
    "level": ("Levels", [Assessment]),
    "evidence": ("Evidence", [RunbookExecution, PairingSession]),
    "person": ("People", [Person]),
    "team": ("Teams", [Team]),
    "plan": ("Transfer plan", [Assignment]),
    "absence": ("Absences", [Absence]),
}


# Who wrote a new record, for entries made with no request behind them (a command, a task).
AUTHOR_FIELDS = {
    Assessment: "author",
    RunbookExecution: "logged_by",
    PairingSession: "logged_by",
    Absence: "created_by",
    Assignment: "accepted_by",
}


def author_id(instance) -> int | None:
    name = AUTHOR_FIELDS.get(type(instance))
    return getattr(instance, f"{name}_id") if name else None


def register_models() -> None:
    for model, fields in TRACKED.items():
        if not auditlog.contains(model):
            auditlog.register(model, include_fields=fields)


def of(instance, changes: dict) -> tuple[set[int | None], set[int | None]]:
    """The ids of the teams and of the people an entry about ``instance`` is about. No query when
    the people involved are loaded (as the services that write have them), else one."""
    if isinstance(instance, Team):
        return {instance.pk}, set()
    if isinstance(instance, Person):
        teams = {instance.team_id}
        if "team" in changes:
            teams |= {_int(v) for v in changes["team"]}
        return teams, {instance.pk}
    if isinstance(instance, (Assessment, Absence)):
        return _teams_of(instance, "person"), {instance.person_id}
    if isinstance(instance, RunbookExecution):
        return _teams_of(instance, "performer"), {instance.performer_id}
    if isinstance(instance, PairingSession):
        return _teams_of(instance, "mentor"), {instance.mentor_id}
    if isinstance(instance, Assignment):
        return _teams_of(instance, "mentor", "learner") | {_skill_team(instance)}, {
            instance.mentor_id,
            instance.learner_id,
        }
    return set(), set()


def _teams_of(instance, *names: str) -> set[int | None]:
    teams, missing = set(), []
    for name in names:
        field = instance._meta.get_field(name)
        if field.is_cached(instance):
            person = getattr(instance, name)
            teams.add(person.team_id if person else None)
        elif getattr(instance, field.attname) is not None:
            missing.append(getattr(instance, field.attname))
    if missing:
        teams |= set(Person.objects.filter(pk__in=missing).values_list("team_id", flat=True))
    return teams


def _skill_team(assignment) -> int | None:
    if Assignment.skill.field.is_cached(assignment) and Skill.system.field.is_cached(assignment.skill):
        return assignment.skill.system.team_id
    return Skill.objects.filter(pk=assignment.skill_id).values_list("system__team_id", flat=True).first()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
