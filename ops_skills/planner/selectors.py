"""Reads of the planner app, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Q, Value, When
from django.utils import timezone

from ops_skills.people.models import Person, Team
from ops_skills.planner import eligibility
from ops_skills.planner import plan as planning
from ops_skills.planner.eligibility import LeftOut, PersonStatus
from ops_skills.planner.models import Assignment, Interest
from ops_skills.reports.away import away_in
from ops_skills.reports.coverage import OrgFacts
from ops_skills.reports.selectors import absent_between, org_facts


def default_settings() -> planning.Settings:
    return planning.Settings(
        mentor_capacity=getattr(django_settings, "PLANNER_MENTOR_CAPACITY", planning.DEFAULT_MENTOR_CAPACITY),
        learner_capacity=getattr(django_settings, "PLANNER_LEARNER_CAPACITY", planning.DEFAULT_LEARNER_CAPACITY),
        targets=getattr(django_settings, "PLANNER_TARGETS", None),
    )


@dataclass(frozen=True)
class PlanData:
    facts: OrgFacts
    input: planning.PlanInput
    week: tuple[date, date]  # the week planned for: who is away is read for it
    left_out: dict[int, LeftOut]  # person -> why they are not a mentor or a learner (the safeguards)

    def person(self, pk: int):
        return self.facts.people.get(pk)


def week_of(day: date) -> tuple[date, date]:
    """The ISO week (Monday to Sunday) ``day`` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _statuses(today: date) -> dict[int, PersonStatus]:
    """What the safeguards need to know of each active person. One query. Whether their
    onboarding is finished is read through ``Person.onboarding``, the checklist's reverse
    relation, by name: the planner and onboarding apps are independent and import nothing of
    each other."""
    rows = (
        Person.objects.active(today)
        .annotate(usable=ExpressionWrapper(~Q(password__startswith="!") & ~Q(password=""), BooleanField()))
        .values_list(
            "pk", "team_id", "role", "is_superuser", "is_active", "usable", "last_login", "onboarding__id",
            "onboarding__finished_at",
        )
    )  # fmt: skip
    return {
        pk: PersonStatus(
            id=pk,
            team_id=team_id,
            is_admin=role == Person.Role.ADMIN or superuser,
            is_active=is_active,
            has_logged_in=bool(usable) or last_login is not None,
            in_onboarding=checklist is not None and finished_at is None,
        )
        for pk, team_id, role, superuser, is_active, usable, last_login, checklist, finished_at in rows
    }


def plan_data(
    *, team: Team | None = None, today: date | None = None, week: tuple[date, date] | None = None
) -> PlanData:
    """What the planner needs for ``team``'s skills (everyone's, when None), for ``week`` (the one
    ``today`` falls in by default). Queries: those of ``org_facts`` (people, systems, skills,
    levels), interests, open assignments, people's statuses, absences that week."""
    today = today or timezone.localdate()
    week = week or week_of(today)
    facts = org_facts(today=today, team=team)
    interests = Interest.objects.all()
    if team is not None:
        interests = interests.filter(skill__system__team=team)
    learn, hand_on = set(), set()
    for person_id, skill_id, kind in interests.values_list("person_id", "skill_id", "kind"):
        (learn if kind == Interest.Kind.LEARN else hand_on).add((person_id, skill_id))
    opens = tuple(
        planning.OpenAssignment(skill_id, mentor_id, learner_id)
        for skill_id, mentor_id, learner_id in Assignment.objects.open().values_list(
            "skill_id", "mentor_id", "learner_id"
        )
    )
    statuses = _statuses(today)
    away = away_in(absent_between(*week, people=None), *week)
    left_out = {
        pk: why
        for pk in facts.people
        if pk in statuses and (why := eligibility.left_out(statuses[pk], away.get(pk))) is not None
    }
    people = tuple(
        planning.PlanPerson(
            p.id,
            p.email,
            p.name,
            p.team_id,
            may_mentor=not (p.id in left_out and left_out[p.id].as_mentor),
            may_learn=not (p.id in left_out and left_out[p.id].as_learner),
        )
        for p in facts.people.values()
    )
    skills = tuple(
        planning.PlanSkill(
            s.id,
            s.system_id,
            facts.systems[s.system_id].slug,
            s.slug,
            s.name,
            facts.systems[s.system_id].tier,
            facts.systems[s.system_id].team_id,
            s.holders,
        )
        for s in facts.skills
    )
    return PlanData(
        facts,
        planning.PlanInput(people, skills, facts.levels, frozenset(learn), frozenset(hand_on), opens),
        week,
        left_out,
    )


