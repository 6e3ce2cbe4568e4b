"""A Platform template with one item of every kind, and the new hire's checklist made from it
(buddy: the member), started ten days ago."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ops_skills.onboarding import checklists
from ops_skills.onboarding.models import Kind, OnboardingTemplate, TemplateItem
from tests.factories import make_runbook, make_skill, make_system


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main")


@pytest.fixture
def skill(system):
    return make_skill(system, slug="point-in-time-recovery")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Restore the database", slug="restore")


@pytest.fixture
def template(team, lead, skill, runbook):
    template = OnboardingTemplate.objects.create(team=team, name="SRE onboarding", created_by=lead)
    for position, (kind, title, due) in enumerate(
        [
            (Kind.READ_RUNBOOK, "Read the restore runbook", 2),
            (Kind.PAIR_SKILL, "Pair on point-in-time recovery", 5),
            (Kind.EXECUTE_STAGING, "Restore staging", 20),
            (Kind.ACCESS, "Get access to AWS", 1),
            (Kind.MEET, "Meet the lead", 3),
            (Kind.TEXT, "Set up your laptop", 30),
        ],
        start=1,
    ):
        TemplateItem.objects.create(
            template=template,
            position=position,
            kind=kind,
            title=title,
            due_days=due,
            runbook=runbook if kind in {Kind.READ_RUNBOOK, Kind.EXECUTE_STAGING} else None,
            skill=skill if kind == Kind.PAIR_SKILL else None,
            guidance=f"Guidance for *{title}*",
        )
    return template


@pytest.fixture
def checklist(template, new_hire, member, lead, today):
    return checklists.checklist_start(
        person=new_hire, template=template, buddy=member, started_on=today - timedelta(days=10), by=lead
    )


def item_of(checklist, kind):
    return checklist.items.get(kind=kind)
