"""The transfer planner as it was before OR-Tools: networkx's network simplex (pure Python) on one
arbitrary-precision integer cost, kept only as a reference for the tests (and for
``bench/planner.py --compare``); networkx is a development dependency.

This is a copy of the solving part of ``ops_skills/planner/plan.py`` as of commit 00ee536, with two
additions (``tie_breaks=True``, marked "new"): the pairing digit after all the others
(``plan_model.pairing``), and then, as still less significant digits, "the most flow on the first
edge in tie-break order, then the second…" (``_most_on_first_edges``). Without them the optimum is
not always unique and network simplex picks one of the optima by its pivots; with them it is
unique, so the OR-Tools planner must give exactly the same plan. ``tie_breaks=False`` is the old
planner unchanged. Issue 13's safeguards (``PlanPerson.may_mentor`` and ``may_learn``) reach it
through ``plan_model.Context``, and through the one line that lists the learners.
"""

from __future__ import annotations

import heapq

import networkx as nx

from ops_skills.planner.plan_explain import learner_reasons, mentor_reasons
from ops_skills.planner.plan_model import (
    COVER_LEVEL,
    LOAD_CAP,
    Context,
    Plan,
    PlanInput,
    PlanSkill,
    Proposal,
    Settings,
    context,
    skill_order,
    weight,
)


def _radix_weights(maxima: list[int], units: int) -> tuple[list[int], int]:
    """Place values of the preference digits (first = most significant) and SCALE, the value of
    one unit of weighted deficit: each radix is one more than the largest sum of its digit over a
    plan of ``units`` assignments."""
    weights = [0] * len(maxima)
    place = 1
    for i in range(len(maxima) - 1, -1, -1):
        weights[i] = place
        place *= units * maxima[i] + 1
    return weights, place


