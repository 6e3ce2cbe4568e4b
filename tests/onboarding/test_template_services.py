"""Template changes reach running checklists only when applied; applying keeps ticks and ticks new
items from evidence that exists; copies and items that lack their runbook or skill."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from ops_skills.evidence.models import RunbookRead
from ops_skills.onboarding import checklists, template_services
from ops_skills.onboarding.models import Kind, TemplateItem
from tests.factories import make_runbook
from tests.onboarding.conftest import item_of


def test_template_edits_do_not_touch_running_checklists_until_applied(checklist, template, lead, skill):
    meet = template.items.get(kind=Kind.MEET)
    meet.title = "Meet the lead and the team"
    template_services.template_item_save(item=meet, by=lead)
    template_services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.TEXT, title="Read the on-call handbook", due_days=12), by=lead
    )
    template_services.template_item_delete(item=template.items.get(kind=Kind.TEXT, title="Set up your laptop"), by=lead)
    checklist.refresh_from_db()

    assert checklist.is_out_of_date
    assert set(checklist.items.values_list("title", flat=True)) == {
        "Read the restore runbook",
        "Pair on point-in-time recovery",
        "Restore staging",
        "Get access to AWS",
        "Meet the lead",
        "Set up your laptop",
    }


def test_applying_adds_updates_removes_unticked_and_keeps_ticks(checklist, template, lead, today):
    checklists.item_tick(item=item_of(checklist, Kind.MEET), by=lead)
    checklists.item_tick(item=checklist.items.get(title="Set up your laptop"), by=lead)
    meet = template.items.get(kind=Kind.MEET)
    meet.title, meet.due_days = "Meet the lead and the team", 4
    template_services.template_item_save(item=meet, by=lead)
    template_services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.TEXT, title="Read the on-call handbook", due_days=12), by=lead
    )
    template_services.template_item_delete(item=template.items.get(title="Set up your laptop"), by=lead)
    template_services.template_item_delete(item=template.items.get(kind=Kind.ACCESS), by=lead)

    assert template_services.template_apply(template=template, by=lead) == 1
    checklist.refresh_from_db()
    assert not checklist.is_out_of_date
    items = {i.title: i for i in checklist.items.all()}
    assert items["Meet the lead and the team"].is_done  # updated, still ticked
    assert items["Meet the lead and the team"].due_on == checklist.started_on + timedelta(days=4)
    assert "Read the on-call handbook" in items  # added
    assert items["Set up your laptop"].is_done  # gone from the template, but ticked: kept
    assert "Get access to AWS" not in items  # gone and unticked: removed


def test_applying_ticks_new_items_from_existing_evidence(checklist, template, lead, new_hire, system):
    other = make_runbook(system, title="Fail over")
    RunbookRead.objects.create(runbook=other, person=new_hire, revision_number=1)
    template_services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.READ_RUNBOOK, title="Read fail over", runbook=other, due_days=3),
        by=lead,
    )
    checklists.checklist_apply_template(checklist=checklist, by=lead)
    assert checklist.items.get(title="Read fail over").completed_by == "read"


def test_an_evidence_item_needs_its_runbook_or_skill(template, lead):
    with pytest.raises(ValidationError):
        template_services.template_item_save(
            item=TemplateItem(template=template, kind=Kind.PAIR_SKILL, title="x"), by=lead
        )


def test_copying_a_template_copies_its_items_not_its_checklists(checklist, template, lead, team):
    copy = template_services.template_copy(template=template, team=team, name="SRE onboarding (nights)", by=lead)
    assert [i.title for i in copy.items.all()] == [i.title for i in template.items.all()]
    assert not copy.checklists.exists()
    with pytest.raises(ValidationError):
        template_services.template_copy(template=template, team=team, name="SRE onboarding", by=lead)
