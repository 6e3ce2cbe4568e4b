"""The flows that span apps, in one module above them: a decision on evidence and everything that
follows it, a runbook's skills, a skill's freshness window, a runbook read, the admin's edits of
what levels depend on, and an accepted invitation's onboarding.

Each flow runs in one transaction and says, in its own body, what it refreshes: nothing happens
behind it in a signal. Web views, the API, commands and (later) chat call these, so a rule holds
the same everywhere.

Layers (see ``.importlinter``): people → skills → evidence → levels → reports, planner, onboarding
→ flows → web and api. This module may import any app; no app imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ops_skills.evidence import lifecycle
from ops_skills.evidence import services as evidence_services
from ops_skills.evidence.models import Evidence, PairingSession, Runbook, RunbookExecution
from ops_skills.levels import store
from ops_skills.onboarding import checklists as onboarding_checklists
from ops_skills.onboarding import ticking as onboarding_ticking
from ops_skills.people import leaving, permissions
from ops_skills.people.models import Notice, Person
from ops_skills.people.services import notice_send
from ops_skills.planner import services as planner_services
from ops_skills.skills.models import Skill


def _skills_of(evidence) -> dict[int, int]:
    """The skills a piece of evidence exercises, with their freshness windows. One query."""
    if isinstance(evidence, PairingSession):
        skills = Skill.objects.filter(pairing_sessions=evidence.pk)
    else:
        skills = Skill.objects.filter(runbooks=evidence.runbook_id)
    return dict(skills.order_by().values_list("pk", "freshness_days"))


@transaction.atomic
def evidence_confirm(*, evidence, person):
    """Confirm evidence (``lifecycle.move``), then, in this order: refresh the stored levels of
    its participants in its skills, complete the transfer assignments it satisfies (they read the
    refreshed levels), and tick the onboarding items it satisfies."""
    if not isinstance(evidence, PairingSession):
        # A change of the runbook's skills (``runbook_save``) waits for this, or this for it: the
        # skills read next are the ones the levels are refreshed in.
        list(Runbook.objects.select_for_update().filter(pk=evidence.runbook_id).values_list("pk", flat=True))
    # The participants are read with the lock their levels' refresh takes: one query for both.
    people = lifecycle.move(
        evidence, to=lifecycle.CONFIRMED, by=person, people=lifecycle.participants(evidence, lock=True)
    )
    skills = _skills_of(evidence)
    skill_ids = set(skills)
    store.refresh(people.ids, skill_ids, freshness=skills, locked=people.locked)
    learner_ids = people.ids - {evidence.mentor_id} if isinstance(evidence, PairingSession) else {evidence.performer_id}
    planner_services.assignments_complete_for(evidence=evidence, learner_ids=learner_ids, skill_ids=skill_ids)
    onboarding_ticking.checklists_tick_for(evidence=evidence)
    return evidence


@transaction.atomic
def evidence_dispute(*, evidence, person, reason: str):
    """Dispute pending evidence (``lifecycle.move``) and tell whoever logged it and, when a
    member disputes, the leads of those who took part. Pending evidence never counted, so no
    level changes: confirmed evidence cannot be disputed."""
    people = lifecycle.move(evidence, to=lifecycle.DISPUTED, by=person, reason=reason)
    if evidence.logged_by_id and evidence.logged_by_id != person.pk:
        notice_send(
            people=[evidence.logged_by],
            text=f"{person} disputed evidence you logged: {evidence.dispute_reason}",
            url=evidence.get_absolute_url(),
        )
    if not permissions.is_lead_or_admin(person):
        # A member's dispute waits for a lead (their inbox lists it): the leads of the people who
        # took part are told, but not twice (whoever logged it was told above).
        leads = (
            Person.objects.active()
            .filter(is_active=True, role=Person.Role.LEAD, team_id__in=people.team_ids)
            .exclude(pk__in=[person.pk, evidence.logged_by_id or 0])
        )
        if leads := list(leads):
            notice_send(
                people=leads,
                text=f"{person} disputed {evidence}, which will not count until a lead confirms it: "
                f"{evidence.dispute_reason}",
                url=evidence.get_absolute_url(),
                action="Confirm it, or leave it disputed, here",
            )
    return evidence


@transaction.atomic
def evidence_leave_disputed(*, evidence, person):
    """A lead leaves a member's dispute standing (``lifecycle.uphold``) and tells whoever logged
    it. Disputed evidence never counted, so no level changes; it may still be confirmed later."""
    lifecycle.uphold(evidence, by=person)
    if evidence.logged_by_id and evidence.logged_by_id != person.pk:
        notice_send(
            people=[evidence.logged_by],
            text=f"{person} looked at the dispute and left it standing: {evidence.dispute_reason}",
            url=evidence.get_absolute_url(),
        )
    return evidence


@transaction.atomic
def runbook_save(*, runbook: Runbook, author, skills: list[Skill] | None = None, note: str = ""):
    """Save a runbook (a new revision when its text changed). When its skills change, the levels
    of everyone in its confirmed executions are refreshed in the skills added and removed."""
    if runbook.pk and skills is not None:
        # Serialised with the confirmations of its executions (see ``evidence_confirm``).
        list(Runbook.objects.select_for_update().filter(pk=runbook.pk).values_list("pk", flat=True))
    before = set(runbook.skills.values_list("pk", flat=True)) if runbook.pk and skills is not None else set()
    saved = evidence_services.runbook_save(runbook=runbook, author=author, skills=skills, note=note)
    if skills is not None:
        changed = before ^ {s.pk for s in skills}
        if changed:
            store.refresh_scope(store.runbook_scope(runbook, changed))
    return saved


@transaction.atomic
def runbook_mark_read(*, runbook: Runbook, person):
    """Mark a runbook read and tick the onboarding items that asked for it."""
    read = evidence_services.runbook_mark_read(runbook=runbook, person=person)
    onboarding_ticking.checklists_tick_for_read(read=read)
    return read


# What the admin changes: the admin's forms save the rows themselves, and call these after.


def scope_of_evidence(evidence) -> store.Scope:
    """The people and skills a piece of evidence gives levels in, as the database has it now."""
    if evidence.pk is None:
        return set(), set()
    return store.evidence_scope(evidence)


@transaction.atomic
def evidence_edited(*, evidence, before: store.Scope) -> None:
    """Evidence changed in the admin (its people, skills, runbook or date, or deleted): refresh
    the levels it gave before and gives now."""
    store.refresh_scope(before, scope_of_evidence(evidence))


@transaction.atomic
def assessments_changed(*, pairs) -> None:
    """Assessments added, edited or deleted in the admin: refresh those (person, skill) cells,
    including the old ones of an assessment moved to another person or skill."""
    pairs = set(pairs)
    store.refresh({p for p, _ in pairs}, {s for _, s in pairs})


@transaction.atomic
def skill_freshness_changed(*, skill: Skill) -> None:
    """A new freshness window moves the day each stored practice stops keeping a cover fresh."""
    store.refresh_scope(store.freshness_scope(skill))


@transaction.atomic
def invitation_accepted(*, invitation, person) -> None:
    """An onboarding planned with the invitation starts now; it never fails the signup."""
    onboarding_checklists.planned_onboarding_start(invitation=invitation, person=person)


@dataclass
class Departure:
    """What marking someone as left changed."""

    person: Person
    assignments: list = field(default_factory=list)  # cancelled
    checklists: list = field(default_factory=list)  # no longer with them as buddy
    evidence: list = field(default_factory=list)  # pending, now waiting for a lead instead
    tokens: int = 0  # API tokens revoked
    sessions: int = 0  # sessions ended


def _pending_evidence_of(person) -> list:
    """Pending evidence ``person`` took part in but did not log: what may be waiting for them to
    confirm it. Two queries, with their participants prefetched."""
    pending = Q(status=Evidence.Status.PENDING) & ~Q(logged_by=person)
    sessions = PairingSession.objects.filter(pending & (Q(mentor=person) | Q(learners=person))).distinct()
    runs = RunbookExecution.objects.filter(pending & (Q(performer=person) | Q(participants=person))).distinct()
    return [
        *sessions.select_related("mentor", "logged_by").prefetch_related("learners"),
        *runs.select_related("performer", "logged_by", "runbook").prefetch_related("participants"),
    ]


@transaction.atomic
def person_leave(*, by, person, departed_on: date, reason: str = "") -> Departure:
    """Mark ``person`` as having left on ``departed_on`` (today or earlier) and take them out of
    what goes on, in one transaction: they can no longer log in (``is_active``), their open
    transfer assignments are cancelled with a reason, the onboardings they were buddy for lose
    them, pending evidence that only they could confirm is handed to the leads, their API tokens
    are revoked and their sessions ended. Their assessments, evidence and levels stay: history
    is kept, and the reports stop counting them from ``departed_on`` (``Person.objects.active``)."""
    if not permissions.can_mark_left(by, person):
        raise PermissionDenied("Only an admin, or a lead of their team, marks someone as left.")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.departed_on is not None and person.departed_on <= timezone.localdate():
        raise ValidationError(f"{person} left on {person.departed_on:%-d %b %Y} already.")
    if departed_on > timezone.localdate():
        raise ValidationError("The day they left cannot be in the future.")
    if person.started_on and departed_on < person.started_on:
        raise ValidationError(f"The day they left is before the day they started ({person.started_on:%-d %b %Y}).")
    person.departed_on, person.is_active = departed_on, False
    person.save(update_fields=["departed_on", "is_active"])
    done = Departure(person)
    why = " ".join(reason.split()) or "no reason given"
    done.assignments = planner_services.assignments_cancel_for_leaver(
        person=person, by=by, reason=f"{person} left on {departed_on:%-d %b %Y}: {why}"
    )
    leads = leaving.deciders_for(person.team_id)
    done.checklists = onboarding_checklists.buddies_release(
        person=person, tell=lambda checklist: leaving.deciders_for(checklist.team_id)
    )
    for evidence in _pending_evidence_of(person):
        people = lifecycle.participants(evidence)
        # Another participant who is still here (and did not log it) can confirm it themselves.
        others = people.ids - {person.pk, evidence.logged_by_id}
        if Person.objects.active().filter(pk__in=others, is_active=True).exists():
            continue
        done.evidence.append(evidence)
        deciders = [lead for lead in leads if lead.pk != evidence.logged_by_id]
        if deciders:
            notice_send(
                people=deciders,
                text=f"{person} has left: {evidence} waits for a lead to confirm or dispute it",
                url=evidence.get_absolute_url(),
                action="Confirm or dispute it here",
            )
    # What asked them to act (confirm a session, an assignment) no longer waits for them.
    Notice.objects.filter(person=person, read_at__isnull=True).update(read_at=timezone.now())
    # API tokens belong to the api app, above this module: revoked through the relation, not an import.
    done.tokens = person.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    done.sessions = leaving.sessions_end(person)
    return done
