"""The planner's pages: who may see and do what, what they show, and their query counts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.models import Notice, Person
from ops_skills.planner.models import Assignment, Interest
from ops_skills.reports.models import Absence
from tests.factories import make_assessment, make_person, make_skill, make_system

LOGIN = reverse("account_login")


def accept_data(team, rows, due_on=None, **extra):
    data = {
        "team": team.slug,
        "rows": len(rows),
        "due_on": (due_on or timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    for i, (skill, mentor, learner, keep) in enumerate(rows):
        data.update({f"skill-{i}": skill.pk, f"mentor-{i}": mentor.pk, f"learner-{i}": learner.pk})
        if keep:
            data[f"keep-{i}"] = "on"
    return {**data, **extra}


def an_assignment(org, **extra):
    fields = {
        "skill": org["failover"],
        "mentor": org["member"],
        "learner": org["new_hire"],
        "due_on": timezone.localdate() + timedelta(days=10),
        "level_at_start": 0,
        "accepted_by": org["lead"],
    }
    return Assignment.objects.create(**{**fields, **extra})


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("new_hire", 403), ("lead", 200), ("other_lead", 403), ("admin", 200)],
)
def test_plan_and_assignments_pages_are_for_the_teams_lead_and_admins(client_for, org, team, who, status):
    c = client_for(org[who])
    for name in ("planner:plan", "planner:assignments"):
        assert c.get(reverse(name), {"team": team.slug}).status_code == status, name


def test_anonymous_is_sent_to_login_from_every_planner_page(client, org, team):
    a = an_assignment(org)
    gets = [
        reverse("planner:plan"),
        reverse("planner:assignments"),
        reverse("planner:mine"),
        reverse("planner:cancel", args=[a.pk]),
        reverse("planner:interest-cell", args=[org["member"].pk, org["failover"].pk]),
        reverse("planner:person-interests", args=[org["member"].pk]),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url
    for url in (reverse("planner:accept"), reverse("planner:interest-toggle"), reverse("planner:cancel", args=[a.pk])):
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


@pytest.mark.parametrize("who", ["member", "new_hire", "lead", "other_lead", "admin"])
def test_everyone_logged_in_reads_their_assignments_and_peoples_wishes(client_for, org, who):
    c = client_for(org[who])
    assert c.get(reverse("planner:mine")).status_code == 200
    assert c.get(reverse("planner:interest-cell", args=[org["member"].pk, org["failover"].pk])).status_code == 200
    assert c.get(reverse("planner:person-interests", args=[org["member"].pk])).status_code == 200
    assert c.get(reverse("planner:person-interests", args=[999999])).status_code == 404
    response = c.post(reverse("planner:interest-toggle"), {"skill": org["failover"].pk, "kind": "learn", "wanted": "1"})
    assert response.status_code == 302
    # Only ever one's own wish, whoever's page it came from.
    assert list(Interest.objects.values_list("person", flat=True)) == [org[who].pk]


def test_a_lead_without_a_team_parameter_gets_their_own_team(client_for, org, other_team):
    response = client_for(org["other_lead"]).get(reverse("planner:plan"))
    assert response.status_code == 200
    assert response.context["team"] == other_team


def test_unknown_team_is_404(client_for, org):
    assert client_for(org["admin"]).get(reverse("planner:plan"), {"team": "nope"}).status_code == 404


@pytest.mark.parametrize("name", ["planner:plan", "planner:assignments", "planner:mine"])
def test_read_pages_refuse_writes(client_for, org, name):
    assert client_for(org["lead"]).post(reverse(name)).status_code == 405


def test_accept_refuses_get(client_for, org):
    assert client_for(org["lead"]).get(reverse("planner:accept")).status_code == 405


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("new_hire", 403), ("other_lead", 403)])
def test_only_the_teams_lead_or_an_admin_accepts(client_for, org, team, who, status):
    data = accept_data(team, [(org["failover"], org["member"], org["lead"], True)])
    assert client_for(org[who]).post(reverse("planner:accept"), data).status_code == status
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_lead_or_admin_accepts_kept_rows(client_for, org, team, who, django_capture_on_commit_callbacks):
    data = accept_data(
        team,
        [(org["failover"], org["member"], org["lead"], False), (org["restore"], org["member"], org["new_hire"], True)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org[who]).post(reverse("planner:accept"), data)
    assert response.status_code == 302
    assert response.url == reverse("planner:assignments") + f"?team={team.slug}"
    (a,) = Assignment.objects.all()
    assert (a.skill, a.mentor, a.learner, a.level_at_start) == (org["restore"], org["member"], org["new_hire"], 1)
    assert a.due_on == timezone.localdate() + timedelta(days=30)
    assert "Nia Newhire: level 1 already" in a.why
    assert set(Notice.objects.values_list("person__email", flat=True)) == {"member@example.com", "newhire@example.com"}
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "newhire@example.com"]


def test_accept_with_a_swapped_learner(client_for, org, team):
    data = accept_data(team, [(org["failover"], org["member"], org["other_lead"], True)])
    assert client_for(org["lead"]).post(reverse("planner:accept"), data).status_code == 302
    assert Assignment.objects.get().learner == org["other_lead"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (lambda o: [(o["failover"], o["lead"], o["new_hire"], True)], "does not cover"),
        (lambda o: [(o["failover"], o["member"], o["member"], True)], "cannot learn"),
        (
            lambda o: [(o["failover"], o["member"], o["lead"], True), (o["failover"], o["member"], o["lead"], True)],
            "down twice",
        ),
        (
            lambda o: [
                (o["failover"], o["member"], o["lead"], True),
                (o["restore"], o["member"], o["lead"], True),
                (o["failover"], o["member"], o["new_hire"], True),
            ],
            "would mentor 3",
        ),
        (lambda o: [(o["failover"], o["member"], o["lead"], False)], "Keep at least one"),
    ],
)
def test_bad_acceptances_write_nothing_and_say_why(client_for, org, team, rows, message):
    c = client_for(org["lead"])
    response = c.post(reverse("planner:accept"), accept_data(team, rows(org)), follow=True)
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_due_date_in_the_past_is_refused(client_for, org, team):
    data = accept_data(
        team, [(org["failover"], org["member"], org["lead"], True)], due_on=timezone.localdate() - timedelta(days=1)
    )
    response = client_for(org["lead"]).post(reverse("planner:accept"), data, follow=True)
    assert "in the past" in response.content.decode()
    assert not Assignment.objects.exists()


def test_accept_counts_open_assignments_and_the_overrides(client_for, org, team):
    an_assignment(org)  # the member already mentors one
    rows = [
        (org["failover"], org["member"], org["lead"], True),
        (org["restore"], org["member"], org["other_lead"], True),
    ]
    c = client_for(org["lead"])
    response = c.post(reverse("planner:accept"), accept_data(team, rows), follow=True)
    assert "would mentor 3 open assignments; the limit is 2" in response.content.decode()
    assert Assignment.objects.count() == 1
    response = c.post(reverse("planner:accept"), accept_data(team, rows, mentor_capacity=3))
    assert response.status_code == 302
    assert Assignment.objects.count() == 3


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("member", 403, 403), ("new_hire", 404, 404), ("other_lead", 404, 404), ("lead", 200, 302), ("admin", 200, 302)],
)
def test_cancel_permissions(client_for, org, who, get, post):
    a = an_assignment(org, learner=org["lead"])  # the member mentors it: sees it, may not cancel
    c = client_for(org[who])
    assert c.get(reverse("planner:cancel", args=[a.pk])).status_code == get
    assert c.post(reverse("planner:cancel", args=[a.pk]), {"reason": "x"}).status_code == post
    a.refresh_from_db()
    assert a.status == ("cancelled" if post == 302 else "active")


def test_cancel_asks_first_then_cancels_and_tells_both(client_for, org, team):
    a = an_assignment(org)
    c = client_for(org["lead"])
    response = c.get(reverse("planner:cancel", args=[a.pk]))
    assert "Cancel this assignment?" in response.content.decode()
    assert Assignment.objects.get().status == "active"
    response = c.post(reverse("planner:cancel", args=[a.pk]), {"reason": "Re-planned"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.cancelled_by, a.cancel_reason) == ("cancelled", org["lead"], "Re-planned")
    assert Notice.objects.filter(person__in=[org["member"], org["new_hire"]], text__contains="cancelled").count() == 2
    response = c.post(reverse("planner:cancel", args=[a.pk]), follow=True)
    assert "no longer open" in response.content.decode()


# --- what the pages show ----------------------------------------------------------------------


def test_plan_page_shows_proposals_with_explanations_and_wishes(client_for, org, team):
    Interest.objects.create(person=org["lead"], skill=org["failover"], kind="learn")
    response = client_for(org["lead"]).get(reverse("planner:plan"), {"team": team.slug})
    html = response.content.decode()
    assert response.context["plan"].deficit_before == 4
    assert len(response.context["rows"]) == 2
    assert "wants to learn it" in html
    assert "covers it, level 4" in html
    assert "What people asked for" in html and "Lena Lead" in html
    assert 'name="keep-0"' in html and 'name="learner-1"' in html
    for row in response.context["rows"]:  # a select left alone keeps the proposal
        assert row["learner_choices"][0][1] == row["learner"]
        assert row["mentor_choices"][0][1] == row["mentor"]
        assert len({c.person_id for c, _ in row["learner_choices"]}) == len(row["learner_choices"])


def test_plan_page_takes_overrides(client_for, org, team):
    response = client_for(org["lead"]).get(
        reverse("planner:plan"), {"team": team.slug, "mentor_capacity": 3, "target_1": 2}
    )
    plan = response.context["plan"]
    assert plan.deficit_before == 2
    assert len(plan.assignments) == 2
    assert 'name="mentor_capacity" value="3"' in response.content.decode()


def test_plan_page_with_nothing_to_do(client_for, team, lead):
    response = client_for(lead).get(reverse("planner:plan"))
    assert "Nothing to plan" in response.content.decode()


def test_assignments_page_lists_overdue_first(client_for, org, team):
    later = an_assignment(org, due_on=timezone.localdate() + timedelta(days=5))
    overdue = an_assignment(org, skill=org["restore"], due_on=timezone.localdate() - timedelta(days=3))
    done = an_assignment(org, learner=org["lead"], status="done", completed_at=timezone.now())
    c = client_for(org["lead"])
    response = c.get(reverse("planner:assignments"), {"team": team.slug})
    assert list(response.context["page"].object_list) == [overdue, later]
    assert "overdue" in response.content.decode()
    response = c.get(reverse("planner:assignments"), {"team": team.slug, "status": "all"})
    assert list(response.context["page"].object_list) == [overdue, later, done]


def test_home_shows_my_assignments_as_mentor_and_learner(client_for, org):
    an_assignment(org)
    an_assignment(
        org,
        skill=org["restore"],
        mentor=org["lead"],
        learner=org["member"],
        due_on=timezone.localdate() - timedelta(days=1),
    )
    c = client_for(org["member"])
    assert reverse("planner:mine") in c.get(reverse("people:home")).content.decode()  # loaded by htmx
    html = c.get(reverse("planner:mine"), HTTP_HX_REQUEST="true").content.decode()
    assert "My assignments" in html and "<html" not in html
    assert "you teach" in html and "teaches you" in html
    assert "1 of your assignments is overdue" in html


def test_my_assignments_page_reads_its_notices_but_the_home_panel_does_not(client_for, org):
    Notice.objects.create(person=org["member"], text="Teach", url=reverse("planner:mine"))
    c = client_for(org["member"])
    c.get(reverse("planner:mine"), HTTP_HX_REQUEST="true")
    assert Notice.objects.get().read_at is None
    assert "You have no transfer assignments" in c.get(reverse("planner:mine")).content.decode()
    assert Notice.objects.get().read_at is not None


def test_home_panel_is_empty_for_a_member_with_nothing(client_for, org):
    response = client_for(org["new_hire"]).get(reverse("planner:mine"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    html = client_for(org["lead"]).get(reverse("planner:mine"), HTTP_HX_REQUEST="true").content.decode()
    assert "Transfer plan" in html  # a lead always gets the way to the plan


# --- interests --------------------------------------------------------------------------------


def test_a_person_marks_and_unmarks_their_own_wishes(client_for, org):
    c = client_for(org["new_hire"])
    url = reverse("planner:interest-toggle")
    response = c.post(url, {"skill": org["failover"].pk, "kind": "learn", "wanted": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert Interest.objects.filter(person=org["new_hire"], skill=org["failover"], kind="learn").exists()
    c.post(url, {"skill": org["failover"].pk, "kind": "learn", "wanted": "1"})  # twice is once
    assert Interest.objects.count() == 1
    response = c.post(
        url, {"skill": org["failover"].pk, "kind": "learn", "wanted": "0", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("people:person", args=[org["new_hire"].pk])
    assert not Interest.objects.exists()


def test_bad_interest_input_is_400_or_404(client_for, org):
    c = client_for(org["new_hire"])
    url = reverse("planner:interest-toggle")
    assert c.post(url, {"skill": org["failover"].pk, "kind": "hoard", "wanted": "1"}).status_code == 400
    assert c.post(url, {"skill": 999999, "kind": "learn", "wanted": "1"}).status_code == 404
    assert c.get(url).status_code == 405


@pytest.mark.parametrize("who", ["member", "lead", "other_lead", "admin"])
def test_others_see_a_persons_wishes_but_cannot_change_them(client_for, org, who):
    Interest.objects.create(person=org["new_hire"], skill=org["failover"], kind="learn")
    c = client_for(org[who])
    html = c.get(reverse("planner:interest-cell", args=[org["new_hire"].pk, org["failover"].pk])).content.decode()
    assert "wants to learn this" in html and "<form" not in html
    html = c.get(reverse("planner:person-interests", args=[org["new_hire"].pk])).content.decode()
    assert "Payment-batch failover" in html and "<form" not in html


def test_own_wishes_panel_offers_toggles_and_the_team_skills(client_for, org):
    c = client_for(org["new_hire"])
    html = c.get(reverse("planner:interest-cell", args=[org["new_hire"].pk, org["failover"].pk])).content.decode()
    assert "I want to learn this" in html and "like to hand this on" in html
    response = c.get(reverse("planner:person-interests", args=[org["new_hire"].pk]))
    assert [s.slug for s in response.context["skill_choices"]] == ["failover", "restore"]
    c.post(
        reverse("planner:interest-toggle"),
        {"skill": org["restore"].pk, "kind": "learn", "wanted": "1", "panel": "person"},
        HTTP_HX_REQUEST="true",
    )
    response = c.get(reverse("planner:person-interests", args=[org["new_hire"].pk]))
    assert [s.slug for s in response.context["skill_choices"]] == ["failover"]


def test_person_page_and_matrix_cell_load_the_wishes(client_for, org):
    c = client_for(org["lead"])
    html = c.get(reverse("people:person", args=[org["new_hire"].pk])).content.decode()
    assert reverse("planner:person-interests", args=[org["new_hire"].pk]) in html
    html = c.get(reverse("skills:matrix-cell", args=[org["new_hire"].pk, org["failover"].pk])).content.decode()
    assert reverse("planner:interest-cell", args=[org["new_hire"].pk, org["failover"].pk]) in html


# --- query counts -----------------------------------------------------------------------------


def _bigger(team, lead, n_people, n_skills):
    system = make_system(team, tier=1)
    mentors = [make_person(team) for _ in range(n_people)]
    for i in range(n_skills):
        skill = make_skill(system)
        make_assessment(mentors[i % n_people], skill, 4, author=lead)
        Interest.objects.create(person=mentors[(i + 1) % n_people], skill=skill, kind="learn")
    for i in range(n_people // 2):
        Assignment.objects.create(
            skill=skill,
            mentor=mentors[-1],
            learner=mentors[i],
            due_on=timezone.localdate() - timedelta(days=i - 3),
            level_at_start=0,
        )


@pytest.mark.parametrize(("people", "skills"), [(2, 2), (20, 40)])
def test_plan_page_runs_a_fixed_number_of_queries(client_for, org, team, django_assert_max_num_queries, people, skills):
    _bigger(team, org["lead"], people, skills)
    for person in Person.objects.filter(team=team)[: people // 2]:  # some away this week
        Absence.objects.create(person=person, starts_on=timezone.localdate(), ends_on=timezone.localdate())
    c = client_for(org["lead"])
    # session, user, team, active people, systems, skills, their stored levels, interests, open
    # assignments, people's statuses (logins, onboarding), absences this week, unread notices
    with django_assert_max_num_queries(12):
        c.get(reverse("planner:plan"), {"team": team.slug})


@pytest.mark.parametrize(("people", "skills"), [(2, 2), (20, 40)])
def test_assignments_page_runs_a_fixed_number_of_queries(
    client_for, org, team, django_assert_max_num_queries, people, skills
):
    _bigger(team, org["lead"], people, skills)
    c = client_for(org["lead"])
    # session, user, team, count, page of assignments with skills, systems, teams and people,
    # overdue count, unread notices
    with django_assert_max_num_queries(7):
        c.get(reverse("planner:assignments"), {"team": team.slug, "status": "all"})


@pytest.mark.parametrize(("people", "skills"), [(2, 2), (20, 40)])
def test_home_panel_runs_a_fixed_number_of_queries(
    client_for, org, team, django_assert_max_num_queries, django_assert_num_queries, people, skills
):
    from ops_skills.planner.home import panel

    _bigger(team, org["lead"], people, skills)
    mentor = Assignment.objects.order_by("id").first().mentor
    with django_assert_num_queries(0):
        assert panel(mentor) == {"template": "planner/_home_panel.html"}
    c = client_for(mentor)
    # session, user, open and lately done assignments with their skills and people
    with django_assert_max_num_queries(3):
        response = c.get(reverse("planner:mine"), HTTP_HX_REQUEST="true")
    assert len(response.context["panel"]["as_mentor"]) == people // 2
