"""Writes of the onboarding app, called by views, commands, the API and tasks.

Which evidence ticks an item, and from when: an item of a "read runbook" kind ticks when the new
hire marks that runbook read; "pair on skill" when a pairing session on that skill with the new
hire among its learners is confirmed; "execute runbook in staging" when a successful staging
execution of that runbook performed by the new hire is confirmed. Evidence dated on or after the
checklist's start date counts, including evidence that already exists when the checklist starts
(or when new items arrive by applying template changes); earlier evidence does not, so that an
onboarding restarted for someone reflects what they did during it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ops_skills.onboarding import rules
from ops_skills.onboarding.models import (
    EVIDENCE_KINDS,
    RUNBOOK_KINDS,
    SKILL_KINDS,
    Checklist,
    ChecklistItem,
    Kind,
    OnboardingTemplate,
    PlannedOnboarding,
    ReminderSent,
    TemplateItem,
    due_on,
)

logger = logging.getLogger(__name__)

COPIED_FIELDS = ["position", "kind", "title", "guidance", "due_days", "runbook_id", "skill_id"]


# Templates


def item_problem(*, kind: str, runbook_id, skill_id) -> str | None:
    """What an item of ``kind`` lacks, or None."""
    if kind in RUNBOOK_KINDS and not runbook_id:
        return "Choose the runbook for this item."
    if kind in SKILL_KINDS and not skill_id:
        return "Choose the skill for this item."
    return None


def _bump(template: OnboardingTemplate) -> None:
    template.version += 1
    template.updated_at = timezone.now()
    template.save(update_fields=["version", "updated_at"])


@transaction.atomic
def template_save(*, template: OnboardingTemplate, by) -> OnboardingTemplate:
    """Create or edit a template's name, role and description. Only item changes make running
    checklists out of date: the description is shown from the template itself."""
    if template.pk is None:
        template.created_by = by
    template.updated_at = timezone.now()
    template.save()
    return template


@transaction.atomic
def template_item_save(*, item: TemplateItem, by) -> TemplateItem:
    problem = item_problem(kind=item.kind, runbook_id=item.runbook_id, skill_id=item.skill_id)
    if problem:
        raise ValidationError(problem)
    # A kind that names no runbook or skill keeps none, so it never ticks by evidence.
    if item.kind not in RUNBOOK_KINDS:
        item.runbook = None
    if item.kind not in SKILL_KINDS:
        item.skill = None
    if item.pk is None and not item.position:
        last = item.template.items.order_by("-position").values_list("position", flat=True).first()
        item.position = (last or 0) + 1
    item.save()
    _bump(item.template)
    return item


@transaction.atomic
def template_item_delete(*, item: TemplateItem, by) -> None:
    template = item.template
    item.delete()
    _bump(template)


@transaction.atomic
def template_copy(*, template: OnboardingTemplate, team, name: str, by) -> OnboardingTemplate:
    """A new template on ``team`` with the same items; checklists stay with the original."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the copy.")
    if OnboardingTemplate.objects.filter(team=team, name=name).exists():
        raise ValidationError(f"{team} already has a template called “{name}”.")
    copy = OnboardingTemplate.objects.create(
        team=team, name=name, role=template.role, description=template.description, created_by=by
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(template=copy, **{f: getattr(i, f) for f in COPIED_FIELDS}) for i in template.items.all()
    )
    return copy


# Checklists


def _item_from(template_item: TemplateItem, checklist: Checklist) -> ChecklistItem:
    return ChecklistItem(
        checklist=checklist,
        template_item=template_item,
        due_on=due_on(checklist.started_on, template_item.due_days),
        **{f: getattr(template_item, f) for f in COPIED_FIELDS},
    )


def start_problem(*, person, template: OnboardingTemplate, buddy, started_on: date) -> str | None:
    """Why this onboarding cannot start, or None."""
    if person.is_departed or not person.is_active:
        return f"{person} has left."
    if Checklist.objects.filter(person=person).exists():
        return f"{person} already has an onboarding checklist."
    if person.team_id != template.team_id:
        return f"{template} is a template of {template.team}, and {person} is not on that team."
    if buddy is not None:
        if buddy.pk == person.pk:
            return "Choose someone else as the buddy."
        if buddy.is_departed or not buddy.is_active:
            return f"{buddy} has left and cannot be a buddy."
    if started_on is None:
        return "Give a start date."
    return None


