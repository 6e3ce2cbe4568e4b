"""The bus-factor report: the one engine behind the report pages, the CSV and JSON exports, the
daily snapshots, ``manage.py busfactor`` and ``GET /api/busfactor/``, so that they all show the
same numbers for the same data.

Plain functions over plain data (no Django), computed from an ``OrgFacts`` (see ``coverage.py``;
``selectors.py`` loads it): skill lines with their holders, systems ranked by risk with their
truck factor and fresh truck factor, team and organisation roll-ups, knowledge islands, the
what-if comparison, and DESIGN.md's JSON.

Risk of a system: tier weight {1: 3, 2: 2, 3: 1} × (2 × uncovered skills + single points
+ max(0, 2 − truck factor)); a system without skills scores 0. Uncovered skills count double
because they are already lost; a truck factor below 2 adds the gap to 2. Systems are ranked by
risk (highest first), then tier, then name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts, deficit, target
from ops_skills.reports.truck_factor import EXACT_LIMIT, TruckFactor, truck_factor
from ops_skills.skills.rules import COVER_LEVEL

TIER_WEIGHT = {1: 3, 2: 2, 3: 1}
ISLAND_MIN = 2  # a knowledge island is the sole holder of several skills
CANDIDATES = 3  # learners proposed for each transfer a what-if asks for
SAFE_TRUCK_FACTOR = 2


@dataclass(frozen=True)
class SkillRow:
    skill: SkillFacts
    system: SystemFacts
    holders: tuple[PersonFacts, ...]  # by email
    fresh_ids: frozenset[int]
    target: int
    deficit: int

    @property
    def bus_factor(self) -> int:
        return len(self.holders)

    @property
    def fresh_bus_factor(self) -> int:
        return len(self.fresh_ids)

    @property
    def uncovered(self) -> bool:
        return not self.holders

    @property
    def single_point(self) -> bool:
        return len(self.holders) == 1

    @property
    def stale_only(self) -> bool:
        return bool(self.holders) and not self.fresh_ids


@dataclass(frozen=True)
class Step:
    """One removal of the truck-factor explanation: who leaves and what nobody covers then."""

    person: PersonFacts
    uncovered: tuple[SkillFacts, ...]


@dataclass(frozen=True)
class SystemRow:
    """A system's line of the report. Its figures and truck factor are worked out when the row is
    made (they rank it); the skill lines (``skills``, holders by email), the fresh truck factor
    and the explanation (``steps``) when first read: a ranked page shows them for 50 systems of
    600, and a what-if compares the skill lines of the systems the leavers touch only."""

    system: SystemFacts
    skill_facts: tuple[SkillFacts, ...]  # its skills in display order, as the report counted them
    truck: TruckFactor
    uncovered: int
    single_points: int
    stale_only: int
    fresh_covered: int
    deficit: int
    risk: int
    # What the rest is worked out from (equal skill facts give equal rows):
    order: _Order = field(repr=False, compare=False)  # the people's tie-break order
    people: Mapping[int, PersonFacts] = field(default_factory=dict, repr=False, compare=False)  # to name them
    exact_limit: int = field(default=EXACT_LIMIT, repr=False, compare=False)

    @cached_property
    def skills(self) -> tuple[SkillRow, ...]:
        return _skill_rows(self.system, self.skill_facts, self.people, self.order.rank)

    @cached_property
    def fresh_truck(self) -> TruckFactor:
        """The truck factor over fresh holders only."""
        holders = {s.id: s.fresh_holders for s in self.skill_facts}
        order = self.order
        return truck_factor(holders, sort_key=order.emails, rank=order.rank, exact_limit=self.exact_limit)

    @property
    def skill_count(self) -> int:
        return len(self.skill_facts)

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The truck factor's explanation with people and skills: worked out when first shown."""
        names = {s.id: s for s in self.skill_facts}
        return tuple(Step(self.people[r.person], tuple(names[k] for k in r.uncovered)) for r in self.truck.removals)

    @cached_property
    def key_people(self) -> tuple[PersonFacts, ...]:
        people = self.people
        return tuple(people[r.person] for r in self.truck.removals)


def risk_score(tier: int, *, skills: int, uncovered: int, single_points: int, truck_factor: int | None) -> int:
    """The risk score of a system (see the module docstring)."""
    if skills == 0:
        return 0
    gap = max(0, SAFE_TRUCK_FACTOR - (truck_factor or 0))
    return TIER_WEIGHT.get(tier, 1) * (2 * uncovered + single_points + gap)


