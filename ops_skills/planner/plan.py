"""The transfer plan of DESIGN.md, as a plain function over plain data.

Three modules do the work, one job each, and this one puts them together:

- ``plan_model``: the data (``PlanInput`` in, ``Plan`` out), the rules for who may mentor and
  learn what, and the min-cost-flow network a plan is solved as, with one cost per preference;
- ``plan_solve``: solving that network exactly with OR-Tools, preference by preference, with the
  ties left broken by the network's arc order, so the same data always gives the same plan;
- ``plan_explain``: why each mentor and learner, who else could take their place, and whether
  a lead's picks may be accepted together.

Everything the rest of the project uses is importable from here. Nothing imports Django:
``selectors.py`` loads a ``PlanInput``.
"""

from __future__ import annotations

from ops_skills.planner.plan_explain import (
    Choice,
    check_rows,
    choices,
    explain,
    learner_reasons,
    mentor_reasons,
)
from ops_skills.planner.plan_model import (
    COVER_LEVEL,
    DEFAULT_LEARNER_CAPACITY,
    DEFAULT_MENTOR_CAPACITY,
    TIER_WEIGHTS,
    OpenAssignment,
    Plan,
    PlanInput,
    PlanPerson,
    PlanSkill,
    Problem,
    Proposal,
    Row,
    Settings,
    aggregated_network,
    exact_network,
    problem,
    special_learners,
    split_hubs,
    weight,
)
from ops_skills.planner.plan_solve import solve

__all__ = [
    "COVER_LEVEL",
    "DEFAULT_LEARNER_CAPACITY",
    "DEFAULT_MENTOR_CAPACITY",
    "TIER_WEIGHTS",
    "Choice",
    "OpenAssignment",
    "Plan",
    "PlanInput",
    "PlanPerson",
    "PlanSkill",
    "Proposal",
    "Row",
    "Settings",
    "check_rows",
    "choices",
    "explain",
    "plan_transfers",
    "weight",
]


def plan_transfers(org: PlanInput, settings: Settings | None = None, *, aggregate: bool = True) -> Plan:
    """The optimal plan for ``org``'s skills. ``aggregate=False`` skips the network with hubs
    (see ``plan_model.aggregated_network``) and always solves one arc per (skill, candidate
    learner)."""
    p = problem(org, settings or Settings())
    if p.units == 0:
        return _result(p, {}, [])
    learners = None
    if aggregate:
        special = special_learners(p)
        g = aggregated_network(p, special)
        flows = solve(g)
        learners = split_hubs(p, g, flows, special)
    if learners is None:
        g, candidates = exact_network(p)
        flows = solve(g)
        learners = {
            skill_id: [pk for pk in candidates[skill_id] if g.flow(flows, ("out", skill_id), ("l", pk)) > 0]
            for skill_id in p.room
        }

    # Within a skill the cost does not depend on who teaches whom: the best mentor (by their
    # preference digits) takes the best learner, and so on down.
    ctx = p.ctx
    chosen: list[Proposal] = []
    planned: dict[int, int] = {}
    for skill_id in p.room:
        skill = p.by_id[skill_id]
        pupils = sorted(learners.get(skill_id, []), key=lambda pk: ctx.learner_digits(pk, skill))
        teachers = sorted(
            (pk for pk in p.mentors[skill_id] for _ in range(g.flow(flows, ("m", pk), ("in", skill_id)))),
            key=lambda pk: ctx.mentor_digits(pk, skill),
        )
        planned[skill_id] = len(pupils)
        for mentor_id, learner_id in zip(teachers, pupils, strict=True):
            chosen.append(
                Proposal(
                    skill_id=skill_id,
                    mentor_id=mentor_id,
                    learner_id=learner_id,
                    mentor_reasons=mentor_reasons(ctx, mentor_id, skill),
                    learner_reasons=learner_reasons(ctx, learner_id, skill),
                )
            )
    return _result(p, planned, chosen)


def _result(p: Problem, planned: dict[int, int], chosen: list[Proposal]) -> Plan:
    after = {s.id: max(0, p.deficits[s.id] - p.open_units[s.id] - planned.get(s.id, 0)) for s in p.skills}
    return Plan(
        assignments=tuple(chosen),
        deficit_before=sum(p.deficits.values()),
        deficit_after=sum(after.values()),
        weighted_before=sum(weight(s.tier) * p.deficits[s.id] for s in p.skills),
        weighted_after=sum(weight(s.tier) * after[s.id] for s in p.skills),
        already_open=sum(p.open_units.values()),
        deficits=p.deficits,
    )
