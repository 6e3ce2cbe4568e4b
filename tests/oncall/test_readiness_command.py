import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_person
from tests.oncall import scenario


def readiness_json(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("oncall_readiness", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_has_the_issues_shape_and_explains_each_gap(team, lead, member):
    _, first, second = scenario.build(team, lead, member)
    assert readiness_json("--team", team.slug) == {
        "shifts": [
            {
                "schedule": "Primary",
                "person": "member@example.com",
                "start": first.start.isoformat(),
                "end": first.end.isoformat(),
                "status": "at_risk",
                "gaps": [
                    {"system": "batch", "skill": "rerun", "backups": []},
                    {"system": "payments", "skill": "restore", "backups": ["lead@example.com"]},
                ],
            },
            {
                "schedule": "Primary",
                "person": "ghost@example.com",
                "start": second.start.isoformat(),
                "end": second.end.isoformat(),
                "status": "at_risk",
                "gaps": [
                    {"system": "batch", "skill": "rerun", "backups": []},
                    {"system": "payments", "skill": "deploy", "backups": ["member@example.com"]},
                    {"system": "payments", "skill": "restore", "backups": ["lead@example.com"]},
                ],
            },
        ]
    }


def test_a_skill_flagged_not_critical_leaves_the_shift_ready_with_backup(team, lead, member):
    schedule, first, _ = scenario.build(team, lead, member)
    from ops_skills.skills.models import Skill

    Skill.objects.filter(slug="rerun").update(oncall_critical=False)
    shifts = readiness_json("--team", team.slug, "--weeks", "1")["shifts"]
    assert [(s["person"], s["status"]) for s in shifts] == [("member@example.com", "backup")]


def test_a_backup_who_is_away_or_has_left_is_not_one(team, lead, member):
    from ops_skills.reports.models import Absence
    from ops_skills.skills.models import Skill

    _, first, _ = scenario.build(team, lead, member)
    Skill.objects.filter(slug="rerun").update(oncall_critical=False)
    Absence.objects.create(person=lead, starts_on=first.end.date(), ends_on=first.end.date())
    shifts = readiness_json("--team", team.slug, "--weeks", "1")["shifts"]
    assert shifts[0]["status"] == "at_risk"
    assert shifts[0]["gaps"] == [{"system": "payments", "skill": "restore", "backups": []}]


def test_other_teams_and_bad_options(team, lead, member, other_team):
    scenario.build(team, lead, member)
    make_person(other_team)
    assert readiness_json("--team", other_team.slug) == {"shifts": []}
    assert len(readiness_json()["shifts"]) == 2
    with pytest.raises(CommandError, match="No team"):
        call_command("oncall_readiness", "--team", "nope")
    with pytest.raises(CommandError, match="--weeks"):
        call_command("oncall_readiness", "--weeks", "0")
