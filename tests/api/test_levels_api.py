"""GET /api/levels/?team=slug: the team's skill matrix as JSON, in a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.api.conftest import AUTH_CASES, FAILED_AUTH
from tests.factories import (
    make_assessment,
    make_execution,
    make_person,
    make_runbook,
    make_session,
    make_skill,
    make_system,
)

LEVELS = reverse("api:levels")


@pytest.fixture
def skills(team):
    system = make_system(team, slug="postgres-main", tier=1)
    return [make_skill(system, slug="restore", name="Restore"), make_skill(system, slug="failover", name="Fail over")]


@pytest.mark.parametrize("who", AUTH_CASES)
def test_permission_matrix(api, skills, who):
    # Like the skill matrix page, anyone logged in reads any team's levels.
    response = api(who).get(LEVELS, {"team": "platform"})
    assert response.status_code == (401 if who in FAILED_AUTH else 200)


def test_levels_with_what_gave_them(api, lead, member, new_hire, departed, other_lead, skills):
    restore, failover = skills
    make_assessment(member, restore, 3, author=lead)
    make_assessment(new_hire, restore, 4, source="self")  # a self claim counts at most 2
    make_session(member, [new_hire], [failover], days_ago=400)
    make_assessment(departed, restore, 4, author=lead)
    make_assessment(other_lead, restore, 4, author=other_lead)  # not on the team
    departed.departed_on = "2020-01-01"
    departed.save()

    body = api(member).get(LEVELS, {"team": "platform"}).json()
    assert body["team"] == {"slug": "platform", "name": "Platform"}
    assert [s["skill"] for s in body["skills"]] == ["postgres-main/failover", "postgres-main/restore"]
    assert body["skills"][0] == {
        "skill": "postgres-main/failover",
        "system": "postgres-main",
        "name": "Fail over",
        "tier": 1,
        "freshness_days": 180,
    }
    people = {p["email"]: p for p in body["people"]}
    assert set(people) == {lead.email, member.email, new_hire.email}  # active people of the team only
    assert people[lead.email]["levels"] == []
    member_levels = {line["skill"]: line for line in people[member.email]["levels"]}
    assert member_levels["postgres-main/restore"] | {"explanation": ""} == {
        "skill": "postgres-main/restore",
        "level": 3,
        "label": "independent",
        "basis": "lead",
        "explanation": "",
        "covers": True,
        "fresh": False,
        "last_practised": None,
    }
    assert member_levels["postgres-main/restore"]["explanation"].startswith("lead assessment of")
    # Mentor in a session without being independent: the hands-on floor, and stale after 400 days.
    assert member_levels["postgres-main/failover"]["level"] == 2
    assert member_levels["postgres-main/failover"]["basis"] == "evidence"
    assert member_levels["postgres-main/failover"]["last_practised"] is not None
    assert member_levels["postgres-main/failover"]["fresh"] is False
    hire_levels = {line["skill"]: line for line in people[new_hire.email]["levels"]}
    assert hire_levels["postgres-main/restore"]["level"] == 2
    assert hire_levels["postgres-main/restore"]["basis"] == "self"


def test_fresh_cover_from_a_production_run(api, member, skills):
    runbook = make_runbook(skills[0].system, [skills[0]])
    make_execution(runbook, member, days_ago=3)
    body = api(member).get(LEVELS, {"team": "platform"}).json()
    line = next(p for p in body["people"] if p["email"] == member.email)["levels"][0]
    assert (line["level"], line["covers"], line["fresh"]) == (3, True, True)


def test_without_a_team_it_is_my_team(api, member, skills):
    assert api(member).get(LEVELS).json()["team"]["slug"] == "platform"


def test_without_a_team_and_without_one_of_my_own_is_400(api, admin_user):
    response = api(admin_user).get(LEVELS)
    assert response.status_code == 400
    assert "team" in response.json()["fields"]


def test_unknown_team_is_404(api, member):
    assert api(member).get(LEVELS, {"team": "nope"}).status_code == 404


def test_a_team_without_systems(api, other_lead, other_team):
    body = api(other_lead).get(LEVELS, {"team": other_team.slug}).json()
    assert body["skills"] == [] and [p["email"] for p in body["people"]] == [other_lead.email]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_read_only(api, member, method):
    response = api(member).call(method, LEVELS)
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def _populate(team, people_count, skills_per_system, lead):
    people = [make_person(team) for _ in range(people_count)]
    for s in range(2):
        system = make_system(team)
        skills = [make_skill(system) for _ in range(skills_per_system)]
        runbook = make_runbook(system, skills[:2])
        for i, person in enumerate(people):
            make_assessment(person, skills[i % len(skills)], 3, author=lead)
            make_assessment(person, skills[(i + 1) % len(skills)], 2, source="self")
        make_session(people[0], people[1:4], skills[:3])
        make_execution(runbook, people[1], people[2:4])


@pytest.mark.parametrize(("people_count", "skills_per_system"), [(2, 2), (25, 12)])
def test_fixed_number_of_queries(api, team, lead, member, people_count, skills_per_system, django_assert_num_queries):
    _populate(team, people_count, skills_per_system, lead)
    client = api(member)
    client.get(LEVELS)  # records last_used_at, which is then not written again for a minute
    # token; team; people; skills with systems; their stored levels
    with django_assert_num_queries(5):
        response = client.get(LEVELS, {"team": "platform"})
    assert len(response.json()["people"]) == people_count + 4  # and the cast: lead, member, new hire, gone
