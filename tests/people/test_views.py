"""Home, teams and people pages: who may see what, and query counts."""

import pytest
from django.urls import reverse

from ops_skills.levels import store
from ops_skills.skills.models import Assessment
from tests.factories import (
    make_assessment,
    make_execution,
    make_person,
    make_runbook,
    make_session,
    make_skill,
    make_system,
)


@pytest.fixture
def skill(team):
    return make_skill(make_system(team, slug="batch-jobs", tier=1), slug="failover", name="Payment-batch failover")


def pages(cast, team):
    return [
        reverse("people:home"),
        reverse("people:teams"),
        reverse("people:team", args=[team.slug]),
        reverse("people:people"),
        reverse("people:person", args=[cast["member"].pk]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, cast, team):
    for url in pages(cast, team):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_logged_in_reads_the_people_pages(client_for, cast, team, skill, who):
    c = client_for(cast[who])
    for url in pages(cast, team):
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_people_pages_are_read_only(client_for, cast, team, method):
    c = client_for(cast["lead"])
    for url in pages(cast, team):
        assert getattr(c, method)(url).status_code == 405, url


def test_unknown_team_and_person_are_404(client_for, member):
    c = client_for(member)
    assert c.get(reverse("people:team", args=["nope"])).status_code == 404
    assert c.get(reverse("people:person", args=[999999])).status_code == 404


def test_home_shows_a_member_where_they_are_the_only_holder(client_for, lead, member, skill):
    make_assessment(member, skill, 3, author=lead)
    response = client_for(member).get(reverse("people:home"))
    assert [line.skill for line in response.context["my_single_points"]] == [skill]
    assert "Only you can do these" in response.content.decode()


def test_home_suggests_what_to_learn_next(client_for, lead, member, new_hire, skill):
    make_assessment(member, skill, 3, author=lead)
    response = client_for(new_hire).get(reverse("people:home"))
    assert [item["skill"] for item in response.context["learn_next"]] == [skill]


def test_home_tells_a_lead_about_single_points(client_for, lead, member, skill):
    make_assessment(member, skill, 4, author=lead)
    html = client_for(lead).get(reverse("people:home")).content.decode()
    assert "Where Platform hangs on one person" in html
    assert "only Max" in html


def test_member_home_has_no_lead_panels(client_for, member, skill):
    html = client_for(member).get(reverse("people:home")).content.decode()
    assert "hangs on one person" not in html
    assert "Invite someone" not in html


def test_team_page_lists_uncovered_skills(client_for, member, team, skill):
    response = client_for(member).get(reverse("people:team", args=[team.slug]))
    assert [line.skill for line in response.context["uncovered"]] == [skill]


def test_people_list_searches_and_filters(client_for, member, team, other_lead):
    make_person(team, name="Gone Person", departed_on="2020-01-01")
    c = client_for(member)
    assert [p.name for p in c.get(reverse("people:people"), {"q": "otherlead"}).context["page"]] == ["Olu Otherlead"]
    assert [p.name for p in c.get(reverse("people:people"), {"state": "departed"}).context["page"]] == ["Gone Person"]
    names = [p.name for p in c.get(reverse("people:people"), {"team": "payments"}).context["page"]]
    assert names == ["Olu Otherlead"]


def test_person_page_shows_levels_and_history(client_for, lead, member, skill):
    make_assessment(member, skill, 4, source="self", days_ago=5)
    make_assessment(member, skill, 3, author=lead, days_ago=1, note="watched the failover")
    response = client_for(lead).get(reverse("people:person", args=[member.pk]))
    ((system, lines),) = response.context["systems"]
    assert (lines[0].skill, lines[0].level.level, lines[0].level.basis) == (skill, 3, "lead")
    assert "watched the failover" in response.content.decode()
    timeline = response.context["timeline"].object_list
    assert [(e.before, e.after.level, e.assessment.source) for e in timeline] == [(2, 3, "lead"), (0, 2, "self")]


def test_person_timeline_names_the_evidence_that_raised_a_level(client_for, lead, member, new_hire, skill):
    session = make_session(member, [new_hire], [skill])
    response = client_for(lead).get(reverse("people:person", args=[new_hire.pk]))
    (entry,) = response.context["timeline"].object_list
    assert (entry.after.level, entry.evidence.id, entry.evidence_url) == (2, session.pk, session.get_absolute_url())
    assert "pairing session</a> as hands on" in response.content.decode()


def _levels(person, team, skills):
    """Assessments in ``skills`` skills, and evidence in a third of them."""
    system = make_system(team)
    lead = make_person(team)
    skill_list = [make_skill(system) for _ in range(skills)]
    Assessment.objects.bulk_create(
        Assessment(person=person, skill=s, level=i % 5, source="lead", author=lead) for i, s in enumerate(skill_list)
    )
    store.recompute_all()  # bulk_create goes around the services
    runbook = make_runbook(system, skill_list[: max(1, skills // 3)])
    for _ in range(max(1, skills // 10)):
        make_execution(runbook, person, participants=[lead])
        make_session(lead, [person], skill_list[-max(1, skills // 3) :])


@pytest.mark.parametrize("skills", [2, 120])
def test_person_page_runs_a_fixed_number_of_queries(client_for, member, team, django_assert_max_num_queries, skills):
    _levels(member, team, skills)
    c = client_for(member)
    # session, user, person, their stored levels, those skills with systems; the timeline (the
    # explanation, recomputed): assessments with skills and authors, executions, their runbooks'
    # skills, participants, sessions, their skills, learners; their onboarding checklist, notices
    with django_assert_max_num_queries(14):
        c.get(reverse("people:person", args=[member.pk]))


@pytest.mark.parametrize("people", [2, 60])
def test_home_runs_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, people):
    system = make_system(team)
    skills = [make_skill(system) for _ in range(10)]
    runbook = make_runbook(system, skills[:3])
    for i in range(people):
        p = make_person(team)
        Assessment.objects.bulk_create(
            Assessment(person=p, skill=s, level=3, source="lead", author=lead) for s in skills
        )
        if i % 3 == 0:
            make_execution(runbook, p, participants=[lead])
            make_session(p, [lead], skills[-2:])
    store.recompute_all()  # bulk_create goes around the services
    c = client_for(lead)
    # session, user, my stored levels, their skills, team, team skills, their stored covers,
    # active people, pending invitations, running onboardings, the team's absences in the next
    # four weeks, unread notices; the inbox's 13 (tests/web/test_inbox.py)
    with django_assert_max_num_queries(25):
        c.get(reverse("people:home"))


@pytest.mark.parametrize("people", [2, 60])
def test_lists_run_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, people):
    for _ in range(people):
        make_person(team)
    c = client_for(lead)
    with django_assert_max_num_queries(6):  # session, user, count, teams for the filter, page, notices
        c.get(reverse("people:people"))
    with django_assert_max_num_queries(5):  # session, user, teams with counts, leads, notices
        c.get(reverse("people:teams"))
    # session, user, team, skills (with their stored covers), members, systems, notices
    with django_assert_max_num_queries(7):
        c.get(reverse("people:team", args=[team.slug]))