@transaction.atomic
def checklist_start(*, person, template: OnboardingTemplate, buddy, started_on: date, by) -> Checklist:
    """Copy the template's items into a new checklist for ``person`` and tick those whose
    evidence already exists (since ``started_on``)."""
    problem = start_problem(person=person, template=template, buddy=buddy, started_on=started_on)
    if problem:
        raise ValidationError(problem)
    checklist = Checklist.objects.create(
        person=person,
        team_id=template.team_id,
        template=template,
        template_version=template.version,
        buddy=buddy,
        started_on=started_on,
        started_by=by,
    )
    items = ChecklistItem.objects.bulk_create(_item_from(t, checklist) for t in template.items.all())
    _tick_from_existing_evidence(checklist, items)
    checklists_refresh_finished([checklist.pk])
    return checklist


@transaction.atomic
def checklist_apply_template(*, checklist: Checklist, by) -> dict[str, int]:
    """Bring a running checklist up to its template's current version: new items are added,
    changed items get the new text, runbook, skill and due date, unticked items the template no
    longer has are removed. A ticked item always stays ticked (and stays, even if removed)."""
    template = checklist.template
    if template is None:
        raise ValidationError("This checklist's template was deleted; there is nothing to apply.")
    counts = {"added": 0, "updated": 0, "removed": 0}
    template_items = list(template.items.all())
    existing = list(checklist.items.all())
    by_template_item = {i.template_item_id: i for i in existing if i.template_item_id}
    changed, new = [], []
    for t in template_items:
        item = by_template_item.get(t.pk)
        if item is None:
            new.append(_item_from(t, checklist))
            continue
        before = [getattr(item, f) for f in COPIED_FIELDS] + [item.due_on]
        for f in COPIED_FIELDS:
            setattr(item, f, getattr(t, f))
        item.due_on = due_on(checklist.started_on, t.due_days)
        if before != [getattr(item, f) for f in COPIED_FIELDS] + [item.due_on]:
            changed.append(item)
    keep_ids = {t.pk for t in template_items}
    gone = [i.pk for i in existing if i.template_item_id not in keep_ids and not i.is_done]
    ChecklistItem.objects.bulk_update(changed, [*COPIED_FIELDS, "due_on"])
    created = ChecklistItem.objects.bulk_create(new)
    ChecklistItem.objects.filter(pk__in=gone).delete()
    counts.update(added=len(created), updated=len(changed), removed=len(gone))
    undone = [i for i in existing if not i.is_done and i.pk not in gone] + created
    _tick_from_existing_evidence(checklist, undone)
    checklist.template_version = template.version
    checklist.save(update_fields=["template_version"])
    checklists_refresh_finished([checklist.pk])
    return counts


def template_apply(*, template: OnboardingTemplate, by) -> int:
    """Apply the template's changes to every running checklist made from it; how many changed."""
    checklists = template.checklists.filter(finished_at__isnull=True, template_version__lt=template.version)
    applied = 0
    with transaction.atomic():
        for checklist in checklists.select_related("template"):
            checklist_apply_template(checklist=checklist, by=by)
            applied += 1
    return applied


@transaction.atomic
def item_tick(*, item: ChecklistItem, by) -> ChecklistItem:
    """Tick an item by hand, recording who and when."""
    if item.is_done:
        return item
    item.done_at = timezone.now()
    item.completed_by = ChecklistItem.CompletedBy.HAND
    item.ticked_by = by
    item.save(update_fields=["done_at", "completed_by", "ticked_by"])
    checklists_refresh_finished([item.checklist_id])
    return item


@transaction.atomic
def item_untick(*, item: ChecklistItem, by) -> ChecklistItem:
    """Take a tick back, whatever made it. Evidence logged later ticks it again."""
    item.done_at = None
    item.completed_by = ""
    item.ticked_by = None
    item.read = item.session = item.execution = None
    item.save(update_fields=["done_at", "completed_by", "ticked_by", "read", "session", "execution"])
    checklists_refresh_finished([item.checklist_id])
    return item


def checklists_refresh_finished(checklist_ids) -> None:
    """A checklist is finished when every item is done; the time is its last tick."""
    checklists = Checklist.objects.filter(pk__in=checklist_ids)
    undone = set(
        ChecklistItem.objects.filter(checklist_id__in=checklist_ids, done_at__isnull=True).values_list(
            "checklist_id", flat=True
        )
    )
    last_tick = dict(
        ChecklistItem.objects.filter(checklist_id__in=checklist_ids)
        .order_by("checklist_id", "done_at")
        .values_list("checklist_id", "done_at")
    )
    for checklist in checklists:
        finished_at = None if checklist.pk in undone else last_tick.get(checklist.pk) or timezone.now()
        if checklist.finished_at != finished_at and not (checklist.finished_at and finished_at):
            checklist.finished_at = finished_at
            checklist.save(update_fields=["finished_at"])


# Ticking by evidence


def _since(started_on: date) -> datetime:
    return timezone.make_aware(datetime.combine(started_on, time.min))


