"""One truth per number: every page, export, command and API endpoint reads the stored levels.
Only the explanations (a person's timeline) recompute, from the same rule. A counter on the rule
(``levels.rules.current_level``) shows which requests recompute."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ops_skills import flows
from ops_skills.levels import rules, services
from tests.factories import make_session, make_skill, make_system


@pytest.fixture
def org(cast, team):
    system = make_system(team, slug="payments-api", tier=1)
    deploy, restore = make_skill(system, slug="deploy"), make_skill(system, slug="restore")
    services.assessment_record(author=cast["lead"], person=cast["member"], skill=deploy, level=3)
    services.assessment_record(author=cast["member"], person=cast["member"], skill=restore, level=2)
    session = make_session(cast["member"], [cast["new_hire"]], [deploy], status="pending", days_ago=0)
    flows.evidence_confirm(evidence=session, person=cast["new_hire"])
    return {**cast, "system": system, "deploy": deploy, "restore": restore}


@pytest.fixture
def rule_calls(monkeypatch):
    calls = []
    rule = rules.current_level

    def counted(*args, **kwargs):
        calls.append(1)
        return rule(*args, **kwargs)

    monkeypatch.setattr(rules, "current_level", counted)
    return calls


def _pages(org):
    member, deploy = org["member"], org["deploy"]
    return [
        reverse("people:home"),
        reverse("people:team", args=["platform"]),
        reverse("skills:matrix"),
        reverse("skills:matrix-cell", args=[member.pk, deploy.pk]),
        reverse("skills:matrix-export"),
        reverse("skills:system", args=["payments-api"]),
        reverse("skills:skill", args=["payments-api", "deploy"]),
        reverse("reports:index"),
        reverse("reports:system", args=["payments-api"]),
        reverse("planner:plan"),
        "/api/levels/?team=platform",
        "/api/busfactor/?team=platform",
    ]


def test_no_page_recomputes_levels(org, client_for, rule_calls):
    client = client_for(org["lead"])
    for url in _pages(org):
        rule_calls.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        assert not rule_calls, f"{url} recomputed {len(rule_calls)} levels instead of reading the store"


def test_the_commands_read_the_store(org, rule_calls, capsys):
    call_command("busfactor", "--json")
    assert json.loads(capsys.readouterr().out)["skills"]
    call_command("plan_transfers", "--json")
    assert "assignments" in json.loads(capsys.readouterr().out)
    call_command("export_matrix")
    assert "payments-api/deploy" in capsys.readouterr().out
    assert not rule_calls


def test_the_person_timeline_is_the_explanation_that_recomputes(org, client_for, rule_calls):
    response = client_for(org["lead"]).get(reverse("people:person", args=[org["member"].pk]))
    assert response.status_code == 200
    assert rule_calls  # the timeline replays the rule; the levels beside it are the stored ones


def test_the_api_levels_are_the_stored_ones(org, client_for):
    client = client_for(org["lead"])
    body = client.get("/api/levels/?team=platform").json()
    member = next(p for p in body["people"] if p["email"] == org["member"].email)
    deploy = next(line for line in member["levels"] if line["skill"] == "payments-api/deploy")
    assert deploy["level"] == 4  # lead said 3; mentoring a session afterwards gives 4
    assert deploy["basis"] == "evidence"
    assert deploy["explanation"].startswith("pairing session on ")
