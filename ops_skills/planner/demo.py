"""Demo data for the planner app, added by ``manage.py seed_demo`` after people, systems,
skills, assessments and evidence exist: a few wishes, and on Payments Ops one accepted assignment
that is running and one that is overdue. Idempotent: a second run creates nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors
from ops_skills.planner.models import Assignment, Interest
from ops_skills.skills.models import Skill

# email, system slug, skill slug, kind
INTERESTS = [
    ("bob@example.com", "batch-jobs", "payment-batch-failover-to-the-secondary-region", Interest.Kind.LEARN),
    ("alice@example.com", "batch-jobs", "payment-batch-failover-to-the-secondary-region", Interest.Kind.HAND_ON),
    ("chen@example.com", "batch-jobs", "re-run-a-failed-settlement", Interest.Kind.LEARN),
    ("ravi@example.com", "postgres-main", "point-in-time-recovery", Interest.Kind.LEARN),
    ("marco@example.com", "secrets-vault", "unseal-vault", Interest.Kind.HAND_ON),
]
TEAM = "payments"
LEAD = "dana@example.com"
BUSIEST = "alice@example.com"  # the demo keeps her free, so the plan can use her for the failover


@transaction.atomic
def seed(*, today: date) -> dict[str, int]:
    """Create this app's demo rows; return counts of what was created."""
    counts = {"interests": 0, "assignments": 0}
    people = Person.objects.in_bulk([row[0] for row in INTERESTS] + [LEAD], field_name="email")
    for email, system, slug, kind in INTERESTS:
        skill = Skill.objects.filter(system__slug=system, slug=slug).first()
        if skill is None or email not in people:
            continue
        counts["interests"] += Interest.objects.get_or_create(person=people[email], skill=skill, kind=kind)[1]

    team = Team.objects.filter(slug=TEAM).first()
    lead = people.get(LEAD)
    if team is None or lead is None or Assignment.objects.for_team(team).exists():
        return counts
    # Two proposals of the team's own plan, taken as if the lead had accepted them earlier: one
    # still running, one past its due date. Their learners already count the evidence so far.
    data = selectors.plan_data(team=team, today=today)
    proposals = [
        a
        for a in planning.plan_transfers(data.input).assignments
        if data.person(a.mentor_id).email != BUSIEST and data.person(a.learner_id).email != BUSIEST
    ][:2]
    for proposal, accepted_days, due_days in zip(proposals, (40, 6), (-10, 24), strict=False):
        row = planning.Row(proposal.skill_id, proposal.mentor_id, proposal.learner_id)
        Assignment.objects.create(
            skill_id=row.skill_id,
            mentor_id=row.mentor_id,
            learner_id=row.learner_id,
            due_on=today + timedelta(days=due_days),
            level_at_start=data.input.levels.get((row.learner_id, row.skill_id), 0),
            why=planning.explain(data.input, row)[:300],
            accepted_by=lead,
            accepted_at=timezone.make_aware(datetime.combine(today - timedelta(days=accepted_days), time(10, 0))),
        )
        counts["assignments"] += 1
    return counts
