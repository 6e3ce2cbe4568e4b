"""The transfer plan of DESIGN.md, as a plain function over plain data.

A transfer assignment is (skill, mentor who covers it, active learner who does not). A plan is
optimal when it removes the largest total deficit weighted by the tier of the skill's system
(each skill counts at most its deficit) without giving anyone more than their capacity of open
assignments as mentor or as learner, counting the ones already open. Among equal plans it prefers
learners who want to learn the skill, then learners with a higher current level, then learners on
the system's team, then the least loaded; mentors who asked to hand the skill on, then the least
loaded; remaining ties go by email.

It is solved exactly as a min-cost flow (networkx's network simplex)::

    source → mentor (capacity: open assignments left as mentor)
           → skill in (capacity: how many assignments this mentor may take on this skill)
           → skill out (capacity: the deficit not already taken by open assignments;
                        cost: − tier weight × SCALE)
           → learner (capacity 1: a learner gets a skill at most once)
           → sink (capacity: open assignments left as learner)

plus a zero-cost edge from source to sink, so that a unit only flows through a skill when it
pays. Learners who are nothing special to a skill (no level in it, no wish) are reached through
two hubs per skill rather than one edge each, which keeps the network small; the hubs' flow is
then split into allowed pairs, and when it cannot be, the one-edge-per-pair network is solved
instead (see ``_solve_aggregated``).

Each preference is a digit of a mixed-radix integer cost whose radix exceeds the largest sum
that digit can reach over a whole plan, so a later preference never outweighs an earlier one,
and all of them together never outweigh one unit of weighted deficit (SCALE). The input is put
in a canonical order (people by email, skills by system and skill slug) before the graph is built,
so the same data gives the same plan whatever order it came in.

Nothing here imports Django: ``selectors.py`` loads a ``PlanInput``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from ops_skills.reports.coverage import target as default_target

COVER_LEVEL = 3
DEFAULT_MENTOR_CAPACITY = 2
DEFAULT_LEARNER_CAPACITY = 2
TIER_WEIGHTS = {1: 3, 2: 2, 3: 1}  # one unit of deficit on a tier-1 system is worth three on tier 3


@dataclass(frozen=True, slots=True)
class PlanPerson:
    id: int
    email: str
    name: str
    team_id: int | None
    active: bool = True


@dataclass(frozen=True, slots=True)
class PlanSkill:
    id: int
    system_id: int
    system_slug: str
    slug: str
    name: str
    tier: int
    team_id: int | None  # the system's team
    holders: frozenset[int]  # people who cover it (current level 3 or more)


@dataclass(frozen=True, slots=True)
class OpenAssignment:
    skill_id: int
    mentor_id: int
    learner_id: int


@dataclass(frozen=True)
class PlanInput:
    people: tuple[PlanPerson, ...]
    skills: tuple[PlanSkill, ...]  # the skills to plan for
    levels: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (person, skill) -> current level
    wants_to_learn: frozenset[tuple[int, int]] = frozenset()  # (person, skill)
    wants_to_hand_on: frozenset[tuple[int, int]] = frozenset()  # (person, skill)
    open_assignments: tuple[OpenAssignment, ...] = ()  # everyone's, not only for these skills


@dataclass(frozen=True)
class Settings:
    mentor_capacity: int = DEFAULT_MENTOR_CAPACITY
    learner_capacity: int = DEFAULT_LEARNER_CAPACITY
    targets: Mapping[int, int] | None = None  # tier -> target bus factor; DESIGN.md's when None

    def target(self, tier: int) -> int:
        if self.targets and tier in self.targets:
            return self.targets[tier]
        return default_target(tier)


@dataclass(frozen=True, slots=True)
class Proposal:
    skill_id: int
    mentor_id: int
    learner_id: int
    mentor_reasons: tuple[str, ...]
    learner_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Proposal, ...]
    deficit_before: int
    deficit_after: int  # once the open assignments and this plan are done
    weighted_before: int
    weighted_after: int
    already_open: int  # units of deficit that assignments already open will remove
    deficits: Mapping[int, int]  # skill -> deficit before

    @property
    def removed(self) -> int:
        return len(self.assignments)


def weight(tier: int) -> int:
    return TIER_WEIGHTS.get(tier, 1)


@dataclass
class _Context:
    """The canonical view of a PlanInput that the solver and the explanations share."""

    org: PlanInput
    settings: Settings
    people: dict[int, PlanPerson]
    rank: dict[int, int]  # person -> position by email
    open_as_mentor: dict[int, int]
    open_as_learner: dict[int, int]
    open_pairs: set[tuple[int, int]]  # (learner, skill) with an open assignment
    open_on_skill: dict[int, int]

    def load(self, pk: int) -> int:
        return self.open_as_mentor.get(pk, 0) + self.open_as_learner.get(pk, 0)

    def mentor_room(self, pk: int) -> int:
        return max(0, self.settings.mentor_capacity - self.open_as_mentor.get(pk, 0))

    def learner_room(self, pk: int) -> int:
        return max(0, self.settings.learner_capacity - self.open_as_learner.get(pk, 0))

    def learner_digits(self, pk: int, skill: PlanSkill) -> tuple[int, int, int, int, int]:
        level = min(self.org.levels.get((pk, skill.id), 0), COVER_LEVEL - 1)
        return (
            0 if (pk, skill.id) in self.org.wants_to_learn else 1,
            COVER_LEVEL - 1 - level,
            0 if skill.team_id is not None and self.people[pk].team_id == skill.team_id else 1,
            min(self.load(pk), _LOAD_CAP),
            self.rank[pk],
        )

    def mentor_digits(self, pk: int, skill: PlanSkill) -> tuple[int, int, int]:
        return (
            0 if (pk, skill.id) in self.org.wants_to_hand_on else 1,
            min(self.load(pk), _LOAD_CAP),
            self.rank[pk],
        )

    def is_learner_for(self, pk: int, skill: PlanSkill) -> bool:
        person = self.people.get(pk)
        return (
            person is not None
            and person.active
            and pk not in skill.holders
            and self.org.levels.get((pk, skill.id), 0) < COVER_LEVEL
            and (pk, skill.id) not in self.open_pairs
        )

    def is_mentor_for(self, pk: int, skill: PlanSkill) -> bool:
        person = self.people.get(pk)
        return person is not None and person.active and pk in skill.holders


_LOAD_CAP = 9  # loads above this tie-break as equal; keeps the digit small


def _context(org: PlanInput, settings: Settings) -> _Context:
    people = {p.id: p for p in sorted(org.people, key=lambda p: (p.email, p.id))}
    rank = {pk: i for i, pk in enumerate(people)}
    open_as_mentor: dict[int, int] = {}
    open_as_learner: dict[int, int] = {}
    open_pairs: set[tuple[int, int]] = set()
    open_on_skill: dict[int, int] = {}
    for a in org.open_assignments:
        open_as_mentor[a.mentor_id] = open_as_mentor.get(a.mentor_id, 0) + 1
        open_as_learner[a.learner_id] = open_as_learner.get(a.learner_id, 0) + 1
        open_pairs.add((a.learner_id, a.skill_id))
        learner = people.get(a.learner_id)
        if learner is not None and learner.active:  # an assignment of someone who left moves nothing
            open_on_skill[a.skill_id] = open_on_skill.get(a.skill_id, 0) + 1
    return _Context(org, settings, people, rank, open_as_mentor, open_as_learner, open_pairs, open_on_skill)


def _skill_order(skills: Iterable[PlanSkill]) -> list[PlanSkill]:
    return sorted(skills, key=lambda s: (s.system_slug, s.slug, s.id))


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


def plan_transfers(org: PlanInput, settings: Settings | None = None, *, aggregate: bool = True) -> Plan:
    """The optimal plan for ``org``'s skills. ``aggregate=False`` skips the fast model (see
    ``_solve_aggregated``) and always builds one edge per (skill, candidate learner)."""
    settings = settings or Settings()
    ctx = _context(org, settings)
    skills = _skill_order(org.skills)

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
    learners_all = [pk for pk, p in ctx.people.items() if p.active and ctx.learner_room(pk) > 0]
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
    maxima = [1, COVER_LEVEL - 1, 1, _LOAD_CAP, 1, _LOAD_CAP, n, n]
    place, scale = _radix_weights(maxima, units)

    def encode(digits: tuple) -> int:
        return sum(d * w for d, w in zip(digits, place, strict=True))

    def learner_cost(digits: tuple) -> int:
        return encode((*digits[:4], 0, 0, digits[4], 0))

    def mentor_cost(digits: tuple) -> int:
        return encode((0, 0, 0, 0, digits[0], digits[1], 0, digits[2]))

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
                    weight=mentor_cost(ctx.mentor_digits(pk, skill)),
                )
        return g

    learners = None
    if aggregate:
        learners = _solve_aggregated(ctx, by_id, room, units, learners_all, network(), learner_cost)
    if learners is None:
        # One edge per (skill, candidate). A skill never needs a learner ranked below room +
        # units: each better-ranked learner it passes over must be busy with other skills.
        candidates = _candidates(ctx, [by_id[pk] for pk in room], learners_all, room, units)
        g = network()
        for skill_id, best in candidates.items():
            for digits, pk in best:
                g.add_edge(("out", skill_id), ("l", pk), capacity=1, weight=learner_cost(digits))
        for pk in sorted({pk for best in candidates.values() for _, pk in best}, key=ctx.rank.__getitem__):
            g.add_edge(("l", pk), "sink", capacity=ctx.learner_room(pk), weight=0)
        _, flow = nx.network_simplex(g)
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


def _solve_aggregated(ctx, by_id, room, units, learners_all, g, learner_cost):
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
            g.add_edge(("out", skill_id), ("l", pk), capacity=1, weight=learner_cost(digits))
        if skill.team_id is not None:
            g.add_edge(("out", skill_id), ("team", skill.team_id), capacity=room[skill_id], weight=generic_team)
            teams.add(skill.team_id)
        g.add_edge(("out", skill_id), "everyone", capacity=room[skill_id], weight=generic_other)
    for pk in sorted(learners_all, key=ctx.rank.__getitem__):
        tail = learner_cost((0, 0, 0, min(ctx.load(pk), _LOAD_CAP), ctx.rank[pk]))
        team_id = ctx.people[pk].team_id
        if team_id in teams:
            g.add_edge(("team", team_id), ("l", pk), capacity=ctx.learner_room(pk), weight=tail)
        g.add_edge("everyone", ("l", pk), capacity=ctx.learner_room(pk), weight=tail)
        g.add_edge(("l", pk), "sink", capacity=ctx.learner_room(pk), weight=0)
    _, flow = nx.network_simplex(g)

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
    ctx: _Context, skills: list[PlanSkill], learners: list[int], room: dict[int, int], units: int
) -> dict[int, list[tuple[tuple, int]]]:
    """The best ``room + units`` eligible learners of each skill, with their preference digits.

    Most people are nothing special to a given skill (no level in it, no wish, another team):
    their digits differ only by load and email, the same for every skill. So only the special
    ones are ranked per skill; the others are taken in a precomputed order, from the skill's
    team and from the rest, as many as could be needed."""
    order = sorted(learners, key=lambda pk: (min(ctx.load(pk), _LOAD_CAP), ctx.rank[pk]))
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


def _load_text(load: int) -> str:
    if load == 0:
        return "no open assignments"
    return f"{load} open assignment{'s' if load != 1 else ''}"


def learner_reasons(ctx: _Context, pk: int, skill: PlanSkill) -> tuple[str, ...]:
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


def mentor_reasons(ctx: _Context, pk: int, skill: PlanSkill) -> tuple[str, ...]:
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
    ctx = _context(org, settings or Settings())
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


@dataclass(frozen=True, slots=True)
class Row:
    """An assignment a lead wants to accept: a proposal as it is, or swapped."""

    skill_id: int
    mentor_id: int
    learner_id: int


def check_rows(org: PlanInput, rows: Iterable[Row], settings: Settings | None = None) -> list[str]:
    """Why these assignments cannot all be accepted together (empty when they can): the same
    rules as the planner — mentors cover the skill, learners are active and do not, a learner
    gets a skill once, and nobody goes over capacity, counting the assignments already open."""
    ctx = _context(org, settings or Settings())
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
        if not ctx.is_mentor_for(row.mentor_id, skill):
            errors.append(f"{name(row.mentor_id)} does not cover {skill.name}, so cannot mentor it.")
        if not ctx.is_learner_for(row.learner_id, skill):
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
    ctx = _context(org, settings or Settings())
    skill = next(s for s in org.skills if s.id == row.skill_id)
    mentor, learner = ctx.people[row.mentor_id], ctx.people[row.learner_id]
    return (
        f"{mentor.name or mentor.email}: {', '.join(mentor_reasons(ctx, row.mentor_id, skill))}. "
        f"{learner.name or learner.email}: {', '.join(learner_reasons(ctx, row.learner_id, skill))}."
    )
