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

from django.db import transaction

from ops_skills.evidence import lifecycle
from ops_skills.evidence import services as evidence_services
from ops_skills.evidence.models import PairingSession, Runbook
from ops_skills.levels import store
from ops_skills.onboarding import checklists as onboarding_checklists
from ops_skills.onboarding import ticking as onboarding_ticking
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
    people = lifecycle.move(evidence, to=lifecycle.CONFIRMED, by=person)
    skills = _skills_of(evidence)
    skill_ids = set(skills)
    store.refresh(people.ids, skill_ids, freshness=skills)
    learner_ids = people.ids - {evidence.mentor_id} if isinstance(evidence, PairingSession) else {evidence.performer_id}
    planner_services.assignments_complete_for(evidence=evidence, learner_ids=learner_ids, skill_ids=skill_ids)
    onboarding_ticking.checklists_tick_for(evidence=evidence)
    return evidence


@transaction.atomic
def evidence_dispute(*, evidence, person, reason: str):
    """Dispute pending evidence (``lifecycle.move``) and tell whoever logged it. Pending
    evidence never counted, so no level changes: confirmed evidence cannot be disputed."""
    lifecycle.move(evidence, to=lifecycle.DISPUTED, by=person, reason=reason)
    if evidence.logged_by_id and evidence.logged_by_id != person.pk:
        notice_send(
            people=[evidence.logged_by],
            text=f"{person} disputed evidence you logged: {evidence.dispute_reason}",
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