def plan_transfers(
    org: PlanInput, settings: Settings | None = None, *, aggregate: bool = True, tie_breaks: bool = True
) -> Plan:
    """The optimal plan for ``org``'s skills. ``aggregate=False`` skips the fast model (see
    ``_solve_aggregated``) and always builds one edge per (skill, candidate learner).
    ``tie_breaks=False`` is the planner exactly as it was; True adds the last two tie-breaks."""
    settings = settings or Settings()
    ctx = context(org, settings)
    skills = skill_order(org.skills)

    deficits = {}
    room: dict[int, int] = {}  # skill -> units this plan may remove
    mentors: dict[int, list[int]] = {}
    for skill in skills:
        bus = sum(1 for pk in skill.holders if pk in ctx.people and ctx.people[pk].active)
        deficits[skill.id] = max(0, settings.target(skill.tier) - bus)
        left = max(0, deficits[skill.id] - ctx.open_on_skill.get(skill.id, 0))
        ms = sorted(
            (pk for pk in skill.holders if ctx.is_mentor_for(pk, skill) and ctx.mentor_room(pk) > 0),
            key=ctx.rank.__getitem__,
        )
        left = min(left, sum(min(ctx.mentor_room(pk), left) for pk in ms))
        if left > 0:
            room[skill.id] = left
            mentors[skill.id] = ms
    learners_all = [pk for pk, p in ctx.people.items() if p.active and p.may_learn and ctx.learner_room(pk) > 0]
    mentor_ids = {pk for ms in mentors.values() for pk in ms}
    units = min(
        sum(room.values()),
        sum(ctx.mentor_room(pk) for pk in mentor_ids),
        sum(ctx.learner_room(pk) for pk in learners_all),
    )

    by_id = {s.id: s for s in skills}
    before = sum(deficits.values())
    weighted_before = sum(weight(s.tier) * deficits[s.id] for s in skills)
    open_units = {s.id: min(deficits[s.id], ctx.open_on_skill.get(s.id, 0)) for s in skills}
    if units == 0:
        return _result(skills, deficits, open_units, {}, [], before, weighted_before)

    n = len(ctx.people)
    maxima = [1, COVER_LEVEL - 1, 1, LOAD_CAP, 1, LOAD_CAP, n, n]
    position = {skill_id: i for i, skill_id in enumerate(room)}
    if tie_breaks:  # new: a digit for each (skill, person), at most len(room) * n per arc, on two arcs
        maxima.append(2 * len(room) * n)
    place, scale = _radix_weights(maxima, units)

    def pairing(skill_id, pk) -> tuple:
        """New: plan_model.pairing, on the edges of one skill and one person (none on the hubs')."""
        if not tie_breaks:
            return ()
        return ((position[skill_id] + 1) * (n - ctx.rank[pk]) if skill_id is not None else 0,)

    def encode(digits: tuple) -> int:
        return sum(d * w for d, w in zip(digits, place, strict=True))

    def learner_cost(digits: tuple, skill_id=None, pk=None) -> int:
        return encode((*digits[:4], 0, 0, digits[4], 0, *pairing(skill_id, pk)))

    def mentor_cost(digits: tuple, skill_id=None, pk=None) -> int:
        return encode((0, 0, 0, 0, digits[0], digits[1], 0, digits[2], *pairing(skill_id, pk)))

    def network() -> nx.DiGraph:
        """Source, mentors and skills: what both models share."""
        g = nx.DiGraph()
        g.add_node("source", demand=-units)
        g.add_node("sink", demand=units)
        g.add_edge("source", "sink", capacity=units, weight=0)
        for pk in sorted(mentor_ids, key=ctx.rank.__getitem__):
            g.add_edge("source", ("m", pk), capacity=ctx.mentor_room(pk), weight=0)
        for skill_id in room:
            skill = by_id[skill_id]
            g.add_edge(("in", skill_id), ("out", skill_id), capacity=room[skill_id], weight=-weight(skill.tier) * scale)
            for pk in mentors[skill_id]:
                g.add_edge(
                    ("m", pk),
                    ("in", skill_id),
                    capacity=min(ctx.mentor_room(pk), room[skill_id]),
                    weight=mentor_cost(ctx.mentor_digits(pk, skill), skill_id, pk),
                )
        return g

    learners = None
    if aggregate:
        learners = _solve_aggregated(ctx, by_id, room, units, learners_all, network(), learner_cost, tie_breaks)
    if learners is None:
        # One edge per (skill, candidate). A skill never needs a learner ranked below room +
        # units: each better-ranked learner it passes over must be busy with other skills.
        candidates = _candidates(ctx, [by_id[pk] for pk in room], learners_all, room, units)
        g = network()
        for skill_id, best in candidates.items():
            for digits, pk in best:
                g.add_edge(("out", skill_id), ("l", pk), capacity=1, weight=learner_cost(digits, skill_id, pk))
        for pk in sorted({pk for best in candidates.values() for _, pk in best}, key=ctx.rank.__getitem__):
            g.add_edge(("l", pk), "sink", capacity=ctx.learner_room(pk), weight=0)
        _, flow = nx.network_simplex(_most_on_first_edges(g, room, ctx.rank) if tie_breaks else g)
        learners = {
            skill_id: [pk for _, pk in candidates[skill_id] if flow[("out", skill_id)].get(("l", pk), 0) > 0]
            for skill_id in room
        }
        taught = flow
    else:
        learners, taught = learners

    chosen: list[Proposal] = []
    planned: dict[int, int] = {}
    for skill_id in room:
        skill = by_id[skill_id]
        pupils = sorted(learners.get(skill_id, []), key=lambda pk: ctx.learner_digits(pk, skill))
        teachers = sorted(
            (pk for pk in mentors[skill_id] for _ in range(taught[("m", pk)].get(("in", skill_id), 0))),
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
    return _result(skills, deficits, open_units, planned, chosen, before, weighted_before)


def _solve_aggregated(ctx, by_id, room, units, learners_all, g, learner_cost, tie_breaks):
    """The same optimum with far fewer edges, or None when this shortcut does not apply.

    Most people are nothing special to a given skill (no level in it, no wish): as learners of
    it they differ only by team, load and email. So a skill has an edge to each special learner,
    and two edges to hubs — its team's, and everyone's — which lead to every learner with the
    part of the cost that depends on the learner alone (load, then email). That network allows
    more than the rules do (a hub may hand a skill to someone special to it, who covers it, or
    twice to one person), so it can only do as well as the exact one or better. Its flow is then
    split into (skill, learner) pairs that the rules allow; when that works, the plan costs no
    more than the network's optimum (less if a team-mate came through everyone's hub) and is
    therefore optimal. When it does not, None: the caller solves the exact network."""
    learner_set = set(learners_all)
    special: dict[int, set[int]] = {sk: set() for sk in room}
    for (pk, sk), level in ctx.org.levels.items():
        if level and sk in special:
            special[sk].add(pk)
    for pk, sk in ctx.org.wants_to_learn:
        if sk in special:
            special[sk].add(pk)
    generic_team = learner_cost((1, COVER_LEVEL - 1, 0, 0, 0))
    generic_other = learner_cost((1, COVER_LEVEL - 1, 1, 0, 0))
    teams = set()
    for skill_id in room:
        skill = by_id[skill_id]
        k = room[skill_id] + units
        best = heapq.nsmallest(
            k,
            (
                (ctx.learner_digits(pk, skill), pk)
                for pk in special[skill_id]
                if pk in learner_set and ctx.is_learner_for(pk, skill)
            ),
        )
        for digits, pk in best:
            g.add_edge(("out", skill_id), ("l", pk), capacity=1, weight=learner_cost(digits, skill_id, pk))
        if skill.team_id is not None:
            g.add_edge(("out", skill_id), ("team", skill.team_id), capacity=room[skill_id], weight=generic_team)
            teams.add(skill.team_id)
        g.add_edge(("out", skill_id), "everyone", capacity=room[skill_id], weight=generic_other)
    for pk in sorted(learners_all, key=ctx.rank.__getitem__):
        tail = learner_cost((0, 0, 0, min(ctx.load(pk), LOAD_CAP), ctx.rank[pk]))
        team_id = ctx.people[pk].team_id
        if team_id in teams:
            g.add_edge(("team", team_id), ("l", pk), capacity=ctx.learner_room(pk), weight=tail)
        g.add_edge("everyone", ("l", pk), capacity=ctx.learner_room(pk), weight=tail)
        g.add_edge(("l", pk), "sink", capacity=ctx.learner_room(pk), weight=0)
    _, flow = nx.network_simplex(_most_on_first_edges(g, room, ctx.rank) if tie_breaks else g)

    learners: dict[int, list[int]] = {
        skill_id: [node[1] for node, f in flow[("out", skill_id)].items() if f > 0 and node[0] == "l"]
        for skill_id in room
    }
    # Split each hub's flow into pairs: skills wanting the most first, each taking the learners
    # with the most left to give (Gale–Ryser's greedy, exact when every pair is allowed).
    for hub in [*(("team", t) for t in sorted(teams)), "everyone"]:
        supply = {node[1]: f for node, f in flow[hub].items() if f > 0}
        demand = [
            (f, skill_id) for skill_id in room for node, f in flow[("out", skill_id)].items() if node == hub and f > 0
        ]
        for need, skill_id in sorted(demand, key=lambda d: (-d[0], d[1])):
            skill = by_id[skill_id]
            taken = learners[skill_id]
            allowed = sorted(
                (
                    pk
                    for pk, left in supply.items()
                    if left > 0 and pk not in special[skill_id] and pk not in taken and ctx.is_learner_for(pk, skill)
                ),
                key=lambda pk: (-supply[pk], ctx.rank[pk]),
            )
            if len(allowed) < need:
                return None
            for pk in allowed[:need]:
                supply[pk] -= 1
                taken.append(pk)
    return learners, flow


def _candidates(
    ctx: Context, skills: list[PlanSkill], learners: list[int], room: dict[int, int], units: int
) -> dict[int, list[tuple[tuple, int]]]:
    """The best ``room + units`` eligible learners of each skill, with their preference digits.

    Most people are nothing special to a given skill (no level in it, no wish, another team):
    their digits differ only by load and email, the same for every skill. So only the special
    ones are ranked per skill; the others are taken in a precomputed order, from the skill's
    team and from the rest, as many as could be needed."""
    order = sorted(learners, key=lambda pk: (min(ctx.load(pk), LOAD_CAP), ctx.rank[pk]))
    by_team: dict[int | None, list[int]] = {}
    for pk in order:
        by_team.setdefault(ctx.people[pk].team_id, []).append(pk)
    wanted = {s.id for s in skills}
    special: dict[int, set[int]] = {sk: set() for sk in wanted}
    for (pk, sk), level in ctx.org.levels.items():
        if level and sk in wanted:
            special[sk].add(pk)
    for pk, sk in ctx.org.wants_to_learn:
        if sk in wanted:
            special[sk].add(pk)
    has_room = set(learners)
    result = {}
    for skill in skills:
        k = room[skill.id] + units
        mine = special[skill.id]
        pool = [(ctx.learner_digits(pk, skill), pk) for pk in mine if pk in has_room and ctx.is_learner_for(pk, skill)]
        team = by_team.get(skill.team_id, []) if skill.team_id is not None else []
        for walk, skip_team in ((team, None), (order, skill.team_id)):
            taken = 0
            for pk in walk:
                if taken >= k:
                    break
                if pk in mine or (skip_team is not None and ctx.people[pk].team_id == skip_team):
                    continue
                if ctx.is_learner_for(pk, skill):
                    pool.append((ctx.learner_digits(pk, skill), pk))
                    taken += 1
        result[skill.id] = heapq.nsmallest(k, pool)
    return result


def _result(skills, deficits, open_units, planned, chosen, before, weighted_before) -> Plan:
    after = {s.id: max(0, deficits[s.id] - open_units[s.id] - planned.get(s.id, 0)) for s in skills}
    return Plan(
        assignments=tuple(chosen),
        deficit_before=before,
        deficit_after=sum(after.values()),
        weighted_before=weighted_before,
        weighted_after=sum(weight(s.tier) * after[s.id] for s in skills),
        already_open=sum(open_units.values()),
        deficits=deficits,
    )


def _most_on_first_edges(g: nx.DiGraph, room: dict[int, int], rank: dict[int, int]) -> nx.DiGraph:
    """New: ``g`` with every weight shifted up and a last tie-break below it: the most flow on the
    first of the edges that decide a plan, then on the second, and so on, in the order of
    ``plan_model.Network`` (per skill in canonical order, its mentors by email, its own learners
    by email, its team's hub, everyone's hub; then each hub's learners by email, team hubs first).
    Each of those edges is worth more than any amount on all the later ones together."""
    position = {skill_id: i for i, skill_id in enumerate(room)}
    teams = sorted(v[1] for v in g.nodes if isinstance(v, tuple) and v[0] == "team")
    hub_order = {("team", t): len(room) + i for i, t in enumerate(teams)} | {"everyone": len(room) + len(teams)}

    def key(u, v):
        if isinstance(u, tuple) and u[0] == "m":
            return (position[v[1]], 0, rank[u[1]])
        if isinstance(u, tuple) and u[0] == "out" and isinstance(v, tuple) and v[0] == "l":
            return (position[u[1]], 1, rank[v[1]])
        if isinstance(u, tuple) and u[0] == "out":
            return (position[u[1]], 2 if v != "everyone" else 3, 0)
        if u in hub_order:
            return (hub_order[u], 0, rank[v[1]])
        return None  # its flow follows from the others'

    ordered = sorted((k, u, v) for u, v in g.edges if (k := key(u, v)) is not None)
    base = max((g.edges[u, v]["capacity"] for _, u, v in ordered), default=0) + 1
    for _, _, data in g.edges(data=True):
        data["weight"] *= base ** len(ordered)
    for i, (_, u, v) in enumerate(ordered):
        g.edges[u, v]["weight"] -= base ** (len(ordered) - 1 - i)
    return g
