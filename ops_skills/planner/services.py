"""Writes of the planner app, called by views, commands, the API and tasks."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.levels.selectors import stored_levels
from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.people.services import notice_send
from ops_skills.planner import audit as plan_audit
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors
from ops_skills.planner.models import Assignment, Interest
from ops_skills.skills.models import Skill


@transaction.atomic
def interest_set(*, person: Person, skill: Skill, kind: str, wanted: bool) -> bool:
    """Mark (or unmark) a person's wish to learn a skill or to hand it on. Returns ``wanted``."""
    if kind not in Interest.Kind.values:
        raise ValidationError(f"Unknown kind of interest {kind!r}.")
    if wanted:
        Interest.objects.get_or_create(person=person, skill=skill, kind=kind)
    else:
        Interest.objects.filter(person=person, skill=skill, kind=kind).delete()
    return wanted


@transaction.atomic
def plan_accept(
    *,
    lead: Person,
    team: Team,
    rows: list[planning.Row],
    due_on: date,
    plan_settings: planning.Settings | None = None,
    week: tuple[date, date] | None = None,
) -> list[Assignment]:
    """Create the assignments a lead accepted from the plan for ``team``, in one transaction, and
    tell each mentor and learner (a notice and an email after commit). All or nothing: a row
    that breaks a rule (checked against the data as it is now, and the safeguards for ``week``,
    the current one by default) rejects the lot."""
    if not permissions.can_plan(lead, team):
        raise PermissionDenied("Only a lead of the team, or an admin, accepts its plan.")
    if not rows:
        raise ValidationError("Keep at least one proposal to accept.")
    if due_on < timezone.localdate():
        raise ValidationError("The due date is in the past.")
    plan_settings = plan_settings or selectors.default_settings()
    # Concurrent acceptances on the same people wait for each other, then check the capacities
    # against what the other one accepted.
    list(Person.objects.select_for_update().filter(pk__in={r.mentor_id for r in rows} | {r.learner_id for r in rows}))
    data = selectors.plan_data(team=team, week=week)
    errors = planning.check_rows(data.input, rows, plan_settings)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    created = Assignment.objects.bulk_create(
        Assignment(
            skill_id=r.skill_id,
            mentor_id=r.mentor_id,
            learner_id=r.learner_id,
            due_on=due_on,
            level_at_start=data.input.levels.get((r.learner_id, r.skill_id), 0),
            why=planning.explain(data.input, r, plan_settings)[:300],
            accepted_by=lead,
            accepted_at=now,
        )
        for r in rows
    )
    skills = {s.pk: s for s in Skill.objects.filter(pk__in={r.skill_id for r in rows}).select_related("system")}
    people = Person.objects.in_bulk({r.mentor_id for r in rows} | {r.learner_id for r in rows})
    plan_audit.record_accepted(created, team_id=team.pk, people=people, skills=skills)
    url = reverse("planner:mine")
    for a in created:
        skill, mentor, learner = skills[a.skill_id], people[a.mentor_id], people[a.learner_id]
        what = f"{skill.system} · {skill.name} by {due_on:%-d %b %Y}"
        notice_send(people=[mentor], text=f"{lead} asked you to teach {learner} {what}", url=url)
        notice_send(people=[learner], text=f"{lead} asked {mentor} to teach you {what}", url=url)
    return created


@transaction.atomic
def assignment_cancel(*, by: Person, assignment: Assignment, reason: str = "") -> Assignment:
    if not permissions.can_plan(by, assignment.skill.system.team):
        raise PermissionDenied("Only a lead of the team, or an admin, cancels its assignments.")
    if not assignment.is_open:
        raise ValidationError("Only an open assignment can be cancelled.")
    assignment.status = Assignment.Status.CANCELLED
    assignment.cancelled_by = by
    assignment.cancelled_at = timezone.now()
    assignment.cancel_reason = reason.strip()[:300]
    # Only while it is still open: evidence completing it at the same moment wins.
    fields = ["status", "cancelled_by", "cancelled_at", "cancel_reason"]
    if not Assignment.objects.open().filter(pk=assignment.pk).update(**{f: getattr(assignment, f) for f in fields}):
        raise ValidationError("This assignment was completed or cancelled in the meantime.")
    plan_audit.record_moved([assignment])
    others = [p for p in (assignment.mentor, assignment.learner) if p.pk != by.pk]
    if others:
        notice_send(
            people=others,
            text=f"{by} cancelled the assignment {assignment.mentor} → {assignment.learner} on {assignment.skill.name}",
            url=reverse("planner:mine"),
        )
    return assignment


