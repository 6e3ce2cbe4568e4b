"""The transfer plan's model: the data it is planned from, and the flow network it is solved as.

A transfer assignment is (skill, mentor who covers it, active learner who does not). A plan is
optimal when it removes the largest total deficit weighted by the tier of the skill's system
(each skill counts at most its deficit) without giving anyone more than their capacity of open
assignments as mentor or as learner, counting the ones already open. Among equal plans it prefers
learners who want to learn the skill, then learners with a higher current level, then learners on
the system's team, then the least loaded; mentors who asked to hand the skill on, then the least
loaded; then learners and mentors early by email (the least sum of places in email order). Ties
left after all that go to the plan that teaches earlier skills (by system and skill slug) and
gives them the people earlier by email (``pairing``), and then to the one that puts the most on
the network's first arcs (``Network``). So every plan is the one optimum of its network, whatever solver finds it.

It is a min-cost flow::

    source → mentor (capacity: open assignments left as mentor)
           → skill in (capacity: how many assignments this mentor may take on this skill)
           → skill out (capacity: the deficit not already taken by open assignments;
                        cost: − tier weight)
           → learner (capacity 1: a learner gets a skill at most once)
           → sink (capacity: open assignments left as learner)

plus a zero-cost arc from source to sink, so that a unit only flows through a skill when it
pays. Learners who are nothing special to a skill (no level in it, no wish) are reached through
two hubs per skill rather than one arc each, which keeps the network small; the hubs' flow is
then split into allowed pairs (``split_hubs``), and when it cannot be, the one-arc-per-pair
network (``exact_network``) is solved instead.

Each arc carries one integer per preference (``DIGITS``), compared in order: the solver
(``plan_solve``) minimises the first sum over the flow, then the second among the flows that do
that, and so on, then breaks the ties left by arc order. The input is put in a canonical order
(people by email, skills by system and skill slug) before the network is built, so the same data
gives the same plan whatever order it came in.

Nothing here imports Django: ``selectors.py`` loads a ``PlanInput``.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ops_skills.reports.coverage import target as default_target

COVER_LEVEL = 3
DEFAULT_MENTOR_CAPACITY = 2
DEFAULT_LEARNER_CAPACITY = 2
TIER_WEIGHTS = {1: 3, 2: 2, 3: 1}  # one unit of deficit on a tier-1 system is worth three on tier 3
LOAD_CAP = 9  # loads above this tie-break as equal

# What an arc costs, most important first. Each is a sum over the plan's assignments; a lower
# sum is better, and a later one only decides between plans equal in all before it.
DIGITS = (
    "tier weight",  # minus the weight of the deficit an assignment removes
    "learner does not want it",
    "learner's levels short of 2",
    "learner from another team",
    "learner's load",
    "mentor did not ask to hand it on",
    "mentor's load",
    "learner's place by email",
    "mentor's place by email",
    "earlier skills with people earlier by email",
)
_NONE = (0,) * len(DIGITS)  # no cost


@dataclass(frozen=True, slots=True)
class PlanPerson:
    id: int
    email: str
    name: str
    team_id: int | None
    active: bool = True  # not departed: only active people cover, mentor and learn
    # The planner's safeguards (``planner.eligibility``): someone away that week, or still in
    # onboarding, is no mentor; someone away, unable to log in yet, or an admin on no team, is no
    # learner. They still cover what they cover.
    may_mentor: bool = True
    may_learn: bool = True


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


@dataclass(frozen=True, slots=True)
class Row:
    """An assignment a lead wants to accept: a proposal as it is, or swapped."""

    skill_id: int
    mentor_id: int
    learner_id: int


def weight(tier: int) -> int:
    return TIER_WEIGHTS.get(tier, 1)


@dataclass
class Context:
    """The canonical view of a PlanInput that the network and the explanations share."""

    org: PlanInput
    settings: Settings
    people: dict[int, PlanPerson]  # by email
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
        """Wish, level, team, load and email place: lower is preferred, in that order."""
        level = min(self.org.levels.get((pk, skill.id), 0), COVER_LEVEL - 1)
        return (
            0 if (pk, skill.id) in self.org.wants_to_learn else 1,
            COVER_LEVEL - 1 - level,
            0 if skill.team_id is not None and self.people[pk].team_id == skill.team_id else 1,
            min(self.load(pk), LOAD_CAP),
            self.rank[pk],
        )

    def mentor_digits(self, pk: int, skill: PlanSkill) -> tuple[int, int, int]:
        """Wish to hand on, load and email place: lower is preferred, in that order."""
        return (
            0 if (pk, skill.id) in self.org.wants_to_hand_on else 1,
            min(self.load(pk), LOAD_CAP),
            self.rank[pk],
        )

    def is_learner_for(self, pk: int, skill: PlanSkill) -> bool:
        person = self.people.get(pk)
        return (
            person is not None
            and person.active
            and person.may_learn
            and pk not in skill.holders
            and self.org.levels.get((pk, skill.id), 0) < COVER_LEVEL
            and (pk, skill.id) not in self.open_pairs
        )

    def is_mentor_for(self, pk: int, skill: PlanSkill) -> bool:
        person = self.people.get(pk)
        return person is not None and person.active and person.may_mentor and pk in skill.holders


def context(org: PlanInput, settings: Settings) -> Context:
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
    return Context(org, settings, people, rank, open_as_mentor, open_as_learner, open_pairs, open_on_skill)


def skill_order(skills: Iterable[PlanSkill]) -> list[PlanSkill]:
    return sorted(skills, key=lambda s: (s.system_slug, s.slug, s.id))


@dataclass
class Problem:
    """What a plan for ``skills`` can do, before any network is built."""

    ctx: Context
    skills: list[PlanSkill]  # in canonical order
    by_id: dict[int, PlanSkill]
    deficits: dict[int, int]  # skill -> deficit before
    open_units: dict[int, int]  # skill -> deficit that open assignments will remove
    room: dict[int, int]  # skill -> units this plan may remove (only skills with some)
    position: dict[int, int]  # skill with room -> its place among them
    mentors: dict[int, list[int]]  # skill -> who may mentor it, by email
    learners: list[int]  # active people with room to learn, by email
    units: int  # the most assignments any plan can have


def problem(org: PlanInput, settings: Settings) -> Problem:
    ctx = context(org, settings)
    skills = skill_order(org.skills)
    deficits: dict[int, int] = {}
    room: dict[int, int] = {}
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
    learners = [pk for pk, p in ctx.people.items() if p.active and p.may_learn and ctx.learner_room(pk) > 0]
    mentor_ids = {pk for ms in mentors.values() for pk in ms}
    units = min(
        sum(room.values()),
        sum(ctx.mentor_room(pk) for pk in mentor_ids),
        sum(ctx.learner_room(pk) for pk in learners),
    )
    open_units = {s.id: min(deficits[s.id], ctx.open_on_skill.get(s.id, 0)) for s in skills}
    position = {skill_id: i for i, skill_id in enumerate(room)}
    by_id = {s.id: s for s in skills}
    return Problem(ctx, skills, by_id, deficits, open_units, room, position, mentors, learners, units)


def learner_cost(digits: tuple[int, int, int, int, int], pairing: int = 0) -> tuple[int, ...]:
    wish, level, team, load, place = digits
    return (0, wish, level, team, load, 0, 0, place, 0, pairing)


def mentor_cost(digits: tuple[int, int, int], pairing: int = 0) -> tuple[int, ...]:
    wish, load, place = digits
    return (0, 0, 0, 0, 0, wish, load, 0, place, pairing)


def pairing(p: Problem, skill_id: int, pk: int) -> int:
    """The last digit, (place of the skill + 1) × (people − place of the person by email), for
    the ties the others leave: swapping two people between two skills changes none of them.
    Its sum is less when an earlier skill (by system and skill slug) has the person earlier by
    email — (s₁ − s₂)(p₂ − p₁) < 0 — and when an earlier skill is taught rather than a later
    one."""
    return (p.position[skill_id] + 1) * (len(p.ctx.rank) - p.ctx.rank[pk])


@dataclass
class Network:
    """A min-cost flow with one integer cost per preference (``DIGITS``) on each arc.

    Arcs are in tie-break order: among the flows that are best on every digit, the solver takes
    the one that carries the most on the first arc, then on the second, and so on. The builders
    below add each skill's arcs (its mentors by email, its learners by email, its hubs) in
    canonical skill order, then the hubs' arcs to learners by email, then the rest, whose flow
    those decide."""

    nodes: dict[Hashable, int] = field(default_factory=dict)
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[tuple[int, ...]] = field(default_factory=list)
    supplies: dict[int, int] = field(default_factory=dict)
    bounds: tuple[int, ...] = _NONE  # per digit: at least its largest absolute sum over a flow, and on one arc
    index: dict[tuple[Hashable, Hashable], int] = field(default_factory=dict)  # (tail, head) -> arc

    def node(self, name: Hashable) -> int:
        number = self.nodes.get(name)
        if number is None:
            number = self.nodes[name] = len(self.nodes)
        return number

    def arc(self, tail: Hashable, head: Hashable, capacity: int, cost: tuple[int, ...] = _NONE) -> None:
        self.index[tail, head] = len(self.tails)
        self.tails.append(self.node(tail))
        self.heads.append(self.node(head))
        self.capacities.append(capacity)
        self.costs.append(cost)

    def flow(self, flows: list[int], tail: Hashable, head: Hashable) -> int:
        """The flow from ``tail`` to ``head`` (0 when there is no such arc)."""
        arc = self.index.get((tail, head))
        return 0 if arc is None else flows[arc]

    def flow_out(self, flows: list[int], tail: Hashable) -> dict[Hashable, int]:
        """Where ``tail`` sends flow: head -> units, for the arcs that carry some."""
        return {self._names[self.heads[a]]: flows[a] for a in self._out.get(self.nodes[tail], ()) if flows[a] > 0}

    @cached_property
    def _names(self) -> list[Hashable]:
        return list(self.nodes)

    @cached_property
    def _out(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for a, tail in enumerate(self.tails):
            out.setdefault(tail, []).append(a)
        return out


def _finish(p: Problem, g: Network, learners: Iterable[int]) -> Network:
    """The arcs and supplies both networks share, after their tie-break arcs."""
    ctx = p.ctx
    mentor_ids = sorted({pk for ms in p.mentors.values() for pk in ms}, key=ctx.rank.__getitem__)
    g.arc("source", "sink", p.units)
    for pk in mentor_ids:
        g.arc("source", ("m", pk), ctx.mentor_room(pk))
    for skill_id, room in p.room.items():
        cost = list(_NONE)
        cost[0] = -weight(p.by_id[skill_id].tier)
        g.arc(("in", skill_id), ("out", skill_id), room, tuple(cost))
    for pk in learners:
        g.arc(("l", pk), "sink", ctx.learner_room(pk))
    g.supplies = {g.node("source"): p.units, g.node("sink"): -p.units}
    # A unit that does not take the bypass passes one arc out of a mentor, one out of a skill's
    # "in" and "out" nodes, and at most one out of a hub; so no digit sums to more than
    # ``units`` times the sum over those four kinds of arc of its largest value on one.
    names = list(g.nodes)
    kinds: dict[Hashable, list[tuple[int, ...]]] = {}
    for tail, cost in zip(g.tails, g.costs, strict=True):
        name = names[tail]
        kinds.setdefault(name[0] if isinstance(name, tuple) and name[0] in ("m", "in", "out") else "hub", []).append(
            cost
        )
    most = [[max(map(abs, column)) for column in zip(*costs, strict=True)] for costs in kinds.values()]
    g.bounds = tuple(p.units * sum(m[d] for m in most) for d in range(len(DIGITS)))
    return g


def _mentor_arcs(p: Problem, g: Network, skill: PlanSkill) -> None:
    room = p.room[skill.id]
    for pk in p.mentors[skill.id]:
        g.arc(
            ("m", pk),
            ("in", skill.id),
            min(p.ctx.mentor_room(pk), room),
            mentor_cost(p.ctx.mentor_digits(pk, skill), pairing(p, skill.id, pk)),
        )


def special_learners(p: Problem) -> dict[int, set[int]]:
    """Per skill with room, the people who are something to it: a level in it, or a wish."""
    special: dict[int, set[int]] = {sk: set() for sk in p.room}
    for (pk, sk), level in p.ctx.org.levels.items():
        if level and sk in special:
            special[sk].add(pk)
    for pk, sk in p.ctx.org.wants_to_learn:
        if sk in special:
            special[sk].add(pk)
    return special


def aggregated_network(p: Problem, special: dict[int, set[int]]) -> Network:
    """The network with hubs. Most people are nothing special to a given skill (no level in it,
    no wish): as learners of it they differ only by team, load and email. So a skill has an arc
    to each special learner, and two arcs to hubs — its team's, and everyone's — which lead to
    every learner with the part of the cost that depends on the learner alone (load, then email).
    That network allows more than the rules do (a hub may hand a skill to someone special to it,
    who covers it, or twice to one person), so it can only do as well as the exact one or
    better; ``split_hubs`` says whether its flow is a plan."""
    ctx = p.ctx
    g = Network()
    learner_set = set(p.learners)
    generic_team = learner_cost((1, COVER_LEVEL - 1, 0, 0, 0))
    generic_other = learner_cost((1, COVER_LEVEL - 1, 1, 0, 0))
    teams = set()
    for skill_id, room in p.room.items():
        skill = p.by_id[skill_id]
        _mentor_arcs(p, g, skill)
        best = [
            (ctx.learner_digits(pk, skill), pk)
            for pk in special[skill_id]
            if pk in learner_set and ctx.is_learner_for(pk, skill)
        ]
        if len(best) > room + p.units:
            best = heapq.nsmallest(room + p.units, best)
        out = ("out", skill_id)
        for digits, pk in sorted(best, key=lambda b: b[0][-1]):
            g.arc(out, ("l", pk), 1, learner_cost(digits, pairing(p, skill_id, pk)))
        if skill.team_id is not None:
            g.arc(("out", skill_id), ("team", skill.team_id), room, generic_team)
            teams.add(skill.team_id)
        g.arc(("out", skill_id), "everyone", room, generic_other)
    for hub in [*(("team", t) for t in sorted(teams)), "everyone"]:
        for pk in p.learners:
            if hub == "everyone" or ctx.people[pk].team_id == hub[1]:
                tail = learner_cost((0, 0, 0, min(ctx.load(pk), LOAD_CAP), ctx.rank[pk]))
                g.arc(hub, ("l", pk), ctx.learner_room(pk), tail)
    return _finish(p, g, p.learners)


def split_hubs(p: Problem, g: Network, flows: list[int], special: dict[int, set[int]]) -> dict[int, list[int]] | None:
    """The learners of each skill from the flow of ``aggregated_network``, or None when the
    hubs' flow cannot be split into pairs that the rules allow. When it can, the plan costs no
    more than the network's optimum (less if a team-mate came through everyone's hub) and is
    therefore optimal."""
    learners: dict[int, list[int]] = {
        skill_id: [node[1] for node in g.flow_out(flows, ("out", skill_id)) if node[0] == "l"] for skill_id in p.room
    }
    teams = sorted({p.by_id[sk].team_id for sk in p.room} - {None})
    # Split each hub's flow into pairs: skills wanting the most first, each taking the learners
    # with the most left to give (Gale–Ryser's greedy, exact when every pair is allowed).
    for hub in [*(("team", t) for t in teams), "everyone"]:
        supply = {node[1]: f for node, f in g.flow_out(flows, hub).items()}
        demand = [(f, skill_id) for skill_id in p.room if (f := g.flow(flows, ("out", skill_id), hub)) > 0]
        for need, skill_id in sorted(demand, key=lambda d: (-d[0], d[1])):
            skill = p.by_id[skill_id]
            taken = learners[skill_id]
            allowed = sorted(
                (
                    pk
                    for pk, left in supply.items()
                    if left > 0 and pk not in special[skill_id] and pk not in taken and p.ctx.is_learner_for(pk, skill)
                ),
                key=lambda pk: (-supply[pk], p.ctx.rank[pk]),
            )
            if len(allowed) < need:
                return None
            for pk in allowed[:need]:
                supply[pk] -= 1
                taken.append(pk)
    return learners


def exact_network(p: Problem) -> tuple[Network, dict[int, list[int]]]:
    """One arc per (skill, candidate learner), and the candidates of each skill. A skill never
    needs a learner ranked below room + units: each better-ranked learner it passes over must be
    busy with other skills."""
    candidates = _candidates(p)
    g = Network()
    for skill_id in p.room:
        _mentor_arcs(p, g, p.by_id[skill_id])
        for digits, pk in sorted(candidates[skill_id], key=lambda b: b[0][-1]):
            g.arc(("out", skill_id), ("l", pk), 1, learner_cost(digits, pairing(p, skill_id, pk)))
    used = {pk for best in candidates.values() for _, pk in best}
    return _finish(p, g, [pk for pk in p.learners if pk in used]), {
        sk: [pk for _, pk in best] for sk, best in candidates.items()
    }


def _candidates(p: Problem) -> dict[int, list[tuple[tuple, int]]]:
    """The best ``room + units`` eligible learners of each skill, with their preference digits.

    Most people are nothing special to a given skill (no level in it, no wish, another team):
    their digits differ only by load and email, the same for every skill. So only the special
    ones are ranked per skill; the others are taken in a precomputed order, from the skill's
    team and from the rest, as many as could be needed."""
    ctx = p.ctx
    order = sorted(p.learners, key=lambda pk: (min(ctx.load(pk), LOAD_CAP), ctx.rank[pk]))
    by_team: dict[int | None, list[int]] = {}
    for pk in order:
        by_team.setdefault(ctx.people[pk].team_id, []).append(pk)
    special = special_learners(p)
    has_room = set(p.learners)
    result = {}
    for skill_id, room in p.room.items():
        skill = p.by_id[skill_id]
        k = room + p.units
        mine = special[skill_id]
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
        result[skill_id] = heapq.nsmallest(k, pool)
    return result
