"""The demo organisation: believable, complete, and the same after a second run."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from ops_skills.levels import selectors
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System


@pytest.fixture(autouse=True)
def debug_on(settings):
    """``make run`` seeds with DEBUG=true; the command refuses otherwise (see below)."""
    settings.DEBUG = True


def test_with_debug_off_it_refuses_and_writes_nothing_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == [0, 0, 0, 0, 0, 0]
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Person.objects.filter(email="admin@example.com").exists()


def counts():
    return [m.objects.count() for m in (Team, Person, System, Skill, Assessment, EmailAddress)]


def test_seed_demo_builds_the_demo_organisation(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "priya@example.com / ops-skills-demo" in out.getvalue()

    assert Team.objects.count() == 2
    people = Person.objects.exclude(role=Person.Role.ADMIN)
    assert 8 <= people.count() <= 12
    for team in Team.objects.all():
        assert team.people.filter(role=Person.Role.LEAD).count() == 1
    assert Person.objects.filter(departed_on__isnull=False, is_active=False).count() == 1
    assert Person.objects.filter(title__icontains="new hire").exists()
    assert System.objects.count() >= 10
    assert Skill.objects.count() >= 60
    assert Assessment.objects.filter(source="self").exists()
    assert Assessment.objects.filter(source="lead").exists()
    # Everyone can log in at once: verified emails.
    assert not EmailAddress.objects.filter(verified=False).exists()

    coverage = [line for team in Team.objects.all() for line in selectors.team_coverage(team)]
    single_points = [line for line in coverage if line.bus_factor == 1]
    assert len(single_points) >= 3
    sole = {(line.skill.system.slug, line.skill.slug): line.holders[0].email for line in single_points}
    assert sole[("batch-jobs", "payment-batch-failover-to-the-secondary-region")] == "alice@example.com"


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "0 teams, 0 people, 0 systems, 0 skills, 0 assessments" in out.getvalue()


def test_seed_demo_dry_run_writes_nothing(db):
    call_command("seed_demo", "--dry-run", stdout=StringIO())
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_demo_lead_can_log_in(db, client):
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"login": "priya@example.com", "password": "ops-skills-demo"})
    assert response.status_code == 302
    assert client.get("/matrix/").status_code == 200
