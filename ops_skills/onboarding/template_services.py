"""Onboarding templates: editing one and its items, copying one, and applying its changes to the
running checklists made from it. Every item change bumps the template's version, which is how a
checklist knows it is out of date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.onboarding import checklists
from ops_skills.onboarding.models import COPIED_FIELDS, RUNBOOK_KINDS, SKILL_KINDS, OnboardingTemplate, TemplateItem


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
    """Add or edit an item (added last unless it has a position) and bump the template's version."""
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


@transaction.atomic
def template_apply(*, template: OnboardingTemplate, by) -> int:
    """Apply the template's changes to every running checklist made from it that is out of date;
    how many were."""
    applied = 0
    out_of_date = template.checklists.filter(finished_at__isnull=True, template_version__lt=template.version)
    for checklist in out_of_date.select_related("template"):
        checklists.checklist_apply_template(checklist=checklist, by=by)
        applied += 1
    return applied
