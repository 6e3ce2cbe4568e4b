"""What the report pages, exports and snapshots show, computed from an ``OrgFacts``.

Plain functions over plain data (no Django): skill lines with their holders, systems ranked by
risk with their truck factor, knowledge islands, totals, and the what-if comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ops_skills.reports.coverage import OrgFacts, PersonFacts, SkillFacts, SystemFacts, deficit, target
from ops_skills.reports.truck_factor import TruckFactor, truck_factor

TIER_WEIGHT = {1: 3, 2: 2, 3: 1}


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
    person: PersonFacts
    uncovered: tuple[SkillFacts, ...]


@dataclass(frozen=True)
class SystemRow:
    system: SystemFacts
    skills: tuple[SkillRow, ...]
    truck: TruckFactor
    steps: tuple[Step, ...]

    @property
    def uncovered(self) -> int:
        return sum(1 for s in self.skills if s.uncovered)

    @property
    def single_points(self) -> int:
        return sum(1 for s in self.skills if s.single_point)

    @property
    def stale_only(self) -> int:
        return sum(1 for s in self.skills if s.stale_only)

    @property
    def fresh_covered(self) -> int:
        return sum(1 for s in self.skills if s.fresh_ids)

    @property
    def deficit(self) -> int:
        return sum(s.deficit for s in self.skills)

    @property
    def key_people(self) -> tuple[PersonFacts, ...]:
        return tuple(step.person for step in self.steps)

    @property
    def risk(self) -> int:
        """Tier-weighted: uncovered skills count double, single points once, a truck factor of
        1 or less adds three."""
        tf = self.truck.value
        base = 2 * self.uncovered + self.single_points + (3 if tf is not None and tf <= 1 else 0)
        return TIER_WEIGHT.get(self.system.tier, 1) * base


@dataclass(frozen=True)
class Island:
    person: PersonFacts
    sole: tuple[SkillRow, ...]


@dataclass(frozen=True)
class Summary:
    systems: tuple[SystemRow, ...]  # ranked by risk, riskiest first
    islands: tuple[Island, ...]
    people: dict = field(default_factory=dict)

    @property
    def skills(self) -> int:
        return sum(len(s.skills) for s in self.systems)

    @property
    def uncovered(self) -> int:
        return sum(s.uncovered for s in self.systems)

    @property
    def single_points(self) -> int:
        return sum(s.single_points for s in self.systems)

    @property
    def stale_only(self) -> int:
        return sum(s.stale_only for s in self.systems)

    @property
    def deficit(self) -> int:
        return sum(s.deficit for s in self.systems)

    @property
    def truck_factors(self) -> list[int]:
        return [s.truck.value for s in self.systems if s.truck.value is not None]

    @property
    def systems_at_risk(self) -> int:
        return sum(1 for v in self.truck_factors if v <= 1)

    @property
    def max_risk(self) -> int:
        return max((s.risk for s in self.systems), default=0)


def summarise(org: OrgFacts, *, tier: int | None = None) -> Summary:
    emails = {pk: p.email for pk, p in org.people.items()}
    by_system: dict[int, list[SkillFacts]] = {}
    for skill in org.skills:
        by_system.setdefault(skill.system_id, []).append(skill)
    rows = []
    for system in org.systems.values():
        if tier is not None and system.tier != tier:
            continue
        skills = by_system.get(system.id, [])
        skill_rows = tuple(
            SkillRow(
                skill=s,
                system=system,
                holders=tuple(sorted((org.people[p] for p in s.holders if p in org.people), key=lambda p: p.email)),
                fresh_ids=s.fresh_holders,
                target=target(system.tier),
                deficit=deficit(system.tier, len(s.holders)),
            )
            for s in skills
        )
        tf = truck_factor({s.id: s.holders for s in skills}, sort_key=emails)
        names = {s.id: s for s in skills}
        steps = tuple(Step(org.people[r.person], tuple(names[k] for k in r.uncovered)) for r in tf.removals)
        rows.append(SystemRow(system, skill_rows, tf, steps))
    rows.sort(key=_rank)
    sole: dict[int, list[SkillRow]] = {}
    for row in rows:
        for s in row.skills:
            if s.single_point:
                sole.setdefault(s.holders[0].id, []).append(s)
    islands = sorted(
        (Island(org.people[pk], tuple(skills)) for pk, skills in sole.items()),
        key=lambda i: (-len(i.sole), i.person.email),
    )
    return Summary(tuple(rows), tuple(islands), dict(org.people))


def _rank(row: SystemRow):
    tf = row.truck.value
    return (-row.risk, tf if tf is not None else 10**6, row.system.tier, row.system.name)


@dataclass(frozen=True)
class Transfer:
    skill: SkillRow  # as it was before
    from_people: tuple[PersonFacts, ...]  # who leaves with it
    learner: PersonFacts | None  # the remaining person closest to covering it
    learner_level: int

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
    transfers: tuple[Transfer, ...]


def what_if(org: OrgFacts, people: Iterable[int], *, tier: int | None = None) -> WhatIfResult:
    gone_ids = frozenset(people)
    before = summarise(org, tier=tier)
    after_org = org.without(gone_ids)
    after = summarise(after_org, tier=tier)
    after_skills = {s.skill.id: s for row in after.systems for s in row.skills}
    after_systems = {row.system.id: row for row in after.systems}
    newly_uncovered, new_single = [], []
    transfers = []
    for row in before.systems:
        for s in row.skills:
            now = after_skills[s.skill.id]
            if now.uncovered and not s.uncovered:
                newly_uncovered.append(now)
            elif now.single_point and not s.single_point:
                new_single.append(now)
            if now.bus_factor < s.bus_factor and now.bus_factor < 2:
                leaving = tuple(p for p in s.holders if p.id in gone_ids)
                learner, level = _closest_learner(after_org, s.skill.id, exclude=s.skill.holders)
                transfers.append(Transfer(s, leaving, learner, level))
    drops = tuple(
        (row, after_systems[row.system.id])
        for row in before.systems
        if row.truck.value is not None and (after_systems[row.system.id].truck.value or 0) < row.truck.value
    )
    transfers.sort(key=lambda t: (t.holders_after, t.skill.system.tier, t.skill.system.name, t.skill.skill.name))
    return WhatIfResult(
        gone=tuple(sorted((org.people[p] for p in gone_ids if p in org.people), key=lambda p: p.email)),
        before=before,
        after=after,
        newly_uncovered=tuple(newly_uncovered),
        new_single_points=tuple(new_single),
        drops=drops,
        transfers=tuple(transfers),
    )


def _closest_learner(org: OrgFacts, skill_id: int, *, exclude: frozenset[int]) -> tuple[PersonFacts | None, int]:
    best = None
    for (pk, sk), level in org.levels.items():
        if sk != skill_id or pk in exclude or pk not in org.people or level >= 3:
            continue
        key = (-level, org.people[pk].email)
        if best is None or key < best[0]:
            best = (key, pk, level)
    if best is None:
        return None, 0
    return org.people[best[1]], best[2]


def summary_json(summary: Summary) -> dict:
    """DESIGN.md's busfactor schema."""
    return {
        "skills": [
            {
                "system": s.system.slug,
                "skill": s.skill.slug,
                "bus_factor": s.bus_factor,
                "fresh_bus_factor": s.fresh_bus_factor,
                "holders": [p.email for p in s.holders],
            }
            for row in sorted(summary.systems, key=lambda r: r.system.name)
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
