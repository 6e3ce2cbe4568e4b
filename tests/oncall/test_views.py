"""The rota page and the schedule forms: who may see and change what, what the page says, and
its number of queries."""

import pytest
from django.urls import reverse

from ops_skills.oncall.models import Schedule, Shift
from tests.factories import make_execution, make_person, make_runbook, make_skill, make_system
from tests.oncall import scenario
from tests.oncall.conftest import calendar

ROLES = ["member", "lead", "other_lead", "admin"]


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 200), ("lead", 200), ("other_lead", 403), ("admin", 200)]
)
def test_who_sees_the_rota(client_for, cast, team, role, status):
    response = client_for(cast.get(role)).get(reverse("oncall:rota", args=[team.slug]))
    assert response.status_code == status
    if role is None:
        assert response.url.startswith("/accounts/login/")


def test_an_unknown_team_is_404_and_the_index_goes_to_ones_own_team(client_for, cast, team, other_team):
    assert client_for(cast["member"]).get(reverse("oncall:rota", args=["nope"])).status_code == 404
    assert client_for(cast["other_lead"]).get(reverse("oncall:index")).url == reverse(
        "oncall:rota", args=[other_team.slug]
    )
    assert client_for(cast["admin"]).get(reverse("oncall:index")).url == reverse("oncall:rota", args=[other_team.slug])
    assert client_for(make_person(None)).get(reverse("oncall:index")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("lead", 200), ("other_lead", 403), ("admin", 200)]
)
def test_who_may_add_a_schedule(client_for, cast, team, role, status):
    assert client_for(cast.get(role)).get(reverse("oncall:schedule-create", args=[team.slug])).status_code == status


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("other_lead", 403), ("lead", 302), ("admin", 302)])
def test_who_may_delete_or_fetch_a_schedule(client_for, cast, team, role, status):
    schedule = Schedule.objects.create(team=team, name="Primary", url="http://127.0.0.1:9/x.ics")
    client = client_for(cast[role])
    assert client.get(reverse("oncall:schedule-delete", args=[team.slug, schedule.pk])).status_code == 405
    assert client.post(reverse("oncall:schedule-fetch", args=[team.slug, schedule.pk])).status_code == status
    assert client.post(reverse("oncall:schedule-delete", args=[team.slug, schedule.pk])).status_code == status
    assert Schedule.objects.filter(pk=schedule.pk).exists() == (status == 403)


def test_a_schedule_of_another_team_is_404_under_this_one(client_for, cast, team, other_team):
    theirs = Schedule.objects.create(team=other_team, name="Theirs", url="http://127.0.0.1:9/x.ics")
    response = client_for(cast["lead"]).post(reverse("oncall:schedule-fetch", args=[team.slug, theirs.pk]))
    assert response.status_code == 404


def test_a_lead_adds_a_feed_and_it_is_fetched(client_for, cast, team, other_team, feed):
    system = make_system(team, slug="payments", tier=1)
    theirs = make_system(other_team, slug="elsewhere")
    url = feed(calendar("DTSTART:20300101T090000Z\nDTEND:20300102T090000Z\nSUMMARY:member@example.com"))
    client = client_for(cast["lead"])
    create = reverse("oncall:schedule-create", args=[team.slug])
    bad = client.post(create, {"name": "Primary", "kind": "ical", "url": "", "systems": [theirs.pk]})
    assert bad.status_code == 200
    assert "An iCalendar schedule needs its feed" in bad.text and "Select a valid choice" in bad.text
    response = client.post(create, {"name": "Primary", "kind": "ical", "url": url, "systems": [system.pk]})
    assert response.status_code == 302
    schedule = Schedule.objects.get(team=team)
    assert list(schedule.systems.all()) == [system]
    assert schedule.fetched_at is not None and schedule.last_error == ""  # the task ran (tests run tasks at once)
    page = client.get(reverse("oncall:rota", args=[team.slug])).text
    assert "Primary" in page and "never" not in page
    duplicate = client.post(create, {"name": "Primary", "kind": "pagerduty", "pagerduty_schedule_id": "PABC123"})
    assert "The team has a schedule of that name already." in duplicate.text


