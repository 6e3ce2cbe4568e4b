"""Why a transfer plan says what it says: the reasons for each mentor and learner, who else could
take a proposal's place, and whether the assignments a lead picked may be accepted together.

The same rules as the planner (``plan_model.Context``), in words. Nothing here imports Django.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from ops_skills.planner.plan_model import (
    COVER_LEVEL,
    Context,
    PlanInput,
    PlanSkill,
    Row,
    Settings,
    context,
)


def _load_text(load: int) -> str:
    if load == 0:
        return "no open assignments"
    return f"{load} open assignment{'s' if load != 1 else ''}"


def learner_reasons(ctx: Context, pk: int, skill: PlanSkill) -> tuple[str, ...]:
    reasons = []
    if (pk, skill.id) in ctx.org.wants_to_learn:
        reasons.append("wants to learn it")
    level = ctx.org.levels.get((pk, skill.id), 0)
    reasons.append(f"level {level} already" if level else "new to it")
    if skill.team_id is not None and ctx.people[pk].team_id == skill.team_id:
        reasons.append("same team")
    else:
        reasons.append("from another team")
    reasons.append(_load_text(ctx.load(pk)))
    return tuple(reasons)


def mentor_reasons(ctx: Context, pk: int, skill: PlanSkill) -> tuple[str, ...]:
    reasons = ["covers it", f"level {ctx.org.levels.get((pk, skill.id), COVER_LEVEL)}"]
    if (pk, skill.id) in ctx.org.wants_to_hand_on:
        reasons.append("asked to hand it on")
    reasons.append(_load_text(ctx.load(pk)))
    return tuple(reasons)


@dataclass(frozen=True, slots=True)
class Choice:
    person_id: int
    reasons: tuple[str, ...]


def choices(
    org: PlanInput, skill_id: int, settings: Settings | None = None, *, limit: int = 20
) -> tuple[list[Choice], list[Choice]]:
    """Who else could mentor and learn this skill (for swapping a proposal), best first, with
    their reasons: (mentors, learners). Only people with room left under their capacity."""
    ctx = context(org, settings or Settings())
    skill = next(s for s in org.skills if s.id == skill_id)
    mentors = sorted(
        (pk for pk in skill.holders if ctx.is_mentor_for(pk, skill) and ctx.mentor_room(pk) > 0),
        key=lambda pk: ctx.mentor_digits(pk, skill),
    )
    learners = heapq.nsmallest(
        limit,
        (
            (ctx.learner_digits(pk, skill), pk)
            for pk in ctx.people
            if ctx.is_learner_for(pk, skill) and ctx.learner_room(pk) > 0
        ),
    )
    return (
        [Choice(pk, mentor_reasons(ctx, pk, skill)) for pk in mentors[:limit]],
        [Choice(pk, learner_reasons(ctx, pk, skill)) for _, pk in learners],
    )


def check_rows(org: PlanInput, rows: Iterable[Row], settings: Settings | None = None) -> list[str]:
    """Why these assignments cannot all be accepted together (empty when they can): the same
    rules as the planner — mentors cover the skill, learners are active and do not, nobody the
    safeguards left out (``PlanPerson.may_mentor``, ``may_learn``) takes that part, a learner
    gets a skill once, and nobody goes over capacity, counting the assignments already open."""
    ctx = context(org, settings or Settings())
    skills = {s.id: s for s in org.skills}
    errors = []
    as_mentor: dict[int, int] = {}
    as_learner: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()

    def name(pk):
        person = ctx.people.get(pk)
        return (person.name or person.email) if person else f"person {pk}"

    for row in rows:
        skill = skills.get(row.skill_id)
        if skill is None:
            errors.append(f"Skill {row.skill_id} is not one this plan covers.")
            continue
        mentor, learner = ctx.people.get(row.mentor_id), ctx.people.get(row.learner_id)
        if mentor is not None and not mentor.may_mentor:
            errors.append(f"{name(row.mentor_id)} is left out as a mentor this time (see “Left out of this plan”).")
        elif not ctx.is_mentor_for(row.mentor_id, skill):
            errors.append(f"{name(row.mentor_id)} does not cover {skill.name}, so cannot mentor it.")
        if learner is not None and learner.active and not learner.may_learn:
            errors.append(f"{name(row.learner_id)} is left out as a learner this time (see “Left out of this plan”).")
        elif not ctx.is_learner_for(row.learner_id, skill):
            errors.append(
                f"{name(row.learner_id)} cannot learn {skill.name}: already covers it, has an open "
                "assignment on it, or has left."
            )
        if (row.learner_id, row.skill_id) in seen:
            errors.append(f"{name(row.learner_id)} is down twice to learn {skill.name}.")
        seen.add((row.learner_id, row.skill_id))
        as_mentor[row.mentor_id] = as_mentor.get(row.mentor_id, 0) + 1
        as_learner[row.learner_id] = as_learner.get(row.learner_id, 0) + 1
    for pk, count in as_mentor.items():
        if count > ctx.mentor_room(pk):
            errors.append(
                f"{name(pk)} would mentor {count + ctx.open_as_mentor.get(pk, 0)} open assignments; "
                f"the limit is {ctx.settings.mentor_capacity}."
            )
    for pk, count in as_learner.items():
        if count > ctx.learner_room(pk):
            errors.append(
                f"{name(pk)} would learn in {count + ctx.open_as_learner.get(pk, 0)} open assignments; "
                f"the limit is {ctx.settings.learner_capacity}."
            )
    return errors


def explain(org: PlanInput, row: Row, settings: Settings | None = None) -> str:
    """Why this mentor and this learner, in one line (stored with an accepted assignment)."""
    ctx = context(org, settings or Settings())
    skill = next(s for s in org.skills if s.id == row.skill_id)
    mentor, learner = ctx.people[row.mentor_id], ctx.people[row.learner_id]
    return (
        f"{mentor.name or mentor.email}: {', '.join(mentor_reasons(ctx, row.mentor_id, skill))}. "
        f"{learner.name or learner.email}: {', '.join(learner_reasons(ctx, row.learner_id, skill))}."
    )
