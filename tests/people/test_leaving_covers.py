"""Someone marked as left disappears from every cover, plan, candidate list and reminder: one
case per place that reads who can do what, each checked before (they are there) and after."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ops_skills import flows
from ops_skills.api import services as api_services
from ops_skills.levels import selectors as level_selectors
from ops_skills.onboarding import checklists, reminders
from ops_skills.onboarding.forms import StartForm
from ops_skills.onboarding.models import Kind, OnboardingTemplate, ReminderSent, TemplateItem
from ops_skills.people.models import Person
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors as planner_selectors
from ops_skills.reports import selectors as report_selectors
from ops_skills.reports.summary import summarise, summary_json, what_if
from ops_skills.skills.models import Skill
from ops_skills.web.forms import InvitationForm
from tests.factories import make_assessment, make_person, make_skill, make_system


@pytest.fixture
def ctx(team, lead, member, new_hire):
    """The leaver alone covers ``deploy`` (the member is at 1) and is at 2 in ``restore``, which
    only the lead covers; they are the new hire's onboarding buddy, with an item overdue."""
    leaver = make_person(team, email="leaver@example.com", name="Lou Leaver")
    system = make_system(team, slug="payments-api", tier=1)
    deploy, restore = make_skill(system, slug="deploy"), make_skill(system, slug="restore")
    make_assessment(leaver, deploy, 3, author=lead)
    make_assessment(member, deploy, 1, author=lead)
    make_assessment(leaver, restore, 2, author=lead)
    make_assessment(lead, restore, 4, author=lead)
    template = OnboardingTemplate.objects.create(team=team, name="SRE onboarding", created_by=lead)
    TemplateItem.objects.create(template=template, position=1, kind=Kind.TEXT, title="Set up your laptop", due_days=1)
    today = timezone.localdate()
    checklists.checklist_start(
        person=new_hire, template=template, buddy=leaver, started_on=today - timedelta(days=10), by=lead
    )
    return {
        "next_hire": make_person(team, email="next-hire@example.com"),
        "team": team,
        "lead": lead,
        "new_hire": new_hire,
        "leaver": leaver,
        "deploy": deploy,
        "restore": restore,
        "today": today,
    }


def _cover_counts(c):
    return level_selectors.cover_counts([c["deploy"].pk]).get(c["deploy"].pk, 0) > 0


def _skill_matrix(c):
    matrix = level_selectors.skill_matrix(Person.objects.active(), Skill.objects.filter(pk=c["deploy"].pk))
    return matrix.columns[0].bus_factor > 0 or any(r.person == c["leaver"] for r in matrix.rows)


def _matrix_page(c):
    client = Client()
    client.force_login(c["lead"])
    return f'data-p="{c["leaver"].pk}"' in client.get("/matrix/", {"team": "platform"}).text


def _team_coverage(c):
    return any(c["leaver"] in line.holders for line in level_selectors.team_coverage(c["team"]))


def _system_holders(c):
    lines = level_selectors.system_holders(c["deploy"].system)["skill_lines"]
    return any(line.bus_factor for line in lines if line.skill == c["deploy"])


def _home_page_covers(c):
    summary = level_selectors.levels_summary(c["lead"])
    return not any(line.skill == c["deploy"] for line in summary["uncovered"])


def _report_facts(c):
    facts = report_selectors.org_facts()
    return c["leaver"].pk in facts.people or any(c["leaver"].pk in s.holders for s in facts.skills)


def _busfactor_report(c):
    report = summary_json(summarise(report_selectors.org_facts()))
    return any("leaver@example.com" in s["holders"] for s in report["skills"])


def _busfactor_command(c):
    out = StringIO()
    call_command("busfactor", "--json", stdout=out)
    return any("leaver@example.com" in s["holders"] for s in json.loads(out.getvalue())["skills"])


def _busfactor_api(c):
    key = api_services.token_create(person=c["lead"], name="script")[1]
    response = Client().get("/api/busfactor/", {"team": "platform"}, headers={"Authorization": f"Bearer {key}"})
    return any("leaver@example.com" in s["holders"] for s in response.json()["skills"])


def _what_if_candidates(c):
    result = what_if(report_selectors.org_facts(), [c["lead"].pk])
    return any(p.id == c["leaver"].pk for t in result.transfers for p, _ in t.candidates)


def _plan(c):
    data = planner_selectors.plan_data(team=c["team"])
    plan = planning.plan_transfers(data.input, planner_selectors.default_settings())
    return any(c["leaver"].pk in (a.mentor_id, a.learner_id) for a in plan.assignments)


def _plan_choices(c):
    data = planner_selectors.plan_data(team=c["team"])
    found = set()
    for skill in (c["deploy"], c["restore"]):
        mentors, learners = planning.choices(data.input, skill.pk, planner_selectors.default_settings())
        found |= {ch.person_id for ch in mentors + learners}
    return c["leaver"].pk in found


def _onboarding_buddy_choices(c):
    form = StartForm(person=c["next_hire"])
    return form.fields["buddy"].queryset.filter(pk=c["leaver"].pk).exists()


def _invitation_buddy_choices(c):
    form = InvitationForm(inviter=c["lead"])
    return form.fields["onboarding_buddy"].queryset.filter(pk=c["leaver"].pk).exists()


def _reminders(c):
    reminders.reminders_send(today=c["today"])
    return ReminderSent.objects.filter(person=c["leaver"]).exists()


PLACES = {
    "cover_counts": _cover_counts,
    "skill_matrix": _skill_matrix,
    "matrix page": _matrix_page,
    "team_coverage": _team_coverage,
    "system_holders": _system_holders,
    "home page covers": _home_page_covers,
    "report facts": _report_facts,
    "bus-factor report": _busfactor_report,
    "busfactor --json": _busfactor_command,
    "API busfactor": _busfactor_api,
    "what-if candidates": _what_if_candidates,
    "transfer plan": _plan,
    "plan choices": _plan_choices,
    "onboarding buddy choices": _onboarding_buddy_choices,
    "invitation buddy choices": _invitation_buddy_choices,
    "onboarding reminders": _reminders,
}


@pytest.mark.parametrize("place", PLACES)
def test_someone_marked_as_left_disappears(ctx, place, django_capture_on_commit_callbacks):
    appears = PLACES[place]
    if place != "onboarding reminders":  # sending them records them: checked once, after
        assert appears(ctx), f"the set-up should put the leaver in {place}"
    flows.person_leave(by=ctx["lead"], person=ctx["leaver"], departed_on=ctx["today"])
    assert not appears(ctx)


def test_reminders_reach_the_buddy_until_they_leave(ctx):
    """The set-up of the reminders case, checked on its own: the buddy gets one while here."""
    reminders.reminders_send(today=ctx["today"])
    assert ReminderSent.objects.filter(person=ctx["leaver"]).exists()
