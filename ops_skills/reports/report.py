"""The bus-factor report as plain data (DESIGN.md Rules): built from an ``OrgFacts``, no Django.

Risk score of a system: tier weight {1: 3, 2: 2, 3: 1} x (2 x uncovered skills + single points
+ max(0, 2 - truck factor)); a system without skills scores 0. Uncovered skills count double
because they are already lost; a truck factor below 2 adds the gap to 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ops_skills.reports.coverage import OrgFacts, SkillFacts, SystemFacts, deficit, target
from ops_skills.reports.truck_factor import EXACT_LIMIT, TruckFactor, truck_factor

TIER_WEIGHT = {1: 3, 2: 2, 3: 1}
ISLAND_MIN = 2


@dataclass(frozen=True)
class SkillLine:
    skill: SkillFacts
    bus_factor: int
    fresh_bus_factor: int
    holders: tuple[str, ...]  # emails, sorted
    target: int
    deficit: int


@dataclass(frozen=True)
class SystemLine:
    system: SystemFacts
    skills: tuple[SkillLine, ...]
    uncovered: int
    single_points: int
    truck_factor: TruckFactor
    fresh_truck_factor: TruckFactor | None
    deficit: int
    risk: int
    key_people: tuple[str, ...] = ()  # emails, in removal order


@dataclass(frozen=True)
class Rollup:
    skills: int
    uncovered: int
    single_points: int
    fragile_systems: int  # truck factor <= 1
    deficit: int


@dataclass(frozen=True)
class Island:
    person: int
    email: str
    skills: tuple[SkillFacts, ...]


@dataclass(frozen=True)
class Report:
    systems: tuple[SystemLine, ...]  # by system name
    ranked: tuple[SystemLine, ...]  # by risk desc, then name
    teams: dict  # team_id -> Rollup
    org: Rollup
    islands: tuple[Island, ...]
    without: tuple[str, ...]  # emails removed


def _rollup(lines: list[SystemLine]) -> Rollup:
    return Rollup(
        skills=sum(len(s.skills) for s in lines),
        uncovered=sum(s.uncovered for s in lines),
        single_points=sum(s.single_points for s in lines),
        fragile_systems=sum(1 for s in lines if s.truck_factor.value is not None and s.truck_factor.value <= 1),
        deficit=sum(s.deficit for s in lines),
    )


def build_report(org: OrgFacts, *, without: Iterable[int] = (), exact_limit: int = EXACT_LIMIT) -> Report:
    gone = frozenset(without)
    removed = tuple(sorted(org.people[p].email for p in gone if p in org.people))
    org = org.without(gone)
    email = {pk: p.email for pk, p in org.people.items()}
    by_system: dict[int, list[SkillFacts]] = {}
    for s in org.skills:
        by_system.setdefault(s.system_id, []).append(s)
    lines = []
    for system in sorted(org.systems.values(), key=lambda s: (s.name, s.slug)):
        skills = by_system.get(system.id, [])
        sl = tuple(
            SkillLine(
                skill=s,
                bus_factor=len(s.holders),
                fresh_bus_factor=len(s.fresh_holders),
                holders=tuple(sorted(email.get(p, "") for p in s.holders)),
                target=target(system.tier),
                deficit=deficit(system.tier, len(s.holders)),
            )
            for s in skills
        )
        tf = truck_factor({s.id: s.holders for s in skills}, sort_key=email, exact_limit=exact_limit)
        ftf = truck_factor({s.id: s.fresh_holders for s in skills}, sort_key=email, exact_limit=exact_limit)
        uncovered = sum(1 for x in sl if x.bus_factor == 0)
        single = sum(1 for x in sl if x.bus_factor == 1)
        risk = 0
        if skills:
            risk = TIER_WEIGHT.get(system.tier, 1) * (2 * uncovered + single + max(0, 2 - (tf.value or 0)))
        keys = tuple(email.get(p, "") for p in tf.key_people)
        lines.append(SystemLine(system, sl, uncovered, single, tf, ftf, sum(x.deficit for x in sl), risk, keys))
    teams: dict = {}
    for line in lines:
        teams.setdefault(line.system.team_id, []).append(line)
    sole: dict[int, list[SkillFacts]] = {}
    for s in org.skills:
        if len(s.holders) == 1:
            sole.setdefault(next(iter(s.holders)), []).append(s)
    islands = sorted(
        (Island(p, email.get(p, ""), tuple(ss)) for p, ss in sole.items() if len(ss) >= ISLAND_MIN),
        key=lambda i: (-len(i.skills), i.email),
    )
    return Report(
        systems=tuple(lines),
        ranked=tuple(sorted(lines, key=lambda x: (-x.risk, x.system.name))),
        teams={k: _rollup(v) for k, v in teams.items()},
        org=_rollup(lines),
        islands=tuple(islands),
        without=removed,
    )


@dataclass(frozen=True)
class Transfer:
    skill: SkillFacts
    system: SystemFacts
    departing: tuple[str, ...]
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class WhatIf:
    before: Report
    after: Report
    newly_uncovered: tuple[SkillFacts, ...]
    new_single_points: tuple[SkillFacts, ...]
    truck_factor_drops: tuple[tuple[SystemFacts, int | None, int | None], ...]
    transfers: tuple[Transfer, ...]


def what_if(org: OrgFacts, people: Iterable[int]) -> WhatIf:
    gone = frozenset(people)
    before, after = build_report(org), build_report(org, without=gone)
    b = {x.skill.id: x for line in before.systems for x in line.skills}
    a = {x.skill.id: x for line in after.systems for x in line.skills}
    unc = [a[k].skill for k in a if a[k].bus_factor == 0 and b[k].bus_factor > 0]
    single = [a[k].skill for k in a if a[k].bus_factor == 1 and b[k].bus_factor > 1]
    drops = tuple(
        (x.system, x.truck_factor.value, y.truck_factor.value)
        for x, y in zip(before.systems, after.systems, strict=True)
        if (x.truck_factor.value or 0) > (y.truck_factor.value or 0)
    )
    remaining = {pk: p.email for pk, p in org.people.items() if pk not in gone}
    transfers = []
    for s in unc + single:
        system = org.systems[s.system_id]
        departing = tuple(sorted(org.people[p].email for p in b[s.id].skill.holders & gone if p in org.people))
        cands = sorted(((org.levels.get((p, s.id), 0), e) for p, e in remaining.items() if p not in s.holders))
        cands = [(lvl, e) for lvl, e in cands if lvl < 3]
        cands.sort(key=lambda c: (-c[0], c[1]))
        transfers.append(Transfer(s, system, departing, tuple(e for _, e in cands[:3])))
    transfers.sort(key=lambda t: (t.system.tier, -a[t.skill.id].deficit, t.system.name, t.skill.name))
    return WhatIf(before, after, tuple(unc), tuple(single), drops, tuple(transfers))


def report_json(report: Report) -> dict:
    skills, systems = [], []
    for line in report.systems:
        for x in line.skills:
            skills.append(
                {
                    "system": line.system.slug,
                    "skill": x.skill.slug,
                    "bus_factor": x.bus_factor,
                    "fresh_bus_factor": x.fresh_bus_factor,
                    "holders": list(x.holders),
                }
            )
        tf = line.truck_factor
        systems.append(
            {
                "system": line.system.slug,
                "tier": line.system.tier,
                "skills": len(line.skills),
                "uncovered": line.uncovered,
                "single_points": line.single_points,
                "truck_factor": tf.value,
                "truck_factor_method": tf.method,
                "key_people": list(line.key_people),
            }
        )
    out = {"skills": skills, "systems": systems}
    if report.without:
        out["what_if"] = list(report.without)
    return out
