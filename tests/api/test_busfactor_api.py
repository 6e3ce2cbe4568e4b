"""GET /api/busfactor/?team=slug&what_if=email: the bus-factor report of DESIGN.md as JSON.

The report's rules are tested with the reports; here the real report runs, and these tests check
what the endpoint owns: who may read which team, the ``what_if`` people, the facts it hands to
the report, the schema, and a fixed number of queries.
"""

import pytest
from django.urls import reverse

from ops_skills.api import views as api_views
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

BUSFACTOR = reverse("api:busfactor")


@pytest.fixture
def report(monkeypatch):
    """The real report engine, recording what each request handed to it in ``seen``: the facts
    and the people counted as gone."""
    seen = []
    real_summarise = api_views.summarise

    def summarise(facts, *args, **kwargs):
        without = frozenset(kwargs.get("without", ()))
        seen.append(type("Call", (), {"facts": facts, "without": without}))
        return real_summarise(facts, *args, **kwargs)

    monkeypatch.setattr(api_views, "summarise", summarise)
    return type("Recorder", (), {"seen": seen})


def skill_lines(body):
    return sorted(
        ({"system": s["system"], "skill": s["skill"], "holders": s["holders"]} for s in body["skills"]),
        key=lambda s: (s["system"], s["skill"]),
    )


@pytest.fixture
def covered(team, other_team, lead, member, other_lead):
    """One skill on each team: the member and the lead cover Platform's, the other lead Payments'."""
    restore = make_skill(make_system(team, slug="postgres-main", tier=1), slug="restore")
    payout = make_skill(make_system(other_team, slug="payouts"), slug="run-payout")
    make_assessment(member, restore, 3, author=lead)
    make_assessment(lead, restore, 4, author=lead)
    make_assessment(other_lead, payout, 3, author=other_lead)
    return restore, payout


@pytest.mark.parametrize("who", AUTH_CASES)
def test_own_team_permission_matrix(api, report, covered, who):
    response = api(who).get(BUSFACTOR, {"team": "platform"})
    assert response.status_code == (401 if who in FAILED_AUTH else 200)


OTHER_TEAM_EXPECTED = {
    "none": 401,
    "bad": 401,
    "revoked": 401,
    "departed": 401,
    "member": 403,  # members read their own team's report only
    "lead": 200,
    "other_lead": 200,
    "admin": 200,
}


@pytest.mark.parametrize("who", AUTH_CASES)
def test_other_team_permission_matrix(api, report, covered, who):
    response = api(who).get(BUSFACTOR, {"team": "payments"})
    assert response.status_code == OTHER_TEAM_EXPECTED[who]


def test_the_report_of_the_team(api, report, covered, member, lead):
    body = api(member).get(BUSFACTOR, {"team": "platform"}).json()
    assert skill_lines(body) == [{"system": "postgres-main", "skill": "restore", "holders": [lead.email, member.email]}]
    assert [s["system"] for s in body["systems"]] == ["postgres-main"]


def test_the_schema_is_design_md_s(api, report, covered, member):
    body = api(member).get(BUSFACTOR, {"team": "platform"}).json()
    assert set(body) == {"skills", "systems"}
    assert set(body["skills"][0]) == {"system", "skill", "bus_factor", "fresh_bus_factor", "holders"}
    assert set(body["systems"][0]) == {
        "system", "tier", "skills", "uncovered", "single_points", "truck_factor", "truck_factor_method", "key_people"
    }  # fmt: skip
    assert body["skills"][0]["bus_factor"] == 2
    system = body["systems"][0]
    assert (system["tier"], system["skills"], system["uncovered"], system["single_points"]) == (1, 1, 0, 0)
    assert (system["truck_factor"], system["truck_factor_method"]) == (2, "exact")


def test_without_a_team_it_is_my_team(api, report, covered, other_lead):
    body = api(other_lead).get(BUSFACTOR).json()
    assert [s["skill"] for s in body["skills"]] == ["run-payout"]


def test_an_admin_without_a_team_gets_the_whole_organisation(api, report, covered, admin_user):
    body = api(admin_user).get(BUSFACTOR).json()
    assert sorted(s["skill"] for s in body["skills"]) == ["restore", "run-payout"]


def test_a_member_without_a_team_has_no_report(api, report, db):
    # Members read their own team's report only (reports.selectors.report_team): with no team,
    # there is none for them, on the API as on the web.
    response = api(make_person(None)).get(BUSFACTOR)
    assert response.status_code == 403 and "not on a team" in response.json()["error"]


def test_what_if_people_left(api, report, covered, lead, member):
    response = api(lead).get(BUSFACTOR, [("team", "platform"), ("what_if", member.email)])
    assert response.json()["skills"][0]["holders"] == [lead.email]
    both = api(lead).get(BUSFACTOR, [("what_if", member.email), ("what_if", "LEAD@example.com")])
    assert both.json()["skills"][0]["holders"] == []
    assert report.seen[-1].without == {member.pk, lead.pk}
    assert both.json()["what_if"] == [lead.email, member.email]  # who the report counts as gone


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("lead", 200), ("admin", 200)])
def test_only_those_who_plan_ask_what_if(api, report, covered, cast, who, status):
    """Who may ask "what if these people left" is ``permissions.can_read_report(what_if=True)``,
    as on the report page: a member reads the report of their team, without the what-if."""
    response = api(who).get(BUSFACTOR, {"team": "platform", "what_if": cast["member"].email})
    assert response.status_code == status, response.content
    assert api("member").get(BUSFACTOR, {"team": "platform"}).status_code == 200


def test_what_if_someone_unknown_is_400(api, report, covered, lead):
    response = api(lead).get(BUSFACTOR, {"what_if": "nobody@example.com"})
    assert response.status_code == 400
    assert "nobody@example.com" in response.json()["fields"]["what_if"]


def test_unknown_team_is_404(api, report, lead):
    assert api(lead).get(BUSFACTOR, {"team": "nope"}).status_code == 404


def test_a_browser_session_may_read(client_for, report, covered, member):
    assert client_for(member).get(BUSFACTOR).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_read_only(api, report, member, method):
    assert api(member).call(method, BUSFACTOR).status_code == 405


@pytest.mark.parametrize("size", [2, 30])
def test_fixed_number_of_queries(api, report, team, lead, member, size, django_assert_num_queries):
    for _ in range(2):
        system = make_system(team)
        skills = [make_skill(system) for _ in range(size)]
        people = [make_person(team) for _ in range(size)]
        for i in range(size):
            make_assessment(people[i], skills[i], 3, author=lead)
        make_session(people[0], people[1:3], skills[:2])
        make_execution(make_runbook(system, skills[:2]), people[1], people[2:4])
    client = api(lead)
    client.get(BUSFACTOR)  # records last_used_at, which is then not written again for a minute
    # token; team; what_if people; org facts: people, systems, skills, stored current levels
    with django_assert_num_queries(7):
        response = client.get(BUSFACTOR, {"team": "platform", "what_if": member.email})
    assert len(response.json()["skills"]) == 2 * size
