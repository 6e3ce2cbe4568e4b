"""Checklists: starting one for a new hire (now, or when the invitation planned with it is
accepted), bringing it up to its template's current version, ticking items by hand, and whether
it is finished. Items that tick themselves from evidence are ticked by ``ticking``."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.onboarding import ticking
from ops_skills.onboarding.models import (
    COPIED_FIELDS,
    Checklist,
    ChecklistItem,
    OnboardingTemplate,
    PlannedOnboarding,
    TemplateItem,
    due_on,
)
from ops_skills.people.services import notice_send

logger = logging.getLogger(__name__)


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
    """Copy the template's items into a new checklist for ``person`` and tick those that evidence
    since ``started_on`` already satisfies."""
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
    ticking.items_tick_from_existing(checklist=checklist, items=items)
    checklists_refresh_finished([checklist.pk])
    return checklist


@transaction.atomic
def checklist_apply_template(*, checklist: Checklist, by) -> dict[str, int]:
    """Bring a running checklist up to its template's current version: new items are added,
    changed items get the new text, runbook, skill and due date, unticked items the template no
    longer has are removed. A ticked item always stays ticked (and stays, even if removed). Items
    left unticked, new or changed, are then ticked by evidence that already satisfies them."""
    template = checklist.template
    if template is None:
        raise ValidationError("This checklist's template was deleted; there is nothing to apply.")
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
    undone = [i for i in existing if not i.is_done and i.pk not in gone] + created
    ticking.items_tick_from_existing(checklist=checklist, items=undone)
    checklist.template_version = template.version
    checklist.save(update_fields=["template_version"])
    checklists_refresh_finished([checklist.pk])
    return {"added": len(created), "updated": len(changed), "removed": len(gone)}


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
    """Take a tick back, whatever made it. Evidence confirmed or marked read later ticks it again,
    and so does evidence that already exists when template changes are next applied."""
    item.done_at = None
    item.completed_by = ""
    item.ticked_by = None
    item.read = item.session = item.execution = None
    item.save(update_fields=["done_at", "completed_by", "ticked_by", "read", "session", "execution"])
    checklists_refresh_finished([item.checklist_id])
    return item


def checklists_refresh_finished(checklist_ids) -> None:
    """A checklist is finished when every item is done; the time is its last tick."""
    Checklist.objects.filter(pk__in=checklist_ids).refresh_finished()


# Onboarding planned with an invitation


@transaction.atomic
def planned_onboarding_save(
    *, invitation, template: OnboardingTemplate, buddy, start_on: date | None, by
) -> PlannedOnboarding:
    """Plan (or re-plan) the onboarding that starts when ``invitation`` is accepted."""
    if template.team_id != invitation.team_id:
        raise ValidationError(f"{template} is a template of {template.team}, not of {invitation.team}.")
    if buddy is None:
        raise ValidationError("Choose a buddy for the new hire.")
    return PlannedOnboarding.objects.update_or_create(
        invitation=invitation, defaults={"template": template, "buddy": buddy, "start_on": start_on, "created_by": by}
    )[0]


def planned_onboarding_start(*, invitation, person) -> Checklist | None:
    """Start the onboarding planned with ``invitation``, now that ``person`` accepted it. Never
    fails the signup: a plan that no longer fits (a template of another team, a person who already
    has a checklist) is logged and skipped, and the lead can start the onboarding from the person's
    page. A buddy who left is dropped and the onboarding starts without one."""
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


def buddies_release(*, person, tell) -> list[Checklist]:
    """``person`` left: the unfinished checklists they were buddy for go without a buddy, and the
    people in ``tell(checklist)`` (the team's leads) are asked to choose another. Runs in the
    caller's transaction (``flows.person_leave``). Onboardings planned with an invitation drop a
    buddy who left when they start (``planned_onboarding_start``)."""
    checklists = list(Checklist.objects.filter(buddy=person, finished_at__isnull=True).select_related("person"))
    Checklist.objects.filter(pk__in=[c.pk for c in checklists]).update(buddy=None)
    for checklist in checklists:
        checklist.buddy = None
        notice_send(
            people=tell(checklist),
            text=f"{person} has left and is no longer the onboarding buddy of {checklist.person}",
            url=checklist.get_absolute_url(),
        )
    return checklists