def _tick_from_existing_evidence(checklist: Checklist, items: list[ChecklistItem]) -> None:
    """Tick ``items`` (of ``checklist``) whose evidence exists since the start date. Three queries
    at most, whatever the number of items."""
    from ops_skills.evidence.models import PairingSession, RunbookExecution, RunbookRead

    items = [i for i in items if not i.is_done and i.kind in EVIDENCE_KINDS]
    since = _since(checklist.started_on)
    person_id = checklist.person_id
    wanted = defaultdict(list)
    for item in items:
        wanted[item.kind].append(item)
    ticked = []
    if wanted[Kind.READ_RUNBOOK]:
        reads = {
            r.runbook_id: r
            for r in RunbookRead.objects.filter(
                person_id=person_id,
                runbook_id__in={i.runbook_id for i in wanted[Kind.READ_RUNBOOK]},
                read_at__gte=since,
            )
        }
        for item in wanted[Kind.READ_RUNBOOK]:
            if (read := reads.get(item.runbook_id)) is not None:
                _set_done(item, read=read)
                ticked.append(item)
    if wanted[Kind.PAIR_SKILL]:
        rows = (
            PairingSession.skills.through.objects.filter(
                skill_id__in={i.skill_id for i in wanted[Kind.PAIR_SKILL]},
                pairingsession__learners=person_id,
                pairingsession__status=PairingSession.Status.CONFIRMED,
                pairingsession__occurred_at__gte=since,
            )
            .select_related("pairingsession")
            .order_by("-pairingsession__occurred_at")
        )
        first = {row.skill_id: row.pairingsession for row in rows}  # the earliest wins: it comes last
        for item in wanted[Kind.PAIR_SKILL]:
            if (session := first.get(item.skill_id)) is not None:
                _set_done(item, session=session)
                ticked.append(item)
    if wanted[Kind.EXECUTE_STAGING]:
        executions = RunbookExecution.objects.filter(
            _staging_success(),
            performer_id=person_id,
            runbook_id__in={i.runbook_id for i in wanted[Kind.EXECUTE_STAGING]},
            status=RunbookExecution.Status.CONFIRMED,
            occurred_at__gte=since,
        ).order_by("-occurred_at")
        first = {e.runbook_id: e for e in executions}
        for item in wanted[Kind.EXECUTE_STAGING]:
            if (execution := first.get(item.runbook_id)) is not None:
                _set_done(item, execution=execution)
                ticked.append(item)
    if ticked:
        ChecklistItem.objects.bulk_update(
            ticked, ["done_at", "completed_by", "ticked_by", "read", "session", "execution"]
        )


def _staging_success() -> Q:
    return Q(environment="staging", outcome="success")


def _set_done(item: ChecklistItem, *, read=None, session=None, execution=None) -> None:
    evidence = read or session or execution
    item.done_at = read.read_at if read is not None else evidence.occurred_at
    item.completed_by = (
        ChecklistItem.CompletedBy.READ
        if read is not None
        else ChecklistItem.CompletedBy.PAIRING
        if session is not None
        else ChecklistItem.CompletedBy.EXECUTION
    )
    item.ticked_by = None
    item.read, item.session, item.execution = read, session, execution


def _open_items(**filters):
    return ChecklistItem.objects.filter(done_at__isnull=True, checklist__finished_at__isnull=True, **filters)


def checklists_tick_for(*, evidence) -> None:
    """Tick the onboarding checklist items this newly confirmed evidence satisfies.

    Called by ``ops_skills.evidence.services.evidence_confirm`` inside its transaction."""
    from ops_skills.evidence.models import PairingSession, RunbookExecution

    if evidence.status != evidence.Status.CONFIRMED:
        return
    day = timezone.localdate(evidence.occurred_at)
    if isinstance(evidence, PairingSession):
        items = list(
            _open_items(
                kind=Kind.PAIR_SKILL,
                skill__in=evidence.skills.all(),
                checklist__person__in=evidence.learners.all(),
                checklist__started_on__lte=day,
            )
        )
        for item in items:
            _set_done(item, session=evidence)
    elif isinstance(evidence, RunbookExecution):
        if not (evidence.environment == "staging" and evidence.outcome == "success"):
            return
        items = list(
            _open_items(
                kind=Kind.EXECUTE_STAGING,
                runbook_id=evidence.runbook_id,
                checklist__person_id=evidence.performer_id,
                checklist__started_on__lte=day,
            )
        )
        for item in items:
            _set_done(item, execution=evidence)
    else:
        return
    if items:
        ChecklistItem.objects.bulk_update(
            items, ["done_at", "completed_by", "ticked_by", "read", "session", "execution"]
        )
        checklists_refresh_finished({i.checklist_id for i in items})


