"""Snapshots (idempotent), the daily task, the commands, demo data and the home panel."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.models import Person
from ops_skills.reports import home, services, tasks
from ops_skills.reports.models import Absence, Snapshot
from ops_skills.web.management.commands.seed_demo import seed as seed_demo

pytestmark = pytest.mark.django_db


def test_snapshot_take_is_idempotent(org):
    first = services.snapshot_take(today=date(2026, 8, 1))
    again = services.snapshot_take(today=date(2026, 8, 1))
    assert [s.pk for s in first] == [s.pk for s in again]
    assert Snapshot.objects.count() == 3  # organisation + two teams
    organisation = Snapshot.objects.get(team=None)
    assert (organisation.skills, organisation.uncovered, organisation.single_points) == (4, 0, 2)
    assert (organisation.systems_at_risk, organisation.min_truck_factor, organisation.mean_truck_factor) == (1, 1, 1.5)
    platform = Snapshot.objects.get(team=org["lead"].team)
    assert (platform.skills, platform.single_points, platform.deficit) == (3, 1, 1 + 1 + 2)


def test_daily_task_takes_todays_snapshot(org):
    result = tasks.take_daily_snapshot.enqueue()
    assert result.return_value == 3
    assert set(Snapshot.objects.values_list("taken_on", flat=True)) == {timezone.localdate()}


def test_snapshot_command(org, capsys):
    call_command("snapshot_busfactor", "--date", "2026-08-02")
    call_command("snapshot_busfactor", "--date", "2026-08-02")
    assert Snapshot.objects.filter(taken_on=date(2026, 8, 2)).count() == 3
    assert "3 snapshots for 2026-08-02" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a date"):
        call_command("snapshot_busfactor", "--date", "yesterday")


def test_trend_page_draws_lines(client_for, org):
    for ago in range(5):
        services.snapshot_take(today=date(2026, 8, 10) - timedelta(days=ago))
    body = client_for(org["lead"]).get(reverse("reports:trend")).content.decode()
    assert body.count("<polyline") == 4 and "series single" in body


def _busfactor(*args):
    from io import StringIO

    out = StringIO()
    call_command("busfactor", *args, stdout=out)
    return out.getvalue()


def test_busfactor_json_schema(org):
    data = json.loads(_busfactor("--json"))
    assert set(data) == {"skills", "systems"}
    for skill in data["skills"]:
        assert set(skill) == {"system", "skill", "bus_factor", "fresh_bus_factor", "holders"}
    for system in data["systems"]:
        assert set(system) == {
            "system",
            "tier",
            "skills",
            "uncovered",
            "single_points",
            "truck_factor",
            "truck_factor_method",
            "key_people",
        }
    ledger = next(s for s in data["systems"] if s["system"] == "ledger")
    assert ledger["truck_factor"] == 1 and ledger["key_people"] == ["otherlead@example.com"]


def test_busfactor_what_if_team_and_on(org):
    Absence.objects.create(person=org["member"], starts_on=date(2026, 8, 12), ends_on=date(2026, 8, 12))
    data = json.loads(_busfactor("--json", "--what-if", "lead@example.com", "--team", "platform"))
    assert [s["system"] for s in data["systems"]] == ["api"]
    assert {s["skill"]: s["holders"] for s in data["skills"]} == {
        "deploy": ["member@example.com"],
        "dns": [],
        "rollback": ["member@example.com"],
    }
    api = data["systems"][0]
    assert (api["uncovered"], api["single_points"], api["truck_factor"]) == (1, 2, 1)
    on_day = json.loads(_busfactor("--json", "--team", "platform", "--on", "2026-08-12"))
    assert {s["skill"]: s["holders"] for s in on_day["skills"]}["deploy"] == ["lead@example.com"]
    two = json.loads(_busfactor("--json", "--what-if", "lead@example.com", "--what-if", "member@example.com"))
    assert next(s for s in two["systems"] if s["system"] == "api")["truck_factor"] == 0


def test_busfactor_errors_and_table(org):
    with pytest.raises(CommandError, match="ghost@example.com"):
        _busfactor("--json", "--what-if", "ghost@example.com")
    with pytest.raises(CommandError, match="No team"):
        _busfactor("--team", "nope")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _busfactor("--on", "tomorrow")
    table = _busfactor()
    assert "ledger" in table and "otherlead@example.com" in table and "2 systems, 4 skills" in table


def test_home_panel_warns_lead_of_gaps(org):
    today = timezone.localdate()
    assert home.panel(org["lead"]) is None
    Absence.objects.create(person=org["lead"], starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=5))
    panel = home.panel(org["lead"])
    assert panel["template"] == "reports/_home_panel.html"
    assert [(g["skill"].slug, g["first"], g["last"]) for g in panel["gaps"]] == [
        ("dns", today + timedelta(days=3), today + timedelta(days=5))
    ]
    assert home.panel(org["member"]) is None and home.panel(org["other_lead"]) is None
    # After four weeks it is out of the horizon.
    Absence.objects.all().update(starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=31))
    assert home.panel(org["lead"]) is None


def test_home_panel_fixed_queries(org, django_assert_max_num_queries):
    today = timezone.localdate()
    Absence.objects.create(person=org["lead"], starts_on=today, ends_on=today + timedelta(days=40))
    with django_assert_max_num_queries(7):  # absences, people, systems, skills, levels
        assert home.panel(org["lead"])


def test_demo_seed_is_idempotent_and_warns_dana(db):
    today = date.today()
    seed_demo(today=today)
    counts = (Absence.objects.count(), Snapshot.objects.count())
    assert counts[0] == 2 and counts[1] >= 91 * 3
    from ops_skills.reports import demo

    assert demo.seed(today=today) == {"absences": 0, "snapshots": 0}
    assert (Absence.objects.count(), Snapshot.objects.count()) == counts
    org = Snapshot.objects.filter(team=None).order_by("taken_on")
    assert org.first().single_points > org.last().single_points  # improving
    dana = Person.objects.get(email="dana@example.com")
    panel = home.panel(dana)
    assert panel and any("alice@example.com" in [p.email for p in g["away"]] for g in panel["gaps"])
