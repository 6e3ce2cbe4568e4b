"""Writes on runbooks and evidence, shared by views, commands, the API and tasks."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ops_skills.evidence.models import (
    PairingSession,
    Runbook,
    RunbookExecution,
    RunbookRead,
    RunbookRevision,
    content_hash,
)
from ops_skills.onboarding import services as onboarding_services
from ops_skills.people.models import Notice, Person
from ops_skills.planner import services as planner_services
from ops_skills.skills.models import Skill


def participants_of(evidence) -> set[int]:
    """Everyone who took part in a pairing session or a runbook execution (ids)."""
    if isinstance(evidence, PairingSession):
        return {evidence.mentor_id, *(p.pk for p in evidence.learners.all())}
    return {evidence.performer_id, *(p.pk for p in evidence.participants.all())}


def _check_author(author: Person, people: list[Person]) -> None:
    """A member logs only evidence they took part in; a lead also evidence of their team's
    people; an admin anyone's."""
    if author.is_admin:
        return
    if any(p.pk == author.pk for p in people):
        return
    if people and all(author.manages(p) for p in people):
        return
    raise PermissionDenied("You can only log evidence you took part in, or for people on a team you lead.")


def _notify(*, people: list[Person], text: str, url: str) -> None:
    """An in-app notice and an email for each person, the email sent once the transaction commits."""
    Notice.objects.bulk_create(Notice(person=p, text=text, url=url) for p in people)
    link = settings.SITE_URL.rstrip("/") + url
    for person in people:
        transaction.on_commit(
            lambda person=person: send_mail(
                subject=f"[{settings.SITE_NAME}] {text}",
                message=f"Hello {person.get_short_name()},\n\n{text}\n\nConfirm or dispute it here: {link}\n",
                from_email=None,
                recipient_list=[person.email],
            )
        )


@transaction.atomic
def pairing_session_log(
    *,
    author: Person,
    mentor: Person,
    learners: list[Person],
    skills: list[Skill],
    duration_minutes: int,
    occurred_at: datetime | None = None,
    notes: str = "",
) -> PairingSession:
    if not learners:
        raise ValidationError("A pairing session needs at least one learner.")
    if any(learner.pk == mentor.pk for learner in learners):
        raise ValidationError("The mentor cannot also be a learner.")
    if not skills:
        raise ValidationError("Name at least one skill you worked on.")
    people = [mentor, *learners]
    if any(p.is_departed for p in people):
        raise ValidationError("People who have left cannot take part in new sessions.")
    _check_author(author, people)
    session = PairingSession.objects.create(
        mentor=mentor,
        duration_minutes=duration_minutes,
        occurred_at=occurred_at or timezone.now(),
        notes=notes,
        logged_by=author,
    )
    session.learners.set(learners)
    session.skills.set(skills)
    others = [p for p in people if p.pk != author.pk]
    _notify(
        people=others,
        text=f"{author} logged a pairing session with you on {', '.join(s.name for s in skills)[:150]}",
        url=session.get_absolute_url(),
    )
    return session


@transaction.atomic
def execution_log(
    *,
    author: Person,
    runbook: Runbook,
    performer: Person,
    environment: str,
    outcome: str,
    participants: list[Person] = (),
    occurred_at: datetime | None = None,
    notes: str = "",
    link: str = "",
) -> RunbookExecution:
    participants = [p for p in participants if p.pk != performer.pk]
    people = [performer, *participants]
    if any(p.is_departed for p in people):
        raise ValidationError("People who have left cannot take part in new executions.")
    _check_author(author, people)
    execution = RunbookExecution.objects.create(
        runbook=runbook,
        performer=performer,
        environment=environment,
        outcome=outcome,
        occurred_at=occurred_at or timezone.now(),
        notes=notes,
        link=link,
        logged_by=author,
    )
    execution.participants.set(participants)
    others = [p for p in people if p.pk != author.pk]
    if others:
        _notify(
            people=others,
            text=f"{author} logged a {environment} run of “{runbook.title}” with you",
            url=execution.get_absolute_url(),
        )
    return execution


def can_decide(person: Person, evidence, participant_ids: set[int] | None = None) -> bool:
    """Another participant than the one who logged it, or a lead of someone who took part."""
    participant_ids = participants_of(evidence) if participant_ids is None else participant_ids
    if person.pk in participant_ids:
        return person.pk != evidence.logged_by_id
    if person.is_admin:
        return True
    return person.is_lead and Person.objects.filter(pk__in=participant_ids, team_id=person.team_id).exists()


@transaction.atomic
def evidence_confirm(*, evidence, person: Person):
    if not can_decide(person, evidence):
        raise PermissionDenied("Only another participant, or a lead of someone who took part, confirms evidence.")
    evidence.status = evidence.Status.CONFIRMED
    evidence.decided_by = person
    evidence.decided_at = timezone.now()
    evidence.dispute_reason = ""
    evidence.save(update_fields=["status", "decided_by", "decided_at", "dispute_reason"])
    # Confirmed evidence is what completes transfer assignments and onboarding items.
    planner_services.assignments_complete_for(evidence=evidence)
    onboarding_services.checklists_tick_for(evidence=evidence)
    return evidence


@transaction.atomic
def evidence_dispute(*, evidence, person: Person, reason: str):
    if not can_decide(person, evidence):
        raise PermissionDenied("Only another participant, or a lead of someone who took part, disputes evidence.")
    if not reason.strip():
        raise ValidationError("Say what is wrong with it.")
    evidence.status = evidence.Status.DISPUTED
    evidence.decided_by = person
    evidence.decided_at = timezone.now()
    evidence.dispute_reason = reason.strip()[:300]
    evidence.save(update_fields=["status", "decided_by", "decided_at", "dispute_reason"])
    if evidence.logged_by_id and evidence.logged_by_id != person.pk:
        Notice.objects.create(
            person_id=evidence.logged_by_id,
            text=f"{person} disputed evidence you logged: {evidence.dispute_reason}"[:300],
            url=evidence.get_absolute_url(),
        )
    return evidence


@transaction.atomic
def runbook_save(
    *, runbook: Runbook, author: Person | None, skills: list[Skill] | None = None, note: str = ""
) -> tuple[Runbook, RunbookRevision | None]:
    """Save a runbook; a new revision when its title or body changed. Returns (runbook, new revision or None)."""
    is_new = runbook.pk is None
    runbook.updated_at = timezone.now()
    runbook.save()
    if skills is not None:
        runbook.skills.set(skills)
    latest = runbook.revisions.order_by("-number").first() if not is_new else None
    body_hash = content_hash(runbook.body)
    if latest is not None and latest.body_hash == body_hash and latest.title == runbook.title:
        return runbook, None
    revision = RunbookRevision.objects.create(
        runbook=runbook,
        number=(latest.number + 1) if latest else 1,
        title=runbook.title,
        body=runbook.body,
        body_hash=body_hash,
        author=author,
        note=note,
    )
    return runbook, revision


@transaction.atomic
def runbook_mark_read(*, runbook: Runbook, person: Person) -> RunbookRead:
    number = runbook.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    read, _ = RunbookRead.objects.update_or_create(
        runbook=runbook, person=person, defaults={"revision_number": number, "read_at": timezone.now()}
    )
    onboarding_services.checklists_tick_for_read(read=read)
    return read