def test_the_page_shows_each_shift_with_its_label_and_gaps_explained(client_for, cast, team):
    schedule, first, second = scenario.build(team, cast["lead"], cast["member"])
    schedule.last_error, schedule.unmatched = "The server answered 404 NOT FOUND.", ["ghost@example.com"]
    schedule.save()
    page = client_for(cast["member"]).get(reverse("oncall:rota", args=[team.slug])).text
    assert '<span class="pill at_risk">At risk</span>' in page
    assert "Ready with backup: 0" in page and "At risk: 2" in page
    assert "<strong>payments · Restore</strong>" in page and "cannot do it alone" in page
    assert 'backup <span title="lead@example.com">Lena Lead</span>' in page
    assert "<strong>batch · Rerun</strong>" in page and "<strong>nobody available</strong>" in page
    assert "not matched" in page and "nobody matched on call" in page
    assert "The server answered 404 NOT FOUND. (" in page and "Nobody here is: ghost@example.com" in page
    assert "Add a schedule" not in page  # a member does not manage schedules
    assert "Or swap:" not in page  # nobody covers rerun: nobody could take a shift and be ready


def test_the_page_proposes_a_swap_with_a_colleague_who_would_be_ready(client_for, cast, team):
    from ops_skills.skills.models import Skill

    scenario.build(team, cast["lead"], cast["member"])
    Skill.objects.filter(slug__in=["rerun", "deploy"]).update(oncall_critical=False)  # Lena covers what is left
    page = client_for(cast["member"]).get(reverse("oncall:rota", args=[team.slug])).text
    assert page.count('Or swap: <span title="lead@example.com">Lena Lead</span> would be ready.') == 2


def larger_rota(team, n):
    """``n`` schedules, each with ``n`` systems, skills, people and shifts."""
    people = [make_person(team) for _ in range(n)]
    for i in range(n):
        system = make_system(team, tier=1)
        skills = [make_skill(system) for _ in range(2)]
        make_execution(make_runbook(system, skills), people[i])
        schedule = Schedule.objects.create(team=team, name=f"Rota {i}", url="https://example.com/x.ics")
        schedule.systems.set([system])
        start = scenario.next_monday()
        for week in range(n):
            Shift.objects.create(
                schedule=schedule,
                person=people[(i + week) % n],
                email=people[(i + week) % n].email,
                start=start + week * (scenario.timedelta(weeks=1) / n),
                end=start + (week + 1) * (scenario.timedelta(weeks=1) / n),
            )


@pytest.mark.parametrize("n", [1, 4])
def test_the_page_costs_a_fixed_number_of_queries(client_for, cast, team, n, django_assert_num_queries):
    larger_rota(team, n)
    client = client_for(cast["lead"])
    # session, person, team; readiness: schedules, their systems, shifts, critical skills, covers,
    # absences; the base page's unread notices; the schedules table and its systems
    with django_assert_num_queries(12):
        response = client.get(reverse("oncall:rota", args=[team.slug]))
    assert response.status_code == 200
    assert response.text.count('class="oncall-shift ') == n * n


def test_the_leads_home_warns_of_shifts_at_risk(client_for, cast, team, django_assert_num_queries):
    scenario.build(team, cast["lead"], cast["member"])
    home = client_for(cast["lead"]).get(reverse("people:home")).text
    assert f'hx-get="{reverse("oncall:home-panel")}"' in home
    client = client_for(cast["lead"])
    client.get(reverse("people:home"))  # the session and person are loaded; count the panel alone
    with django_assert_num_queries(9):  # session, person, team, and readiness's six
        panel = client.get(reverse("oncall:home-panel")).text
    assert "On call: 2 shifts in the next 4 weeks" in panel
    assert "nobody available for batch · Rerun" in panel
    assert "ghost@example.com (not matched)" in panel


@pytest.mark.parametrize("role", ["member", "other_lead", "admin"])
def test_the_home_warning_is_empty_for_who_does_not_manage_the_rota(client_for, cast, team, role):
    scenario.build(team, cast["lead"], cast["member"])
    response = client_for(cast[role]).get(reverse("oncall:home-panel"))
    assert (response.status_code, response.content) == (200, b"")


def test_no_home_warning_when_every_shift_has_a_backup(client_for, cast, team):
    from ops_skills.skills.models import Skill

    schedule, first, second = scenario.build(team, cast["lead"], cast["member"])
    Skill.objects.filter(slug="rerun").update(oncall_critical=False)
    second.delete()
    assert client_for(cast["lead"]).get(reverse("oncall:home-panel")).content == b""