@dataclass(frozen=True)
class Rollup:
    """The key figures of a set of systems (a team's, or the whole organisation's)."""

    systems: int
    skills: int
    uncovered: int
    single_points: int
    stale_only: int
    deficit: int
    truck_factors: tuple[int, ...]  # of the systems that have skills

    @property
    def systems_at_risk(self) -> int:
        return sum(1 for v in self.truck_factors if v <= 1)

    @property
    def mean_truck_factor(self) -> float | None:
        return round(sum(self.truck_factors) / len(self.truck_factors), 2) if self.truck_factors else None

    @property
    def min_truck_factor(self) -> int | None:
        return min(self.truck_factors, default=None)


def _rollup(rows: Iterable[SystemRow]) -> Rollup:
    rows = list(rows)
    return Rollup(
        systems=len(rows),
        skills=sum(len(r.skill_facts) for r in rows),
        uncovered=sum(r.uncovered for r in rows),
        single_points=sum(r.single_points for r in rows),
        stale_only=sum(r.stale_only for r in rows),
        deficit=sum(r.deficit for r in rows),
        truck_factors=tuple(r.truck.value for r in rows if r.truck.value is not None),
    )


EMPTY = _rollup(())


@dataclass(frozen=True)
class Island:
    person: PersonFacts
    sole: tuple[SkillRow, ...]


@dataclass(frozen=True)
class Summary:
    systems: tuple[SystemRow, ...]  # ranked by risk, riskiest first
    org: Rollup
    teams: Mapping[int | None, Rollup]  # team id -> the roll-up of its systems
    removed: tuple[PersonFacts, ...] = ()  # the people counted as gone (what-if), by email

    @cached_property
    def islands(self) -> tuple[Island, ...]:
        """Most sole holdings first, then by email: worked out when first read (it reads every
        skill line, which only the islands page and the exports show)."""
        return _islands(self.systems)

    def team(self, team_id: int | None) -> Rollup:
        return self.teams.get(team_id, EMPTY)

    # The organisation's figures, as the pages read them.
    @property
    def skills(self) -> int:
        return self.org.skills

    @property
    def uncovered(self) -> int:
        return self.org.uncovered

    @property
    def single_points(self) -> int:
        return self.org.single_points

    @property
    def stale_only(self) -> int:
        return self.org.stale_only

    @property
    def deficit(self) -> int:
        return self.org.deficit

    @property
    def systems_at_risk(self) -> int:
        return self.org.systems_at_risk

    @property
    def max_risk(self) -> int:
        return max((s.risk for s in self.systems), default=0)


def summarise(
    org: OrgFacts, *, tier: int | None = None, without: Iterable[int] = (), exact_limit: int = EXACT_LIMIT
) -> Summary:
    """The report of ``org`` (only the systems of ``tier`` when given), as if the people
    ``without`` had left."""
    gone = frozenset(without)
    removed = _people(org, gone)
    return _summarise(org.without(gone), tier=tier, removed=removed, exact_limit=exact_limit)


def _people(org: OrgFacts, ids: Iterable[int]) -> tuple[PersonFacts, ...]:
    return tuple(sorted((org.people[p] for p in ids if p in org.people), key=lambda p: p.email))


@dataclass(frozen=True, eq=False)
class _Order:
    """The people's tie-break keys (emails) and each one's place in that order (ties by id), made
    once per report (a what-if's "after" uses those of its "before": its people are a subset)."""

    emails: Mapping[int, str]
    rank: Mapping[int, int]


def _order(people: Mapping[int, PersonFacts]) -> _Order:
    """The same object for the same people and emails as the last report's, so that the systems'
    figures it kept (``_FIGURES``) can be found again."""
    key = tuple((pk, p.email) for pk, p in people.items())
    order = _ORDERS.get(key)
    if order is None:
        emails = dict(key)
        order = _Order(emails, {pk: i for i, pk in enumerate(sorted(emails, key=lambda pk: (emails[pk], pk)))})
        if len(_ORDERS) >= 8:
            _ORDERS.clear()
        _ORDERS[key] = order
    return order


_ORDERS: dict[tuple[tuple[int, str], ...], _Order] = {}
# A system's figures and truck factor by what they are worked out from (its tier, each skill's
# holders and fresh holders, the people's order), kept between reports: a report asked for
# again, or a what-if's "before", counts again only the systems whose covers changed.
_FIGURES: dict[tuple, tuple] = {}
FIGURES_LIMIT = 20_000


