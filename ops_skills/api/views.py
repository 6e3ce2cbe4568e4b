"""The JSON API: log evidence, confirm or dispute it, read levels and the bus-factor report.

Each endpoint is ``view(request, person, ...)``; ``http.endpoint`` authenticates, checks the
method, runs writes in one transaction and turns errors into JSON (see ``http.py``).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ops_skills import flows
from ops_skills.api.http import ApiError, endpoint
from ops_skills.api.inputs import MAX_EMAIL, MAX_NOTES, MAX_SKILL_NAME, Payload
from ops_skills.evidence import lifecycle
from ops_skills.evidence import services as evidence_services
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.levels.selectors import stored_levels
from ops_skills.people.models import Person, Team
from ops_skills.reports import selectors as report_selectors
from ops_skills.reports.summary import summarise, summary_json
from ops_skills.skills.models import Skill

KINDS = {"pairing-sessions": PairingSession, "executions": RunbookExecution}
KIND_OF = {model: kind for kind, model in KINDS.items()}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _team_json(team: Team | None) -> dict | None:
    return {"slug": team.slug, "name": team.name} if team is not None else None


def _evidence_json(request, evidence) -> dict:
    return {
        "kind": KIND_OF[type(evidence)],
        "id": evidence.pk,
        "url": request.build_absolute_uri(evidence.get_absolute_url()),
        "status": evidence.status,
        "occurred_at": _iso(evidence.occurred_at),
    }


# Who am I ---------------------------------------------------------------------------------


@endpoint("GET")
def me(request, person):
    token = request.api_token
    return JsonResponse(
        {
            "id": person.pk,
            "email": person.email,
            "name": person.name,
            "role": person.role,
            "team": _team_json(person.team),
            "started_on": _iso(person.started_on),
            "auth": {"method": "token", "token": token.name, "prefix": token.prefix}
            if token
            else {"method": "session"},
        }
    )


# Logging evidence -------------------------------------------------------------------------

SESSION_FIELDS = {"mentor", "learners", "skills", "duration_minutes", "occurred_at", "notes"}
EXECUTION_FIELDS = {"runbook", "performer", "environment", "outcome", "participants", "occurred_at", "notes", "link"}


@endpoint("POST", write=True)
def pairing_session_create(request, person):
    payload = Payload(request, fields=SESSION_FIELDS)
    mentor_email = payload.string("mentor", required=True, max_length=MAX_EMAIL)
    learner_emails = payload.strings("learners", required=True, max_length=MAX_EMAIL)
    skill_names = payload.strings("skills", required=True, max_length=MAX_SKILL_NAME)
    duration = payload.integer("duration_minutes", min_value=5, max_value=24 * 60)
    occurred_at = payload.moment("occurred_at")
    notes = payload.string("notes", max_length=MAX_NOTES)
    people = payload.people({"mentor": [mentor_email] if mentor_email else [], "learners": learner_emails})
    skills = payload.skills("skills", skill_names)
    mentor = people["mentor"][0] if people["mentor"] else None
    if mentor is not None and any(p.pk == mentor.pk for p in people["learners"]):
        payload.error("learners", "The mentor cannot also be a learner.")
    payload.check()
    session = evidence_services.pairing_session_log(
        author=person,
        mentor=mentor,
        learners=people["learners"],
        skills=skills,
        duration_minutes=duration,
        occurred_at=occurred_at,
        notes=notes,
    )
    body = _evidence_json(request, session) | {
        "mentor": mentor.email,
        "learners": [p.email for p in people["learners"]],
        "skills": [s.column for s in skills],
        "duration_minutes": session.duration_minutes,
        "notes": session.notes,
        "logged_by": person.email,
    }
    return JsonResponse(body, status=201, headers={"Location": body["url"]})


@endpoint("POST", write=True)
def execution_create(request, person):
    payload = Payload(request, fields=EXECUTION_FIELDS)
    runbook_id = payload.integer("runbook", min_value=1, max_value=2**63 - 1)
    performer_email = payload.string("performer", required=True, max_length=MAX_EMAIL)
    participant_emails = payload.strings("participants", required=False, max_length=MAX_EMAIL)
    environment = payload.choice("environment", RunbookExecution.Environment)
    outcome = payload.choice("outcome", RunbookExecution.Outcome)
    occurred_at = payload.moment("occurred_at")
    notes = payload.string("notes", max_length=MAX_NOTES)
    link = payload.url("link")
    runbook = Runbook.objects.filter(pk=runbook_id).first() if runbook_id else None
    if runbook_id and runbook is None:
        payload.error("runbook", f"No runbook with id {runbook_id}.")
    people = payload.people(
        {"performer": [performer_email] if performer_email else [], "participants": participant_emails}
    )
    payload.check()
    performer = people["performer"][0]
    execution = evidence_services.execution_log(
        author=person,
        runbook=runbook,
        performer=performer,
        participants=people["participants"],
        environment=environment,
        outcome=outcome,
        occurred_at=occurred_at,
        notes=notes,
        link=link,
    )
    participants = [p.email for p in people["participants"] if p.pk != performer.pk]
    body = _evidence_json(request, execution) | {
        "runbook": {"id": runbook.pk, "title": runbook.title},
        "performer": performer.email,
        "participants": participants,
        "environment": environment,
        "outcome": outcome,
        "link": link,
        "notes": notes,
        "logged_by": person.email,
        "warnings": ["Production work should be done by two people; this execution is flagged for your lead."]
        if environment == RunbookExecution.Environment.PRODUCTION and not participants
        else [],
    }
    return JsonResponse(body, status=201, headers={"Location": body["url"]})


# Confirming and disputing -----------------------------------------------------------------


def _get_evidence(kind: str, pk: int):
    """Any logged-in person may read any evidence on the web, so an existing id is never a
    404; deciding on it is the life cycle's rule: 403 when not permitted, 409 when settled."""
    model = KINDS.get(kind)
    if model is None:
        raise ApiError(404, f"Unknown kind of evidence; use {' or '.join(KINDS)}.")
    return get_object_or_404(model, pk=pk)