def _matching_open_assignments(evidence, *, learner_ids, skill_ids):
    """Open assignments this confirmed evidence is about: a pairing session with that mentor and
    one of its learners on one of its skills, or the learner's successful run of a runbook
    exercising the skill."""
    if isinstance(evidence, PairingSession):
        return Assignment.objects.open().filter(
            mentor_id=evidence.mentor_id, learner_id__in=learner_ids, skill_id__in=skill_ids
        )
    if isinstance(evidence, RunbookExecution) and evidence.outcome == RunbookExecution.Outcome.SUCCESS:
        return Assignment.objects.open().filter(learner_id=evidence.performer_id, skill_id__in=skill_ids)
    return Assignment.objects.none()


def assignments_complete_for(*, evidence, learner_ids, skill_ids) -> list[Assignment]:
    """Complete the open transfer assignments this newly confirmed evidence satisfies: it matches
    (see ``_matching_open_assignments``; ``learner_ids`` and ``skill_ids`` are the evidence's
    learners and skills), it happened on or after the day the assignment was accepted, and the
    learner's stored current level (already refreshed by the caller) stands above the level they
    had then. One query when nothing matches.

    Called by ``ops_skills.flows.evidence_confirm`` inside its transaction."""
    if not evidence.is_confirmed:
        return []
    candidates = [
        a
        for a in _matching_open_assignments(evidence, learner_ids=learner_ids, skill_ids=skill_ids).select_related(
            "skill__system", "mentor", "learner"
        )
        if timezone.localdate(evidence.occurred_at) >= timezone.localdate(a.accepted_at)
    ]
    if not candidates:
        return []
    levels = stored_levels([a.learner_id for a in candidates], [a.skill_id for a in candidates])
    done = []
    now = timezone.now()
    for a in candidates:
        level = levels.get((a.learner_id, a.skill_id))
        if level is None or level.level <= a.level_at_start:
            continue
        a.status = Assignment.Status.DONE
        a.completed_at = now
        a.level_at_end = level.level
        if isinstance(evidence, PairingSession):
            a.completed_by_session = evidence
        else:
            a.completed_by_execution = evidence
        fields = ["status", "completed_at", "level_at_end", "completed_by_session", "completed_by_execution"]
        # Only while it is still open: a cancellation at the same moment wins.
        if not Assignment.objects.open().filter(pk=a.pk).update(**{f: getattr(a, f) for f in fields}):
            continue
        done.append(a)
        notice_send(
            people=[a.mentor, a.learner],
            text=f"Done: {a.learner} learnt {a.skill.system} · {a.skill.name} with {a.mentor} "
            f"(level {a.level_at_start} → {level.level})",
            url=reverse("planner:mine"),
        )
    plan_audit.record_moved(done)
    return done


def assignments_cancel_for_leaver(*, person: Person, by: Person, reason: str) -> list[Assignment]:
    """Cancel every open assignment ``person`` mentors or learns in, because they left, and tell
    the other one. The caller (``flows.person_leave``) has checked who may mark them as left and
    runs this in its transaction."""
    now = timezone.now()
    reason = " ".join(reason.split())[:300]
    cancelled = list(Assignment.objects.open().involving(person).select_related("skill__system", "mentor", "learner"))
    Assignment.objects.open().filter(pk__in=[a.pk for a in cancelled]).update(
        status=Assignment.Status.CANCELLED, cancelled_by=by, cancelled_at=now, cancel_reason=reason
    )
    url = reverse("planner:mine")
    for a in cancelled:
        a.status, a.cancelled_by, a.cancelled_at, a.cancel_reason = Assignment.Status.CANCELLED, by, now, reason
        other = a.learner if a.mentor_id == person.pk else a.mentor
        if not other.is_departed:
            notice_send(
                people=[other],
                text=f"Cancelled: {a.mentor} → {a.learner} on {a.skill.system} · {a.skill.name} ({reason})",
                url=url,
            )
    plan_audit.record_moved(cancelled)
    return cancelled