def _summarise(
    org: OrgFacts,
    *,
    tier: int | None,
    removed: tuple[PersonFacts, ...] = (),
    reuse: Mapping[int, SystemRow] | None = None,
    order: _Order | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> Summary:
    """``reuse``: rows known to be unchanged (a what-if keeps those of systems nobody leaving holds).
    ``order``: the people's order, when the caller has it for a superset of ``org.people``."""
    reuse = reuse or {}
    order = order or _order(org.people)
    by_system: dict[int, list[SkillFacts]] = {}
    for skill in org.skills:
        by_system.setdefault(skill.system_id, []).append(skill)
    rows = [
        reuse.get(system.id) or _system_row(org, system, by_system.get(system.id, ()), order, exact_limit)
        for system in org.systems.values()
        if tier is None or system.tier == tier
    ]
    rows.sort(key=_rank)
    by_team: dict[int | None, list[SystemRow]] = {}
    for row in rows:
        by_team.setdefault(row.system.team_id, []).append(row)
    return Summary(
        systems=tuple(rows),
        org=_rollup(rows),
        teams={team_id: _rollup(team_rows) for team_id, team_rows in by_team.items()},
        removed=removed,
    )


def _system_row(org: OrgFacts, system: SystemFacts, skills, order: _Order, exact_limit: int) -> SystemRow:
    """The figures of one system, counted from its skills' holders (an ``OrgFacts``' holders are
    among its people) without making its skill lines."""
    skills = tuple(skills)
    key = (system.tier, order, exact_limit, tuple([(s.id, s.holders, s.fresh_holders) for s in skills]))
    figures = _FIGURES.get(key)
    if figures is None:
        figures = _figures(system.tier, skills, order, exact_limit)
        if len(_FIGURES) >= FIGURES_LIMIT:
            _FIGURES.clear()
        _FIGURES[key] = figures
    uncovered, single_points, stale_only, fresh_covered, shortfall, tf = figures
    return SystemRow(
        system=system,
        skill_facts=skills,
        truck=tf,
        uncovered=uncovered,
        single_points=single_points,
        stale_only=stale_only,
        fresh_covered=fresh_covered,
        deficit=shortfall,
        risk=risk_score(
            system.tier, skills=len(skills), uncovered=uncovered, single_points=single_points, truck_factor=tf.value
        ),
        people=org.people,
        order=order,
        exact_limit=exact_limit,
    )


def _figures(tier: int, skills: tuple[SkillFacts, ...], order: _Order, exact_limit: int) -> tuple:
    uncovered = single_points = stale_only = fresh_covered = shortfall = 0
    for s in skills:
        held = len(s.holders)
        if held == 0:
            uncovered += 1
        elif held == 1:
            single_points += 1
        if s.fresh_holders:
            fresh_covered += 1
        elif held:
            stale_only += 1
        shortfall += deficit(tier, held)
    tf = truck_factor(
        {s.id: s.holders for s in skills}, sort_key=order.emails, rank=order.rank, exact_limit=exact_limit
    )
    return uncovered, single_points, stale_only, fresh_covered, shortfall, tf


def _skill_rows(system: SystemFacts, skills, people: Mapping[int, PersonFacts], rank) -> tuple[SkillRow, ...]:
    return tuple(
        SkillRow(
            skill=s,
            system=system,
            holders=tuple(people[p] for p in sorted(filter(people.__contains__, s.holders), key=rank.__getitem__)),
            fresh_ids=s.fresh_holders,
            target=target(system.tier),
            deficit=deficit(system.tier, len(s.holders)),
        )
        for s in skills
    )


def _rank(row: SystemRow):
    return (-row.risk, row.system.tier, row.system.name, row.system.slug)


def _islands(rows: Iterable[SystemRow]) -> tuple[Island, ...]:
    sole: dict[int, list[SkillRow]] = {}
    people: dict[int, PersonFacts] = {}
    for row in rows:
        for s in row.skills:
            if s.single_point:
                person = s.holders[0]
                people[person.id] = person
                sole.setdefault(person.id, []).append(s)
    return tuple(
        sorted(
            (Island(people[pk], tuple(skills)) for pk, skills in sole.items() if len(skills) >= ISLAND_MIN),
            key=lambda i: (-len(i.sole), i.person.email),
        )
    )


# What if they left -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    skill: SkillRow  # as it was before
    from_people: tuple[PersonFacts, ...]  # who leaves with it
    candidates: tuple[tuple[PersonFacts, int], ...]  # remaining learners closest to covering it, with their level

    @property
    def learner(self) -> PersonFacts | None:
        return self.candidates[0][0] if self.candidates else None

    @property
    def learner_level(self) -> int:
        return self.candidates[0][1] if self.candidates else 0

    @property
    def holders_after(self) -> int:
        return self.skill.bus_factor - len(self.from_people)


@dataclass(frozen=True)
class WhatIfResult:
    gone: tuple[PersonFacts, ...]
    before: Summary
    after: Summary
    newly_uncovered: tuple[SkillRow, ...]
    new_single_points: tuple[SkillRow, ...]
    drops: tuple[tuple[SystemRow, SystemRow], ...]  # (before, after) where the truck factor fell
    transfers: tuple[Transfer, ...]  # fewest holders left first, then tier, system and skill


def what_if(org: OrgFacts, people: Iterable[int], *, tier: int | None = None) -> WhatIfResult:
    """The report before and after ``people`` leave, what they take with them, and who could
    learn it first. Only the systems whose holders leave are computed again."""
    gone = frozenset(p for p in people if p in org.people)
    order = _order(org.people)
    before = _summarise(org, tier=tier, order=order)
    touched = {s.system_id for s in org.skills if not (gone.isdisjoint(s.holders) and gone.isdisjoint(s.fresh_holders))}
    after_org = org.without(gone)
    after = _summarise(
        after_org,
        tier=tier,
        removed=_people(org, gone),
        reuse={row.system.id: row for row in before.systems if row.system.id not in touched},
        order=order,
    )
    after_systems = {row.system.id: row for row in after.systems}
    newly_uncovered, new_single, needed = [], [], []
    drops = []
    for row in before.systems:
        if row.system.id not in touched:
            continue
        now_row = after_systems[row.system.id]
        for s, now in zip(row.skills, now_row.skills, strict=True):
            if now.uncovered and not s.uncovered:
                newly_uncovered.append(now)
            elif now.single_point and not s.single_point:
                new_single.append(now)
            if now.bus_factor < s.bus_factor and now.bus_factor < 2:
                needed.append(s)
        if row.truck.value is not None and (now_row.truck.value or 0) < row.truck.value:
            drops.append((row, now_row))
    candidates = _candidates(after_org, needed)
    transfers = sorted(
        (Transfer(s, tuple(p for p in s.holders if p.id in gone), candidates.get(s.skill.id, ())) for s in needed),
        key=lambda t: (t.holders_after, t.skill.system.tier, t.skill.system.name, t.skill.skill.name),
    )
    return WhatIfResult(
        gone=after.removed,
        before=before,
        after=after,
        newly_uncovered=tuple(newly_uncovered),
        new_single_points=tuple(new_single),
        drops=tuple(drops),
        transfers=tuple(transfers),
    )


def _candidates(org: OrgFacts, skills: list[SkillRow]) -> dict[int, tuple[tuple[PersonFacts, int], ...]]:
    """For each skill, the remaining people who have started on it but do not cover it, highest
    current level first, then by email. One pass over the levels for all the skills together."""
    wanted = {s.skill.id: s.skill.holders for s in skills}
    found: dict[int, list[tuple[int, str, PersonFacts]]] = {}
    for (pk, skill_id), level in org.levels.items():
        holders = wanted.get(skill_id)
        if holders is None or level >= COVER_LEVEL or pk in holders or pk not in org.people:
            continue
        person = org.people[pk]
        found.setdefault(skill_id, []).append((-level, person.email, person))
    return {
        skill_id: tuple((person, -neg) for neg, _, person in sorted(people, key=lambda c: c[:2])[:CANDIDATES])
        for skill_id, people in found.items()
    }


# JSON (DESIGN.md) ------------------------------------------------------------------------------


def summary_json(summary: Summary) -> dict:
    """DESIGN.md's busfactor schema: skills by system name then skill name, systems in the
    report's order (riskiest first); ``what_if`` lists the people counted as gone, if any."""
    data = {
        "skills": [
            {
                "system": s.system.slug,
                "skill": s.skill.slug,
                "bus_factor": s.bus_factor,
                "fresh_bus_factor": s.fresh_bus_factor,
                "holders": [p.email for p in s.holders],
            }
            for row in sorted(summary.systems, key=lambda r: (r.system.name, r.system.slug))
            for s in row.skills
        ],
        "systems": [
            {
                "system": row.system.slug,
                "tier": row.system.tier,
                "skills": len(row.skills),
                "uncovered": row.uncovered,
                "single_points": row.single_points,
                "truck_factor": row.truck.value,
                "truck_factor_method": row.truck.method,
                "key_people": [p.email for p in row.key_people],
            }
            for row in summary.systems
        ],
    }
    if summary.removed:
        data["what_if"] = [p.email for p in summary.removed]
    return data
