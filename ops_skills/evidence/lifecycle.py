"""The life cycle of evidence, in one place: pending → confirmed | disputed, disputed → confirmed.

- Logged evidence is **pending** until another participant (or a lead of someone who took part,
  or an admin) decides on it; whoever logged it cannot decide on it.
- **Confirmed** is final: nobody moves it again, on the web, the API or chat alike.
- **Disputed** evidence does not count; someone who may decide can still confirm it (a lead who
  checked, or the participant who disputed by mistake).

Who may decide is ``people.permissions.can_decide``; this module adds the state rule and makes the
move. What follows a decision (levels, transfer assignments, onboarding ticks) is
``ops_skills.flows``, the one module above the apps that calls this.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from ops_skills.evidence.models import Evidence, PairingSession, RunbookExecution
from ops_skills.people import audit, permissions
from ops_skills.people.models import Person

PENDING, CONFIRMED, DISPUTED = Evidence.Status.PENDING, Evidence.Status.CONFIRMED, Evidence.Status.DISPUTED
# The states each state may move to.
MOVES = {PENDING: {CONFIRMED, DISPUTED}, DISPUTED: {CONFIRMED}, CONFIRMED: set()}
MAX_REASON = 300


class Settled(ValidationError):
    """The evidence cannot move to that state any more (the API answers 409)."""


@dataclass(frozen=True)
class Participants:
    """Who took part in a piece of evidence, and their teams: what deciding on it depends on."""

    ids: frozenset[int]
    team_ids: frozenset[int]


def participants(evidence) -> Participants:
    """The performer or mentor and everyone else who took part, with their teams. One query, or
    none when the page prefetched them (with ``select_related`` of the performer or mentor)."""
    cache = getattr(evidence, "_prefetched_objects_cache", {})
    others = "learners" if isinstance(evidence, PairingSession) else "participants"
    first = "mentor" if isinstance(evidence, PairingSession) else "performer"
    if others in cache and evidence._meta.get_field(first).is_cached(evidence):
        people = [getattr(evidence, first), *cache[others]]
        return Participants(
            frozenset(p.pk for p in people), frozenset(p.team_id for p in people if p.team_id is not None)
        )
    # A subquery on the through table's index, not an OR over a join (which made SQLite scan
    # every learner row of the organisation).
    if isinstance(evidence, PairingSession):
        others = PairingSession.learners.through.objects.filter(pairingsession_id=evidence.pk)
        who = Q(pk=evidence.mentor_id) | Q(pk__in=others.values("person_id"))
    else:
        others = RunbookExecution.participants.through.objects.filter(runbookexecution_id=evidence.pk)
        who = Q(pk=evidence.performer_id) | Q(pk__in=others.values("person_id"))
    rows = set(Person.objects.filter(who).values_list("pk", "team_id"))
    return Participants(frozenset(pk for pk, _ in rows), frozenset(t for _, t in rows if t is not None))


def can_decide(viewer, evidence, people: Participants | None = None) -> bool:
    """``viewer`` may decide on ``evidence`` now: permitted, and it is not settled."""
    return not settled_problem(evidence, CONFIRMED) and _permitted(viewer, evidence, people or participants(evidence))


def settled_problem(evidence, to: str) -> str | None:
    """Why ``evidence`` cannot move to ``to``, or None."""
    if to in MOVES[evidence.status]:
        return None
    if evidence.status == CONFIRMED:
        return "This evidence is confirmed already: confirmed evidence is final."
    return f"This evidence is {evidence.get_status_display().lower()} already."


def _permitted(viewer, evidence, people: Participants) -> bool:
    return permissions.can_decide(
        viewer, logged_by_id=evidence.logged_by_id, participant_ids=people.ids, team_ids=people.team_ids
    )


def move(evidence, *, to: str, by, reason: str = "", people: Participants | None = None) -> Participants:
    """Move ``evidence`` to ``to`` (confirmed or disputed) as decided by ``by``: PermissionDenied
    when ``by`` may not decide on it, ``Settled`` when its state does not allow the move (checked
    against the database too, so two decisions racing cannot both win). Returns its participants.
    Writes only the evidence and its audit entry; the caller runs it in its transaction."""
    people = people or participants(evidence)
    if not _permitted(by, evidence, people):
        raise PermissionDenied("Only another participant, or a lead of someone who took part, decides on evidence.")
    if problem := settled_problem(evidence, to):
        raise Settled(problem)
    reason = " ".join(reason.split())
    if to == DISPUTED and not reason:
        raise ValidationError("Say what is wrong with it.")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"Keep the reason under {MAX_REASON} characters.")
    now = timezone.now()
    sources = [s for s, targets in MOVES.items() if to in targets]
    changed = (
        type(evidence)
        .objects.filter(pk=evidence.pk, status__in=sources)
        .update(status=to, decided_by=by, decided_at=now, dispute_reason=reason if to == DISPUTED else "")
    )
    if not changed:
        raise Settled("Someone else decided on this evidence in the meantime.")
    fields = ("status", "decided_by", "dispute_reason")
    before = (evidence.status, evidence.decided_by_id, evidence.dispute_reason)
    evidence.status, evidence.decided_by, evidence.decided_at = to, by, now
    evidence.dispute_reason = reason if to == DISPUTED else ""
    after = (evidence.status, evidence.decided_by_id, evidence.dispute_reason)
    # The conditional UPDATE above sends no signal: the audit trail is told here, from → to.
    audit.record(
        evidence,
        changes={name: (old, new) for name, old, new in zip(fields, before, after, strict=True) if old != new},
        teams=people.team_ids,
        people=people.ids,
    )
    return people
