"""The level rules of DESIGN.md, as plain functions over plain data.

Current level of a person in a skill is ``max(L, E, min(S, 2))``:

- L, the level of the latest lead assessment (0 if none);
- S, the latest self assessment (0 if none), capped at 2 — a self-claim alone never makes
  someone independent;
- E, the highest floor given by confirmed evidence dated after that lead assessment (all
  confirmed evidence when there is none), so a lead can lower a level and new evidence raises it.

Nothing here imports Django: ``facts.py`` turns rows into these facts. The stored levels
(``store.py``) are computed by this rule, and so is the explanation of them (a person's
timeline); every other page reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ops_skills.evidence.rules import HANDS_ON, MENTOR, OBSERVER, PRODUCTION_PERFORMER
from ops_skills.skills.rules import (
    ASSISTED,
    AWARE,
    COVER_LEVEL,
    EXPERT,
    INDEPENDENT,
    LEVEL_LABELS,
    NONE,
    SELF_CAP,
)

# Floors of confirmed evidence (see ``evidence_floor``); a mentor's depends on their level.
EVIDENCE_FLOORS = {PRODUCTION_PERFORMER: INDEPENDENT, HANDS_ON: ASSISTED, OBSERVER: AWARE}


@dataclass(frozen=True, slots=True)
class AssessmentFact:
    id: int | None
    level: int
    source: str  # "self" or "lead"
    at: datetime
    author_id: int | None = None


@dataclass(frozen=True, slots=True)
class EvidenceFact:
    """One piece of evidence seen from one participant's side."""

    id: int | None
    role: str  # one of the evidence roles above
    at: datetime
    confirmed: bool
    kind: str = "evidence"  # e.g. "pairing session" or "runbook execution", for explanations

    @property
    def role_label(self) -> str:
        return self.role.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Level:
    """A current level and what gave it."""

    level: int
    basis: str  # "lead", "self", "evidence" or "none"
    assessment: AssessmentFact | None = None
    evidence: EvidenceFact | None = None

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def covers(self) -> bool:
        return self.level >= COVER_LEVEL

    @property
    def self_assessed(self) -> bool:
        return self.basis == "self"

    def explain(self) -> str:
        if self.basis == "lead":
            return f"lead assessment of {self.assessment.at:%Y-%m-%d}"
        if self.basis == "self":
            capped = " (self assessments count at most 2)" if self.level == SELF_CAP else ""
            return f"self assessment of {self.assessment.at:%Y-%m-%d}{capped}"
        if self.basis == "evidence":
            return f"{self.evidence.kind} on {self.evidence.at:%Y-%m-%d} as {self.evidence.role.replace('_', ' ')}"
        return "no assessment or evidence"


NO_LEVEL = Level(NONE, "none")


def _latest(assessments: Iterable[AssessmentFact], source: str) -> AssessmentFact | None:
    latest = None
    for a in assessments:
        if a.source == source and (latest is None or (a.at, a.id or 0) > (latest.at, latest.id or 0)):
            latest = a
    return latest


def evidence_floor(role: str, level_without_mentoring: int) -> int:
    """The floor one confirmed piece of evidence gives.

    A mentor gets 4 when they already stand at 3 or more by everything else; a mentor below that
    was at least working hands-on, so gets the learner's floor.
    """
    if role == MENTOR:
        return EXPERT if level_without_mentoring >= INDEPENDENT else ASSISTED
    try:
        return EVIDENCE_FLOORS[role]
    except KeyError:
        raise ValueError(f"unknown evidence role {role!r}") from None


def current_level(assessments: Sequence[AssessmentFact], evidence: Sequence[EvidenceFact] = ()) -> Level:
    """The current level of one person in one skill, with what gave it.

    When sources tie, the lead assessment is named first, then evidence, then the self
    assessment: the most authoritative reason is the one shown.
    """
    lead = _latest(assessments, "lead")
    own = _latest(assessments, "self")
    counted = [e for e in evidence if e.confirmed and (lead is None or e.at > lead.at)]

    candidates: list[Level] = []
    if lead is not None:
        candidates.append(Level(lead.level, "lead", assessment=lead))
    plain = [e for e in counted if e.role != MENTOR]
    best_plain = max(plain, key=lambda e: (EVIDENCE_FLOORS[e.role], e.at), default=None)
    if best_plain is not None:
        candidates.append(Level(EVIDENCE_FLOORS[best_plain.role], "evidence", evidence=best_plain))
    if own is not None:
        candidates.append(Level(min(own.level, SELF_CAP), "self", assessment=own))

    without_mentoring = max((c.level for c in candidates), default=NONE)
    mentoring = [e for e in counted if e.role == MENTOR]
    if mentoring:
        latest_mentoring = max(mentoring, key=lambda e: e.at)
        floor = evidence_floor(MENTOR, without_mentoring)
        candidates.append(Level(floor, "evidence", evidence=latest_mentoring))

    order = {"lead": 0, "evidence": 1, "self": 2}
    best = min(candidates, key=lambda c: (-c.level, order[c.basis]), default=NO_LEVEL)
    return best


@dataclass(frozen=True, slots=True)
class LevelChange:
    at: datetime
    before: int
    after: Level
    cause: AssessmentFact | EvidenceFact


def level_history(assessments: Sequence[AssessmentFact], evidence: Sequence[EvidenceFact] = ()) -> list[LevelChange]:
    """Every change of the current level, oldest first, with the assessment or evidence that caused it."""
    events: list[AssessmentFact | EvidenceFact] = sorted(
        [*assessments, *(e for e in evidence if e.confirmed)], key=lambda x: (x.at, x.id or 0)
    )
    changes = []
    seen_a: list[AssessmentFact] = []
    seen_e: list[EvidenceFact] = []
    previous = NONE
    for event in events:
        (seen_a if isinstance(event, AssessmentFact) else seen_e).append(event)
        now = current_level(seen_a, seen_e)
        if now.level != previous:
            changes.append(LevelChange(at=event.at, before=previous, after=now, cause=event))
            previous = now.level
    return changes


def is_fresh(last_practised: date | datetime | None, freshness_days: int, today: date) -> bool:
    """A cover is fresh when the skill was practised within its freshness window."""
    if last_practised is None:
        return False
    if isinstance(last_practised, datetime):
        last_practised = last_practised.date()
    return today - last_practised <= timedelta(days=freshness_days)