@pytest.mark.parametrize(
    ("url", "saved", "error"),
    [
        ("webcal://127.0.0.1:9/p.ics", "https://127.0.0.1:9/p.ics", None),  # fetched at once: refused, locally
        ("ftp://rota.example.com/p.ics", None, "Enter an http://, https:// or webcal:// address."),
        ("not a url", None, "Enter an http://, https:// or webcal:// address."),
    ],
)
def test_feed_addresses(client_for, cast, team, url, saved, error):
    response = client_for(cast["lead"]).post(
        reverse("oncall:schedule-create", args=[team.slug]), {"name": "Primary", "kind": "ical", "url": url}
    )
    if error:
        assert response.status_code == 200 and error in response.text
        assert not Schedule.objects.exists()
    else:
        assert response.status_code == 302 and Schedule.objects.get().url == saved
        assert Schedule.objects.get().last_error.startswith("Could not reach the server")


def shadow(client, team, shift, skill, mentor):
    data = {"shift": shift.pk, "skill": skill.pk, "mentor": mentor.pk}
    return client.post(reverse("oncall:shadow-accept", args=[team.slug]), data, follow=True)


def test_a_lead_plans_shadowing_before_the_shift_with_one_click(client_for, cast, team):
    from ops_skills.planner.models import Assignment
    from ops_skills.skills.models import Skill

    schedule, first, _ = scenario.build(team, cast["lead"], cast["member"])
    restore = Skill.objects.get(slug="restore")
    client = client_for(cast["lead"])
    page = client.get(reverse("oncall:rota", args=[team.slug])).text
    assert "Plan shadowing: Lena Lead teaches Max Member by" in page
    response = shadow(client, team, first, restore, cast["lead"])
    assignment = Assignment.objects.get()
    assert (assignment.skill, assignment.mentor, assignment.learner) == (restore, cast["lead"], cast["member"])
    assert assignment.due_on == first.start.date() - scenario.timedelta(days=1)
    assert "Shadowing on Restore planned" in response.text
    again = shadow(client, team, first, restore, cast["lead"])  # the planner's rules: a learner gets a skill once
    assert "Not planned:" in again.text and "has an open assignment on it" in again.text
    assert Assignment.objects.count() == 1


def test_shadowing_by_someone_who_cannot_teach_it_is_refused(client_for, cast, team):
    from ops_skills.planner.models import Assignment
    from ops_skills.skills.models import Skill

    _, first, _ = scenario.build(team, cast["lead"], cast["member"])
    rerun = Skill.objects.get(slug="rerun")
    response = shadow(client_for(cast["lead"]), team, first, rerun, cast["new_hire"])
    assert "Not planned:" in response.text and "does not cover Rerun" in response.text
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("member", 403), ("other_lead", 403), ("admin", 200)])
def test_who_may_plan_shadowing(client_for, cast, team, role, status):
    from ops_skills.planner.models import Assignment
    from ops_skills.skills.models import Skill

    _, first, _ = scenario.build(team, cast["lead"], cast["member"])
    client = client_for(cast.get(role))
    data = {"shift": first.pk, "skill": Skill.objects.get(slug="restore").pk, "mentor": cast["lead"].pk}
    response = client.post(reverse("oncall:shadow-accept", args=[team.slug]), data)
    assert response.status_code == (302 if status == 200 else status)
    assert Assignment.objects.exists() == (status == 200)
    if role == "member":
        assert "Plan shadowing" not in client.get(reverse("oncall:rota", args=[team.slug])).text


def test_shadowing_for_a_shift_or_skill_of_another_team_is_404(client_for, cast, team, other_team):
    from ops_skills.skills.models import Skill

    _, first, _ = scenario.build(team, cast["lead"], cast["member"])
    elsewhere = make_skill(make_system(other_team, slug="their-system"), slug="their-skill")
    client = client_for(cast["other_lead"])
    url = reverse("oncall:shadow-accept", args=[other_team.slug])
    restore = Skill.objects.get(slug="restore")
    assert client.post(url, {"shift": first.pk, "skill": restore.pk, "mentor": cast["lead"].pk}).status_code == 404
    client = client_for(cast["lead"])
    url = reverse("oncall:shadow-accept", args=[team.slug])
    assert client.post(url, {"shift": first.pk, "skill": elsewhere.pk, "mentor": cast["lead"].pk}).status_code == 404
    assert client.post(url, {"shift": "x", "skill": restore.pk, "mentor": cast["lead"].pk}).status_code == 404
