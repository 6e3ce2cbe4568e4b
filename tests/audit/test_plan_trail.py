"""Assignments accepted in bulk and moved by conditional UPDATEs (cancelled, done) are logged by
``planner.audit``, one INSERT for the lot."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ops_skills.audit.models import AuditEntry
from ops_skills.people.models import Person
from ops_skills.planner import audit as plan_audit
from ops_skills.planner.models import Assignment
from ops_skills.skills.models import Skill
from tests.factories import make_person, make_skill, make_system


def test_accepted_assignments_are_logged_in_one_insert(team, other_team, lead, member, django_assert_max_num_queries):
    skills = [make_skill(make_system(team, slug=f"s{i}"), slug="deploy") for i in range(5)]
    learners = [make_person(other_team if i % 2 else team, email=f"l{i}@example.com") for i in range(5)]
    created = Assignment.objects.bulk_create(
        Assignment(skill=s, mentor=lead, learner=p, due_on=timezone.localdate() + timedelta(days=9), level_at_start=0)
        for s, p in zip(skills, learners, strict=True)
    )
    people = Person.objects.in_bulk([lead.pk, *(p.pk for p in learners)])
    by_id = Skill.objects.select_related("system").in_bulk([s.pk for s in skills])
    ContentType.objects.get_for_model(Assignment)  # cached, as in a running server
    with django_assert_max_num_queries(1):  # the entries
        plan_audit.record_accepted(created, team_id=team.pk, people=people, skills=by_id)
    entries = AuditEntry.objects.get_for_model(Assignment).order_by("id")
    assert len(entries) == 5
    assert entries[0].changes["status"] == ["None", "active"]
    assert entries[1].teams == f"|{team.pk}|{other_team.pk}|"  # the learner of another team's lead sees it too
    assert all(e.action == 0 for e in entries)


def test_a_cancelled_or_done_assignment_is_logged_from_active(team, lead, member, client_for):
    skill = make_skill(make_system(team, slug="db"), slug="restore")
    a = Assignment.objects.create(
        skill=skill, mentor=lead, learner=member, due_on=timezone.localdate() + timedelta(days=9), level_at_start=0
    )
    a = Assignment.objects.select_related("skill__system", "mentor", "learner").get(pk=a.pk)
    Assignment.objects.filter(pk=a.pk).update(status="cancelled", cancelled_by=lead, cancel_reason="left")
    a.status, a.cancelled_by, a.cancel_reason = "cancelled", lead, "left"
    plan_audit.record_moved([a])
    entry = AuditEntry.objects.get_for_object(a).get(action=1)
    assert entry.changes == {
        "status": ["active", "cancelled"],
        "cancelled_by": ["None", str(lead.pk)],
        "cancel_reason": ["None", "left"],
    }
    assert entry.teams == f"|{team.pk}|"
    rows = client_for(lead).get("/audit/", {"kind": "plan"}).context["rows"]
    assert [c.new for c in rows[0][1]] == ["Cancelled", "Lena Lead", "left"]
