"""Coverage of skills by people, as plain data: the numbers every report is built on.

DESIGN.md: an active person covers a skill when their current level is 3 or more; a cover is
fresh when they practised it within the skill's freshness window; the bus factor of a skill is
the number of active people who cover it; the target is 2 (3 on tier-1 systems) and the deficit
max(0, target - bus factor).

Nothing here imports Django: ``selectors.py`` loads an ``OrgFacts`` in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

DEFAULT_TARGET = 2
TIER_1_TARGET = 3


@dataclass(frozen=True, slots=True)
class PersonFacts:
    id: int
    email: str
    name: str
    team_id: int | None


@dataclass(frozen=True, slots=True)
class SystemFacts:
    id: int
    name: str
    slug: str
    team_id: int | None
    tier: int  # 1 = critical … 3 = low


@dataclass(frozen=True, slots=True)
class SkillFacts:
    id: int
    system_id: int
    name: str
    slug: str
    holders: frozenset[int]  # active people who cover it (current level 3 or more)
    fresh_holders: frozenset[int]  # those of them who practised it within its freshness window


@dataclass(frozen=True)
class OrgFacts:
    """Everything a report needs: active people, systems, and each skill with its holders."""

    people: Mapping[int, PersonFacts]
    systems: Mapping[int, SystemFacts]
    skills: tuple[SkillFacts, ...]  # ordered by system name, then skill name
    levels: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (person, skill) -> current level

    def without(self, people: Iterable[int]) -> OrgFacts:
        """The organisation as if these people had left (an off-boarding simulation)."""
        gone = frozenset(people)
        if not gone:
            return self
        return OrgFacts(
            people={pk: p for pk, p in self.people.items() if pk not in gone},
            systems=self.systems,
            # Only the skills they hold change: the others are kept as they are.
            skills=tuple(
                replace(s, holders=s.holders - gone, fresh_holders=s.fresh_holders - gone)
                if not gone.isdisjoint(s.holders) or not gone.isdisjoint(s.fresh_holders)
                else s
                for s in self.skills
            ),
            levels={pair: level for pair, level in self.levels.items() if pair[0] not in gone},
        )

    def skills_of(self, system_id: int) -> list[SkillFacts]:
        return [s for s in self.skills if s.system_id == system_id]


def target(tier: int) -> int:
    """How many people should cover each skill of a system of this tier."""
    return TIER_1_TARGET if tier == 1 else DEFAULT_TARGET


def deficit(tier: int, bus_factor: int) -> int:
    return max(0, target(tier) - bus_factor)
