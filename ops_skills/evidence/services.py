"""Writes on runbooks and evidence, shared by views, commands, the API and tasks.

These write the evidence app's own rows. Deciding on evidence (``lifecycle``) and everything
that follows a decision or a change of a runbook's skills (levels, assignments, onboarding) go
through ``ops_skills.flows``."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
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
from ops_skills.people import permissions
from ops_skills.people.models import Person
from ops_skills.people.services import notice_send
from ops_skills.skills.models import Skill


def _check_author(author: Person, people: list[Person]) -> None:
    if not permissions.can_log_for(author, people):
        raise PermissionDenied("You can only log evidence you took part in, or for people on a team you lead.")


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
    notice_send(
        people=others,
        text=f"{author} logged a pairing session with you on {', '.join(s.name for s in skills)}",
        url=session.get_absolute_url(),
        action="Confirm or dispute it here",
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
        notice_send(
            people=others,
            text=f"{author} logged a {environment} run of “{runbook.title}” with you",
            url=execution.get_absolute_url(),
            action="Confirm or dispute it here",
        )
    return execution


@transaction.atomic
def runbook_save(
    *, runbook: Runbook, author: Person | None, skills: list[Skill] | None = None, note: str = ""
) -> tuple[Runbook, RunbookRevision | None]:
    """Save a runbook; a new revision when its title or body changed. Returns (runbook, new
    revision or None). A change of its skills changes levels: ``flows.runbook_save`` is the
    entry point that refreshes them; this writes the runbook only."""
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
    return read