def plan_page(*, team: Team, plan_settings: planning.Settings, week: tuple[date, date] | None = None) -> dict:
    """Everything the plan page shows: the plan, its rows with the people a lead may swap in,
    the skills still short after it, who was left out and why, and what people asked for. The
    queries of ``plan_data``."""
    data = plan_data(team=team, week=week)
    result = planning.plan_transfers(data.input, plan_settings)
    skills = {s.id: s for s in data.input.skills}
    people = data.facts.people
    rows = []
    for i, proposal in enumerate(result.assignments):
        mentors, learners = planning.choices(data.input, proposal.skill_id, plan_settings)
        # The proposed people head their lists, so that a select left alone keeps them.
        mentors = [planning.Choice(proposal.mentor_id, proposal.mentor_reasons)] + [
            c for c in mentors if c.person_id != proposal.mentor_id
        ]
        learners = [planning.Choice(proposal.learner_id, proposal.learner_reasons)] + [
            c for c in learners if c.person_id != proposal.learner_id
        ]
        rows.append(
            {
                "index": i,
                "proposal": proposal,
                "skill": skills[proposal.skill_id],
                "mentor": people[proposal.mentor_id],
                "learner": people[proposal.learner_id],
                "mentor_choices": [(c, people[c.person_id]) for c in mentors],
                "learner_choices": [(c, people[c.person_id]) for c in learners],
            }
        )
    planned = {}
    for proposal in result.assignments:
        planned[proposal.skill_id] = planned.get(proposal.skill_id, 0) + 1
    open_on = {}
    for a in data.input.open_assignments:
        open_on[a.skill_id] = open_on.get(a.skill_id, 0) + 1
    left_out = [
        {"skill": s, "deficit": result.deficits[s.id], "bus_factor": len(s.holders), "open": open_on.get(s.id, 0)}
        for s in data.input.skills
        if result.deficits[s.id] > open_on.get(s.id, 0) + planned.get(s.id, 0)
    ]
    wishes = sorted(
        (
            {"kind": kind, "person": people[pk], "skill": skills[sk]}
            for kind, pairs in (("learn", data.input.wants_to_learn), ("hand_on", data.input.wants_to_hand_on))
            for pk, sk in pairs
            if pk in people and sk in skills
        ),
        key=lambda w: (w["kind"], w["skill"].system_slug, w["skill"].slug, w["person"].email),
    )
    # Who the safeguards left out, among the people this plan could have used: the team's, its
    # skills' covers from elsewhere, and those on no team.
    holders = {pk for s in data.input.skills for pk in s.holders}
    people_left_out = sorted(
        (
            {"person": people[pk], "why": why}
            for pk, why in data.left_out.items()
            if people[pk].team_id in (team.pk, None) or pk in holders
        ),
        key=lambda r: (r["person"].name.lower() or r["person"].email, r["person"].email),
    )
    return {
        "plan": result,
        "rows": rows,
        "left_out": left_out,
        "people_left_out": people_left_out,
        "week": data.week,
        "wishes": wishes,
        "systems": data.facts.systems,
    }


def _with_related(qs):
    return qs.select_related(
        "skill__system__team", "mentor", "learner", "completed_by_session", "completed_by_execution"
    )


def team_assignments(team: Team | None, *, today: date | None = None):
    """A team's assignments (everyone's when None): overdue first, then active by due date, then
    done and cancelled, latest first. One query (a queryset, to paginate)."""
    today = today or timezone.localdate()
    qs = Assignment.objects.all() if team is None else Assignment.objects.for_team(team)
    return (
        _with_related(qs)
        .annotate(
            rank=Case(
                When(status=Assignment.Status.ACTIVE, due_on__lt=today, then=Value(0)),
                When(status=Assignment.Status.ACTIVE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "due_on", "-completed_at", "-cancelled_at", "id")
    )


def my_assignments(person: Person, *, today: date | None = None, recent_done: int = 5, done_days: int = 60) -> dict:
    """Open assignments of ``person`` as mentor and as learner (overdue first), and the few they
    finished in the last ``done_days`` days. One query."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=done_days)
    rows = list(
        team_assignments(None, today=today)
        .involving(person)
        .filter(Q(status=Assignment.Status.ACTIVE) | Q(status=Assignment.Status.DONE, completed_at__gte=since))
    )
    open_ = [a for a in rows if a.is_open]
    done = sorted((a for a in rows if not a.is_open), key=lambda a: (a.completed_at, a.pk), reverse=True)
    return {
        "as_mentor": [a for a in open_ if a.mentor_id == person.pk],
        "as_learner": [a for a in open_ if a.learner_id == person.pk],
        "done": done[:recent_done],
        "overdue": sum(1 for a in open_ if a.due_on < today),
    }


def interests_of(person: Person) -> dict[str, list[Interest]]:
    """A person's interests by kind, with their skills and systems. One query."""
    result: dict[str, list[Interest]] = {kind: [] for kind in Interest.Kind.values}
    for interest in Interest.objects.filter(person=person).select_related("skill__system"):
        result[interest.kind].append(interest)
    return result