def _decide(decision) -> None:
    try:
        decision()
    except lifecycle.Settled as error:
        raise ApiError(409, " ".join(error.messages)) from None


def _decision_json(request, evidence) -> dict:
    return _evidence_json(request, evidence) | {
        "decided_by": evidence.decided_by.email,
        "decided_at": _iso(evidence.decided_at),
        "dispute_reason": evidence.dispute_reason,
    }


@endpoint("POST", write=True)
def evidence_confirm(request, person, kind, pk):
    evidence = _get_evidence(kind, pk)
    if request.body:
        Payload(request, fields=set()).check()  # an empty object at most: catches a misplaced "reason"
    _decide(lambda: flows.evidence_confirm(evidence=evidence, person=person))
    return JsonResponse(_decision_json(request, evidence))


@endpoint("POST", write=True)
def evidence_dispute(request, person, kind, pk):
    evidence = _get_evidence(kind, pk)
    payload = Payload(request, fields={"reason"})
    reason = payload.string("reason", required=True, max_length=lifecycle.MAX_REASON)
    payload.check()
    _decide(lambda: flows.evidence_dispute(evidence=evidence, person=person, reason=reason))
    return JsonResponse(_decision_json(request, evidence))


# Reading ----------------------------------------------------------------------------------


def _team_from_query(request, person) -> Team:
    slug = request.GET.get("team", "").strip()
    if not slug:
        if person.team is None:
            raise ApiError(400, "Name a team: ?team=<slug>.", fields={"team": "This parameter is required."})
        return person.team
    return get_object_or_404(Team, slug=slug)


@endpoint("GET")
def levels(request, person):
    """The current level of the team's active people in the skills of the team's systems (the
    skill matrix of the team), with what gave each level. Like the matrix page, anyone logged
    in may read any team."""
    team = _team_from_query(request, person)
    today = timezone.localdate()
    people = list(Person.objects.active(today).filter(team=team).order_by("name", "email"))
    skills = list(Skill.objects.for_team(team).select_related("system").order_by("system__name", "name"))
    found = stored_levels([p.pk for p in people], [s.pk for s in skills])
    rows = []
    for p in people:
        lines = []
        for skill in skills:
            level = found.get((p.pk, skill.pk))
            if level is None:
                continue
            last = level.practised_at
            lines.append(
                {
                    "skill": skill.column,
                    "level": level.level,
                    "label": level.label,
                    "basis": level.basis,
                    "explanation": level.explain(),
                    "covers": level.covers,
                    "fresh": level.is_fresh(today),
                    "last_practised": _iso(last),
                }
            )
        rows.append({"email": p.email, "name": p.name, "role": p.role, "levels": lines})
    return JsonResponse(
        {
            "team": _team_json(team),
            "skills": [
                {
                    "skill": s.column,
                    "system": s.system.slug,
                    "name": s.name,
                    "tier": s.system.tier,
                    "freshness_days": s.freshness_days,
                }
                for s in skills
            ],
            "people": rows,
        }
    )


def _report_team(request, person, *, what_if: bool) -> Team | None:
    """Which team's report: ``reports.selectors.report_team``, as on the web. Without ``team``,
    the person's own team (the organisation for an admin on no team); ``team=`` (empty) for the
    whole organisation (a member gets their own team's)."""
    slug = request.GET["team"].strip() if "team" in request.GET else None
    try:
        return report_selectors.report_team(person, slug, teams=list(Team.objects.all()), what_if=what_if)
    except LookupError:
        raise ApiError(404, f"There is no team “{slug}”.") from None


def _what_if_people(request) -> list[Person]:
    emails = list(dict.fromkeys(e.strip().lower() for e in request.GET.getlist("what_if") if e.strip()))
    if not emails:
        return []
    found = {p.email: p for p in Person.objects.filter(email__in=emails)}
    missing = [e for e in emails if e not in found]
    if missing:
        raise ApiError(
            400, "Unknown person in what_if.", fields={"what_if": f"No person with the email {', '.join(missing)}."}
        )
    return [found[e] for e in emails]


@endpoint("GET")
def busfactor(request, person):
    """The bus-factor report exactly as ``manage.py busfactor --json`` prints it (DESIGN.md), for
    one team, optionally as if the ``what_if`` people had left (``?what_if=a@x&what_if=b@x``)."""
    team = _report_team(request, person, what_if=any(e.strip() for e in request.GET.getlist("what_if")))
    leaving = _what_if_people(request)
    facts = report_selectors.org_facts(team=team, levels=False)
    return JsonResponse(summary_json(summarise(facts, without=[p.pk for p in leaving])))
