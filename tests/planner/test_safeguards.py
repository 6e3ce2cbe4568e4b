"""The planner's safeguards on real data (issue 13): planned absences, new hires in onboarding,
admins on no team and people who cannot log in yet; and the "left out" list that says why."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ops_skills.onboarding.models import Checklist
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors, services
from ops_skills.reports.models import Absence
from tests.factories import make_assessment, make_person, make_skill

# The org (tests/planner/conftest.py): on Platform's tier-1 "batch-jobs", only the member covers
# failover (level 4) and restore (level 3); the lead, the new hire, the other team's lead and the
# admin (on no team) cover neither.


def this_week():
    return selectors.week_of(timezone.localdate())


def plan_rows(client, team, **query):
    response = client.get(reverse("planner:plan"), {"team": team.slug, **query})
    assert response.status_code == 200
    return response, [(r["skill"].slug, r["mentor"].email, r["learner"].email) for r in response.context["rows"]]


def left_out(response):
    return {line["person"].email: line["why"] for line in response.context["people_left_out"]}


def test_someone_away_this_week_is_neither_mentor_nor_learner(client_for, org, team):
    monday, sunday = this_week()
    Absence.objects.create(
        person=org["member"], starts_on=monday - timedelta(days=3), ends_on=monday + timedelta(days=4)
    )
    Absence.objects.create(person=org["lead"], starts_on=monday, ends_on=monday + timedelta(days=2))
    response, rows = plan_rows(client_for(org["lead"]), team)
    assert rows == []  # the member, the only cover, is away: nobody to teach
    assert response.context["plan"].deficit_before == 4  # and they still cover both skills
    why = left_out(response)
    assert why["member@example.com"].roles == "neither mentor nor learner"
    assert "(5 of 5 days of the week)" in why["member@example.com"].reasons[0]
    assert why["lead@example.com"].reasons[0].endswith("(3 of 5 days of the week)")
    html = response.content.decode()
    assert "Left out of this plan" in html and "Max Member</a> — away" in html
    assert "neither mentor nor learner" in html
    # Planned for the next week, both are there.
    next_week = f"{(monday + timedelta(days=7)).isocalendar()[0]}-W{(monday + timedelta(days=7)).isocalendar()[1]:02d}"
    response, rows = plan_rows(client_for(org["lead"]), team, week=next_week)
    assert {mentor for _, mentor, _ in rows} == {"member@example.com"}
    assert "lead@example.com" in {learner for _, _, learner in rows}
    assert "member@example.com" not in left_out(response)


def test_one_day_away_leaves_nobody_out(client_for, org, team):
    monday, _ = this_week()
    Absence.objects.create(
        person=org["member"], starts_on=monday + timedelta(days=2), ends_on=monday + timedelta(days=2)
    )
    response, rows = plan_rows(client_for(org["lead"]), team)
    assert {mentor for _, mentor, _ in rows} == {"member@example.com"}
    assert "member@example.com" not in left_out(response)


def test_a_new_hire_in_onboarding_does_not_mentor_a_senior_of_another_team(client_for, org, team, system):
    rotate = make_skill(system, slug="rotate", name="Rotate TLS certificate")
    make_assessment(org["new_hire"], rotate, 4, author=org["lead"])
    make_assessment(org["other_lead"], rotate, 2, author=org["other_lead"])  # the senior wants nearly nothing
    checklist = Checklist.objects.create(person=org["new_hire"], team=team, started_on=timezone.localdate())
    response, rows = plan_rows(client_for(org["lead"]), team)
    assert not [r for r in rows if r[0] == "rotate"]
    assert left_out(response)["newhire@example.com"].reasons == ("still in onboarding",)
    assert "Nia Newhire</a> — still in onboarding: <strong>not a mentor</strong>" in response.content.decode()
    # Their own learning goes on: they may still be proposed as a learner.
    assert "newhire@example.com" in {learner for _, _, learner in rows}
    checklist.finished_at = timezone.now()
    checklist.save()
    response, rows = plan_rows(client_for(org["lead"]), team)
    assert ("rotate", "newhire@example.com", "otherlead@example.com") in rows
    assert "newhire@example.com" not in left_out(response)


def test_admins_on_no_team_and_people_who_cannot_log_in_are_not_learners(client_for, org, team, system):
    imported = make_person(team, email="imported@example.com", name="Ivo Imported")
    imported.set_unusable_password()
    imported.save()
    disabled = make_person(team, email="disabled@example.com", name="Dee Disabled", is_active=False)
    sso = make_person(team, email="sso@example.com", name="Sam Sso", last_login=timezone.now())
    sso.set_unusable_password()
    sso.save()
    for person in (imported, disabled, org["admin"]):  # each wants to learn: still not proposed
        planning_skill = org["failover"]
        person.interests.create(skill=planning_skill, kind="learn")
    plan = planning.plan_transfers(selectors.plan_data(team=team).input, planning.Settings(learner_capacity=5))
    learners = {a.learner_id for a in plan.assignments}
    assert learners.isdisjoint({imported.pk, disabled.pk, org["admin"].pk})
    response, _ = plan_rows(client_for(org["admin"]), team)
    why = left_out(response)
    assert why["imported@example.com"].reasons == ("has never logged in (invite them)",)
    assert why["disabled@example.com"].reasons == ("account disabled",)
    assert why["admin@example.com"].reasons == ("admin on no team",)
    assert "sso@example.com" not in why  # logged in without a password (single sign-on)
    assert why["admin@example.com"].roles == "not a learner"
    for line in response.context["rows"]:
        assert line["learner"].id not in {imported.pk, disabled.pk, org["admin"].pk}
        assert all(p.id not in {imported.pk, disabled.pk} for _, p in line["learner_choices"])


def test_the_left_out_list_keeps_to_people_this_plan_could_use(client_for, org, team, other_team):
    monday, _ = this_week()
    stranger = make_person(other_team, email="stranger@example.com")
    Absence.objects.create(person=stranger, starts_on=monday, ends_on=monday + timedelta(days=4))
    response, _ = plan_rows(client_for(org["lead"]), team)
    assert "stranger@example.com" not in left_out(response)  # on another team, covers nothing here
    assert selectors.plan_data(team=team).left_out[stranger.pk].as_learner  # but left out all the same


def test_accepting_checks_the_safeguards_of_the_week(org, team):
    monday, _ = this_week()
    rows = [planning.Row(org["failover"].pk, org["member"].pk, org["lead"].pk)]
    Absence.objects.create(person=org["member"], starts_on=monday, ends_on=monday + timedelta(days=4))
    due = timezone.localdate() + timedelta(days=30)
    with pytest.raises(ValidationError, match="Max Member is left out as a mentor this time"):
        services.plan_accept(lead=org["lead"], team=team, rows=rows, due_on=due)
    next_week = (monday + timedelta(days=7), monday + timedelta(days=13))
    created = services.plan_accept(lead=org["lead"], team=team, rows=rows, due_on=due, week=next_week)
    assert [(a.mentor, a.learner) for a in created] == [(org["member"], org["lead"])]


def test_the_accept_form_carries_the_week(client_for, org, team):
    monday, _ = this_week()
    Absence.objects.create(person=org["member"], starts_on=monday, ends_on=monday + timedelta(days=4))
    next_monday = monday + timedelta(days=7)
    week = f"{next_monday.isocalendar()[0]}-W{next_monday.isocalendar()[1]:02d}"
    client = client_for(org["lead"])
    response, rows = plan_rows(client, team, week=week)
    assert rows and f'name="week" value="{week}"' in response.content.decode()
    data = {"team": team.slug, "rows": 1, "due_on": (timezone.localdate() + timedelta(days=30)).isoformat()}
    data |= {"keep-0": "on", "skill-0": org["failover"].pk, "mentor-0": org["member"].pk, "learner-0": org["lead"].pk}
    assert client.post(reverse("planner:accept"), {**data, "week": week}).status_code == 302
    assert org["failover"].assignments.count() == 1
    # The same row for this week, when the member is away, is refused.
    data["learner-0"] = org["new_hire"].pk
    client.post(reverse("planner:accept"), data)
    assert org["failover"].assignments.count() == 1


def test_a_bad_week_is_a_form_error_not_a_500(client_for, org, team):
    response = client_for(org["lead"]).get(reverse("planner:plan"), {"team": team.slug, "week": "2026-W99"})
    assert response.status_code == 200
    assert "is not a week" in response.content.decode()
    assert response.context["week"] == this_week()
