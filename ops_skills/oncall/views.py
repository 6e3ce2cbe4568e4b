from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.oncall import readiness, selectors, services, tasks
from ops_skills.oncall.forms import CriticalSkillsForm, ScheduleForm
from ops_skills.oncall.models import Schedule, Shift
from ops_skills.people import permissions
from ops_skills.people.http import parse_id
from ops_skills.people.models import Team
from ops_skills.planner import plan as planning
from ops_skills.planner import services as planner_services
from ops_skills.skills.models import Skill

MAX_WEEKS = 12


def _get_team_for_user(request, slug: str, *, manage: bool = False) -> Team:
    """The team whose rota the user asked for: 404 for an unknown one, 403 for one whose rota
    they may not read (or change, with ``manage``)."""
    team = get_object_or_404(Team, slug=slug)
    if not permissions.can_read_oncall(request.user, team.pk) and not permissions.can_manage_oncall(
        request.user, team.pk
    ):
        raise PermissionDenied("Only the team's own people see its on-call rota.")
    if manage and not permissions.can_manage_oncall(request.user, team.pk):
        raise PermissionDenied("Only the team's leads change its on-call schedules.")
    return team


def _get_schedule_for_user(request, slug: str, pk: int) -> tuple[Team, Schedule]:
    team = _get_team_for_user(request, slug, manage=True)
    return team, get_object_or_404(Schedule, pk=pk, team=team)


@login_required
@require_safe
def oncall_index(request):
    """The user's own team's rota (an admin's first team when they have none)."""
    team = request.user.team
    if team is None and request.user.is_admin:
        team = Team.objects.order_by("name").first()
    if team is None:
        raise Http404("You are on no team, so there is no rota to show.")
    return redirect("oncall:rota", team.slug)


def _weeks(request) -> int:
    weeks = parse_id(request.GET.get("weeks")) or settings.ONCALL_WEEKS
    return min(weeks, MAX_WEEKS)


@login_required
@require_safe
def rota(request, slug):
    team = _get_team_for_user(request, slug)
    weeks = _weeks(request)
    now = timezone.now()
    rows = selectors.upcoming(teams=[team], weeks=weeks, now=now)
    # A week view: each shift under the Monday of the week it starts in (a shift under way, under
    # this week's).
    today = timezone.localdate(now)
    this_monday = today - timedelta(days=today.weekday())
    by_week = defaultdict(list)
    for row in rows:
        day = timezone.localtime(row.start).date()
        by_week[max(this_monday, day - timedelta(days=day.weekday()))].append(row)
    counts = {status: sum(1 for r in rows if r.status == status) for status in readiness.SEVERITY}
    schedules = team.oncall_schedules.order_by("name").prefetch_related("systems")
    return render(
        request,
        "oncall/rota.html",
        {
            "team": team,
            "weeks": weeks,
            "week_choices": [1, 2, 4, 8, 12],
            "by_week": sorted(by_week.items()),
            "counts": [(status, readiness.LABELS[status], counts[status]) for status in readiness.SEVERITY],
            "schedules": schedules,
            "can_manage": permissions.can_manage_oncall(request.user, team.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create(request, slug):
    team = _get_team_for_user(request, slug, manage=True)
    form = ScheduleForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        schedule = form.save()
        tasks.fetch_schedule.enqueue(schedule.pk)
        messages.success(request, f"Schedule “{schedule.name}” added; its feed is being fetched.")
        return redirect("oncall:rota", team.slug)
    return render(request, "oncall/schedule_form.html", {"team": team, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, slug, pk):
    team, schedule = _get_schedule_for_user(request, slug, pk)
    form = ScheduleForm(request.POST or None, instance=schedule, team=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        tasks.fetch_schedule.enqueue(schedule.pk)
        messages.success(request, f"Schedule “{schedule.name}” saved; its feed is being fetched again.")
        return redirect("oncall:rota", team.slug)
    return render(request, "oncall/schedule_form.html", {"team": team, "form": form, "schedule": schedule})


@login_required
@require_http_methods(["GET", "POST"])
def critical_skills(request, slug):
    """The team's skills, each critical for on-call or not (what readiness checks the person on
    call for), for a lead to change."""
    team = _get_team_for_user(request, slug, manage=True)
    skills = Skill.objects.for_team(team).select_related("system").order_by("system__name", "name", "pk")
    form = CriticalSkillsForm(request.POST or None, skills=skills)
    if request.method == "POST" and form.is_valid():
        changed = services.critical_skills_set(skills=form.skills, critical=form.critical())
        messages.success(request, f"{changed} skill{pluralize(changed)} changed: the readiness below counts them.")
        return redirect("oncall:rota", team.slug)
    return render(request, "oncall/critical.html", {"team": team, "form": form})


@login_required
@require_POST
def schedule_delete(request, slug, pk):
    team, schedule = _get_schedule_for_user(request, slug, pk)
    schedule.delete()
    messages.success(request, f"Schedule “{schedule.name}” deleted, with its shifts.")
    return redirect("oncall:rota", team.slug)


@login_required
@require_POST
def schedule_fetch(request, slug, pk):
    team, schedule = _get_schedule_for_user(request, slug, pk)
    tasks.fetch_schedule.enqueue(schedule.pk)
    messages.success(request, f"“{schedule.name}” is being fetched: reload in a minute to see it.")
    return redirect("oncall:rota", team.slug)


@login_required
@require_safe
def home_panel(request):
    """The lead's home warning (loaded by htmx): their team's shifts at risk in the weeks ahead.
    Empty when there is none, or for anyone who does not manage the team's rota."""
    team = request.user.team
    if team is None or not permissions.can_manage_oncall(request.user, team.pk):
        return HttpResponse("")
    at_risk = [
        row for row in selectors.upcoming(teams=[team], weeks=settings.ONCALL_WEEKS) if row.status == readiness.AT_RISK
    ]
    if not at_risk:
        return HttpResponse("")
    return render(
        request, "oncall/_home_warning.html", {"team": team, "at_risk": at_risk, "weeks": settings.ONCALL_WEEKS}
    )


@login_required
@require_POST
def shadow_accept(request, slug):
    """A lead accepts the shadow pairing the rota proposes for a gap: the backup teaches the
    person on call the skill by the day before the shift, a transfer assignment checked by the
    planner's rules (mentor covers it, learner does not, capacities)."""
    team = _get_team_for_user(request, slug, manage=True)
    shift = get_object_or_404(Shift, pk=parse_id(request.POST.get("shift")), schedule__team=team, person__isnull=False)
    skill = get_object_or_404(Skill, pk=parse_id(request.POST.get("skill")), system__oncall_schedules=shift.schedule_id)
    mentor_id = parse_id(request.POST.get("mentor"))
    if mentor_id is None:
        messages.error(request, "Choose who teaches it.")
        return redirect("oncall:rota", team.slug)
    today = timezone.localdate()
    due_on = max(today, timezone.localtime(shift.start).date() - timedelta(days=1))
    row = planning.Row(skill_id=skill.pk, mentor_id=mentor_id, learner_id=shift.person_id)
    try:
        planner_services.plan_accept(lead=request.user, team=team, rows=[row], due_on=due_on)
    except ValidationError as e:
        messages.error(request, "Not planned: " + " ".join(e.messages))
    else:
        messages.success(request, f"Shadowing on {skill.name} planned, due {due_on:%-d %b}.")
    return redirect("oncall:rota", team.slug)
