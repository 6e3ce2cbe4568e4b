"""``manage.py plan_transfers``: the plan as DESIGN.md's JSON, and nothing saved."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ops_skills.planner.models import Assignment


def run(*args):
    out = StringIO()
    call_command("plan_transfers", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_schema_of_design_md(org, team):
    data = json.loads(run("--json", "--team", team.slug))
    assert set(data) == {"assignments", "deficit_before", "deficit_after"}
    assert data["deficit_before"] == 4 and data["deficit_after"] == 2  # the member can mentor two
    assert len(data["assignments"]) == 2
    for a in data["assignments"]:
        assert set(a) == {"system", "skill", "mentor", "learner"}
        assert a["system"] == "batch-jobs" and a["skill"] in {"failover", "restore"}
        assert a["mentor"] == "member@example.com"
    assert run("--json", "--team", team.slug) == run("--json", "--team", team.slug)


def test_it_saves_nothing(org, team):
    with CaptureQueriesContext(connection) as queries:
        run("--json")
        run("--team", team.slug)
    # (PostgreSQL reads long results through DECLARE … CURSOR FOR SELECT, which writes nothing.)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert not Assignment.objects.exists()


def test_capacity_options_and_text_output(org, team):
    data = json.loads(run("--json", "--team", team.slug, "--mentor-capacity", "4"))
    assert len(data["assignments"]) == 4
    text = run("--team", team.slug)
    assert "Deficit 4 → 2" in text and "mentor: covers it" in text


def test_other_teams_skills_are_left_out_with_team(org, other_team):
    data = json.loads(run("--json", "--team", other_team.slug))
    assert data == {"assignments": [], "deficit_before": 0, "deficit_after": 0}


def test_bad_input_is_a_clear_error(org):
    with pytest.raises(CommandError, match="No team with slug"):
        run("--team", "nope")
    with pytest.raises(CommandError, match="cannot be negative"):
        run("--mentor-capacity", "-1")


def test_week_option_and_who_was_left_out(org, team):
    from datetime import timedelta

    from django.utils import timezone

    from ops_skills.planner.selectors import week_of
    from ops_skills.reports.models import Absence

    monday, _ = week_of(timezone.localdate())
    Absence.objects.create(person=org["member"], starts_on=monday, ends_on=monday + timedelta(days=4))
    assert json.loads(run("--json", "--team", team.slug))["assignments"] == []  # the only mentor is away
    text = run("--team", team.slug)
    assert "Left out: member@example.com — away" in text and "neither mentor nor learner" in text
    assert "Left out: admin@example.com — admin on no team: not a learner" in text
    year, week, _ = (monday + timedelta(days=7)).isocalendar()
    assert len(json.loads(run("--json", "--team", team.slug, "--week", f"{year}-W{week:02d}"))["assignments"]) == 2
    with pytest.raises(CommandError, match="is not a week"):
        run("--week", "2026-W60")
