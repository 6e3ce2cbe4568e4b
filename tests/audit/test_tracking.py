"""Each tracked change leaves an audit entry naming who made it and from where: a web page, an
API token, the Django admin or a command with nobody behind it."""

import json
import sys
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ops_skills import flows
from ops_skills.api import services as api_services
from ops_skills.audit.models import AuditEntry
from ops_skills.evidence import lifecycle
from ops_skills.evidence.models import PairingSession
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment
from ops_skills.reports.models import Absence
from ops_skills.skills.models import Assessment
from tests.factories import make_person, make_session, make_skill, make_system


@pytest.fixture
def skill(team):
    return make_skill(make_system(team, slug="postgres-main", tier=1), slug="restore")


def entries_about(model):
    return list(AuditEntry.objects.get_for_model(model).order_by("id"))


def test_a_level_set_on_the_matrix_names_the_lead_and_the_page(client_for, lead, member, skill, team):
    url = reverse("skills:matrix-cell", args=[member.pk, skill.pk])
    response = client_for(lead).post(url, {"level": 3, "note": "saw her do it"})
    assert response.status_code == 302
    [entry] = entries_about(Assessment)
    assert entry.actor == lead and entry.actor_email == "lead@example.com"
    assert (entry.origin, entry.path) == ("web", url)
    assert entry.changes["level"] == ["None", "3"]
    assert entry.teams == f"|{team.pk}|" and entry.people == f"|{member.pk}|"
    assert entry.remote_addr == "127.0.0.1"


def test_the_stored_current_level_is_not_audited(client_for, lead, member, skill):
    client_for(lead).post(reverse("skills:matrix-cell", args=[member.pk, skill.pk]), {"level": 3})
    assert CurrentLevel.objects.exists()
    assert not entries_about(CurrentLevel)


def test_evidence_logged_with_an_api_token_names_the_token(client, member, new_hire, skill):
    token, key = api_services.token_create(person=member, name="deploy pipeline")
    data = {"mentor": member.email, "learners": [new_hire.email], "skills": ["postgres-main/restore"]}
    response = client.post(
        "/api/evidence/pairing-sessions/",
        json.dumps(data | {"duration_minutes": 30}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.content
    [entry] = entries_about(PairingSession)
    assert entry.actor == member
    assert (entry.origin, entry.path) == ("api", "/api/evidence/pairing-sessions/")
    assert entry.token_id == token.pk and entry.token_name == f"deploy pipeline ({token.prefix}…)"
    assert entry.changes["status"] == ["None", "pending"]


def test_confirming_on_the_api_logs_the_move_with_the_token(client, member, new_hire, lead, skill, team):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    token, key = api_services.token_create(person=new_hire, name="chat bot")
    response = client.post(
        f"/api/evidence/pairing-sessions/{session.pk}/confirm/",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    [entry] = [e for e in entries_about(PairingSession) if e.object_id == session.pk and e.action == 1]
    assert entry.changes == {"status": ["pending", "confirmed"], "decided_by": ["None", str(new_hire.pk)]}
    assert (entry.actor, entry.origin, entry.token_id) == (new_hire, "api", token.pk)
    assert entry.teams == f"|{team.pk}|"
    assert entry.people == f"|{member.pk}|{new_hire.pk}|"


def test_a_dispute_on_the_web_is_logged_with_its_reason(client_for, member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    url = reverse("evidence:dispute", args=["pairing", session.pk])
    client_for(new_hire).post(url, {"reason": "I was not there"})
    session.refresh_from_db()
    assert session.status == "disputed"
    entry = AuditEntry.objects.get_for_object(session).get(action=1)
    assert entry.changes["status"] == ["pending", "disputed"]
    assert entry.changes["dispute_reason"] == ["", "I was not there"]
    assert (entry.actor, entry.origin, entry.path) == (new_hire, "web", url)


def test_every_lifecycle_move_is_logged_from_and_to(member, new_hire, lead, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    lifecycle.move(session, to="disputed", by=new_hire, reason="wrong day")
    flows.evidence_confirm(evidence=session, person=lead)
    moves = [e.changes["status"] for e in AuditEntry.objects.get_for_object(session).filter(action=1).order_by("id")]
    assert moves == [["pending", "disputed"], ["disputed", "confirmed"]]


def test_a_refused_move_writes_no_entry(member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="confirmed", logged_by=member)
    with pytest.raises(lifecycle.Settled):
        lifecycle.move(session, to="disputed", by=new_hire, reason="no")
    assert not AuditEntry.objects.get_for_object(session).filter(action=1).exists()


def test_the_entry_is_written_in_the_same_transaction_as_the_change(member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.move(session, to="confirmed", by=new_hire)
        raise RuntimeError("the rest of the flow failed")
    assert not AuditEntry.objects.get_for_object(session).filter(action=1).exists()


def test_the_admin_moving_someone_to_another_team_is_seen_by_both_teams(
    client_for, admin_user, member, team, other_team
):
    url = reverse("admin:people_person_change", args=[member.pk])
    page = client_for(admin_user).get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}}
    data.update(team=other_team.pk, role="lead", date_joined_0="2024-01-01", date_joined_1="10:00:00")
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    data.pop("password", None)
    response = client_for(admin_user).post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get_for_object(member).get(action=1)
    assert entry.changes["team"] == [str(team.pk), str(other_team.pk)]
    assert entry.changes["role"] == ["member", "lead"]
    assert (entry.actor, entry.origin) == (admin_user, "admin")
    assert entry.teams == f"|{min(team.pk, other_team.pk)}|{max(team.pk, other_team.pk)}|"


def test_passwords_and_logins_are_never_in_the_trail(client, member):
    AuditEntry.objects.all().delete()
    member.set_password("a new long passphrase")
    member.save()
    client.force_login(member)
    member.last_login = timezone.now()
    member.save()
    assert not AuditEntry.objects.get_for_object(member).exists()


def test_a_command_with_nobody_behind_it_is_named(monkeypatch, team):
    monkeypatch.setattr(sys, "argv", ["manage.py", "import_matrix", "sheet.csv"])
    person = make_person(team, email="scripted@example.com")
    entry = AuditEntry.objects.get_for_object(person).get()
    assert entry.actor is None
    assert (entry.origin, entry.path) == ("command", "manage.py import_matrix")
    assert entry.changes["email"] == ["None", "scripted@example.com"]


def test_absences_assignments_and_teams_are_tracked(member, lead, skill, team):
    absence = Absence.objects.create(
        person=member, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 5), created_by=lead
    )
    assignment = Assignment.objects.create(
        skill=skill, mentor=lead, learner=member, due_on=timezone.localdate() + timedelta(days=30), level_at_start=0
    )
    assignment.status = Assignment.Status.CANCELLED
    assignment.save()
    team.name = "Platform Engineering"
    team.save()
    assert AuditEntry.objects.get_for_object(absence).get().teams == f"|{team.pk}|"
    changes = [e.changes for e in AuditEntry.objects.get_for_object(assignment).order_by("id")]
    assert changes[1] == {"status": ["active", "cancelled"]}
    assert (
        AuditEntry.objects.get_for_object(assignment).first().people
        == f"|{min(lead.pk, member.pk)}|{max(lead.pk, member.pk)}|"
    )
    assert AuditEntry.objects.get_for_object(team).get(action=1).changes == {
        "name": ["Platform", "Platform Engineering"]
    }


def test_a_person_created_without_a_request_has_no_actor(team):
    person = Person.objects.create_user("nobody@example.com", team=team)
    entry = AuditEntry.objects.get_for_object(person).get()
    assert entry.actor is None and entry.origin in {"system", "command"}
