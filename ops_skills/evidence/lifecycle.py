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
from django.db import connection
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
    locked: bool = False  # their rows are locked for this transaction (``participants(lock=True)``)


def participants(evidence, *, lock: bool = False) -> Participants:
    """The performer or mentor and everyone else who took part, with their teams. One query, or
    none when the page prefetched them (with ``select_related`` of the performer or mentor).
    ``lock``: read them FOR NO KEY UPDATE (PostgreSQL), as ``levels.store.refresh`` would before
    refreshing their levels, so that a flow deciding on the evidence takes that lock here."""
    cache = getattr(evidence, "_prefetched_objects_cache", {})
    others = "learners" if isinstance(evidence, PairingSession) else "participants"
    first = "mentor" if isinstance(evidence, PairingSession) else "performer"
    lock = lock and connection.features.has_select_for_update
    if not lock and others in cache and evidence._meta.get_field(first).is_cached(evidence):
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
    found = Person.objects.filter(who)
    if lock:
        no_key = connection.features.has_select_for_no_key_update
        found = found.select_for_update(no_key=no_key).order_by("pk")
    people = list(found)
    # Whole rows, so that the mentor or performer is at hand for what follows (the audit entry
    # names the evidence, and its name names them) without a query of its own.
    first_id = getattr(evidence, f"{first}_id")
    for person in people:
        if person.pk == first_id and not evidence._meta.get_field(first).is_cached(evidence):
            setattr(evidence, first, person)
    return Participants(
        frozenset(p.pk for p in people), frozenset(p.team_id for p in people if p.team_id is not None), locked=lock
    )


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


def can_uphold(viewer, evidence, people: Participants | None = None) -> bool:
    """``viewer`` may leave ``evidence``'s dispute standing (``uphold``): it is disputed, not by a
    lead or an admin, and ``viewer`` is a lead or an admin who may decide on it."""
    if evidence.status != DISPUTED or not permissions.is_lead_or_admin(viewer):
        return False
    decider = evidence.decided_by
    if decider is not None and permissions.is_lead_or_admin(decider):
        return False
    return _permitted(viewer, evidence, people or participants(evidence))


def uphold(evidence, *, by, people: Participants | None = None) -> Participants:
    """A lead (or an admin) who checked a member's dispute leaves it standing: the evidence stays
    disputed, now as their decision (``decided_by``), so that it no longer waits for a lead. It
    still does not count, and may still be confirmed later. PermissionDenied when ``by`` may not
    (``can_uphold``), ``Settled`` when it was decided on in the meantime. The caller runs it in
    its transaction."""
    people = people or participants(evidence)
    if not can_uphold(by, evidence, people):
        if evidence.status != DISPUTED:
            raise Settled(f"This evidence is {evidence.get_status_display().lower()}: there is no dispute to leave.")
        raise PermissionDenied("Only a lead of someone who took part, or an admin, leaves a member's dispute standing.")
    now = timezone.now()
    changed = (
        type(evidence)
        .objects.filter(pk=evidence.pk, status=DISPUTED, decided_by=evidence.decided_by_id)
        .update(decided_by=by, decided_at=now)
    )
    if not changed:
        raise Settled("Someone else decided on this evidence in the meantime.")
    before = evidence.decided_by_id
    evidence.decided_by, evidence.decided_at = by, now
    audit.record(evidence, changes={"decided_by": (before, by.pk)}, teams=people.team_ids, people=people.ids)
    return people