def checklists_tick_for_read(*, read) -> None:
    """Tick the "read runbook" items a runbook read mark satisfies.

    Called by ``ops_skills.evidence.services.runbook_mark_read`` inside its transaction."""
    items = list(
        _open_items(
            kind=Kind.READ_RUNBOOK,
            runbook_id=read.runbook_id,
            checklist__person_id=read.person_id,
            checklist__started_on__lte=timezone.localdate(read.read_at),
        )
    )
    for item in items:
        _set_done(item, read=read)
    if items:
        ChecklistItem.objects.bulk_update(
            items, ["done_at", "completed_by", "ticked_by", "read", "session", "execution"]
        )
        checklists_refresh_finished({i.checklist_id for i in items})


# Onboarding planned with an invitation


@transaction.atomic
def planned_onboarding_save(*, invitation, template: OnboardingTemplate, buddy, start_on: date | None, by):
    if template.team_id != invitation.team_id:
        raise ValidationError(f"{template} is a template of {template.team}, not of {invitation.team}.")
    if buddy is None:
        raise ValidationError("Choose a buddy for the new hire.")
    return PlannedOnboarding.objects.update_or_create(
        invitation=invitation, defaults={"template": template, "buddy": buddy, "start_on": start_on, "created_by": by}
    )[0]


def planned_onboarding_start(*, invitation, person) -> Checklist | None:
    """Start the onboarding planned with ``invitation``, now that ``person`` accepted it. Never
    fails the signup: a plan that no longer fits (a buddy who left, a template of another team)
    is logged and skipped, and the lead can start the onboarding from the person's page."""
    planned = (
        PlannedOnboarding.objects.select_related("template", "buddy", "created_by")
        .filter(invitation=invitation, checklist__isnull=True)
        .first()
    )
    if planned is None:
        return None
    buddy = planned.buddy if not (planned.buddy.is_departed or not planned.buddy.is_active) else None
    try:
        checklist = checklist_start(
            person=person,
            template=planned.template,
            buddy=buddy,
            started_on=planned.start_on or timezone.localdate(),
            by=planned.created_by,
        )
    except ValidationError as error:
        logger.warning("Planned onboarding for %s not started: %s", person.email, error.messages)
        return None
    planned.checklist = checklist
    planned.save(update_fields=["checklist"])
    return checklist


# Reminders


def reminders_send(*, today: date, within_days: int = rules.DUE_SOON_DAYS) -> int:
    """Email new hires and their buddies about items due within ``within_days`` or overdue,
    one email per person listing what is new since the last run. Each (item, person, kind) is
    recorded, so a reminder is never sent twice; returns how many reminders were recorded."""
    from datetime import timedelta

    items = (
        ChecklistItem.objects.filter(
            done_at__isnull=True,
            checklist__finished_at__isnull=True,
            due_on__lte=today + timedelta(days=within_days),
        )
        .select_related("checklist__person", "checklist__buddy")
        .order_by("due_on", "position", "pk")
    )
    items = list(items)
    already = set(
        ReminderSent.objects.filter(item__in=[i.pk for i in items]).values_list("item_id", "person_id", "kind")
    )
    new, by_person, people = [], defaultdict(list), {}
    for item in items:
        kind = rules.reminder_kind(due_on=item.due_on, done=False, today=today, within_days=within_days)
        hire, buddy = item.checklist.person, item.checklist.buddy
        if kind is None or hire.is_departed or not hire.is_active:
            continue
        for recipient in [hire, buddy]:
            if recipient is None or recipient.is_departed or not recipient.is_active:
                continue
            if (item.pk, recipient.pk, kind) in already:
                continue
            new.append(ReminderSent(item=item, person=recipient, kind=kind))
            by_person[recipient.pk].append((item, kind))
            people[recipient.pk] = recipient
    with transaction.atomic():
        # A concurrent run that recorded the same reminders makes this one fail on the unique
        # constraint and roll back, sending nothing.
        ReminderSent.objects.bulk_create(new)
        for person_id, lines in by_person.items():
            transaction.on_commit(lambda p=people[person_id], lines=lines: _send_reminder(p, lines, today))
    return len(new)


def _send_reminder(person, lines, today: date) -> None:
    overdue = sum(1 for _, kind in lines if kind == "overdue")
    soon = len(lines) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{soon} due soon" if soon else ""]
    subject = f"[{settings.SITE_NAME}] Onboarding: " + ", ".join(p for p in parts if p)
    site = settings.SITE_URL.rstrip("/")
    groups = defaultdict(list)
    for item, kind in lines:
        groups[item.checklist].append((item, kind))
    context = {
        "person": person,
        "groups": [
            {"checklist": c, "mine": c.person_id == person.pk, "url": site + c.get_absolute_url(), "lines": ls}
            for c, ls in groups.items()
        ],
        "today": today,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=" ".join(subject.split()),
        message=render_to_string("onboarding/email/reminder.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )
