from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.people import permissions
from ops_skills.people.http import BadInput, is_htmx, parse_id
from ops_skills.people.models import Notice, Person, Team
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors, services
from ops_skills.planner.forms import AcceptForm, CancelForm, InterestForm, PlanSettingsForm
from ops_skills.planner.models import Assignment, Interest
from ops_skills.skills.models import Skill, System

PAGE_SIZE = 50


def _get_team_for_planner(request, slug: str) -> Team:
    """The team whose plan or assignments the user asked for: leads of it and admins only.
    Without a slug, the user's own team (an admin's first team when they have none)."""
    user = request.user
    if not permissions.is_lead_or_admin(user):
        raise PermissionDenied("Only leads and admins plan transfers.")
    if not slug:
        team = user.team or Team.objects.order_by("name").first()
        if team is None:
            raise PermissionDenied("There is no team to plan for yet.")
    else:
        team = get_object_or_404(Team, slug=slug)
    if not permissions.can_plan(user, team):
        raise PermissionDenied("You can only plan for the team you lead.")
    return team


def _plan_context(request, team: Team, settings_form: PlanSettingsForm) -> dict:
    plan_settings = settings_form.plan_settings()
    page = selectors.plan_page(team=team, plan_settings=plan_settings, week=settings_form.planned_week())
    return {
        **page,
        "accept_form": AcceptForm(initial={"rows": len(page["rows"]), **AcceptForm().initial}),
        "team": team,
        "teams": Team.objects.order_by("name") if request.user.is_admin else [],
        "settings_form": settings_form,
        "plan_settings": plan_settings,
        "overrides": settings_form.query(),
        "tier_weights": planning.TIER_WEIGHTS,
    }


def _plan_focus(request) -> dict | None:
    """What "Fix this" on a risk asks the plan about: ``?skill=<id>`` or ``?system=<id>``, with
    its team (404 for an unknown one)."""
    if skill_id := parse_id(request.GET.get("skill")):
        skill = get_object_or_404(Skill.objects.select_related("system__team"), pk=skill_id)
        return {"title": f"{skill.system.name} · {skill.name}", "team": skill.system.team, "skill": skill.pk}
    if system_id := parse_id(request.GET.get("system")):
        system = get_object_or_404(System.objects.select_related("team"), pk=system_id)
        return {"title": system.name, "team": system.team, "system": system.pk}
    return None


@login_required
@require_safe
def plan_page(request):
    """The team's plan. "Fix this" on a risk opens it on one skill or system (``_plan_focus``), on
    its team, with only its proposals kept, and says why there is none when there is none."""
    focus = _plan_focus(request)
    team = _get_team_for_planner(request, request.GET.get("team", "") or (focus["team"].slug if focus else ""))
    settings_form = PlanSettingsForm(request.GET or None, defaults=selectors.default_settings())
    context = _plan_context(request, team, settings_form)
    if focus is not None:

        def fixes(skill) -> bool:
            return skill.id == focus.get("skill") or skill.system_id == focus.get("system")

        for row in context["rows"]:
            row["focus"] = fixes(row["skill"])
        context["focus"] = focus
        context["focus_rows"] = [row for row in context["rows"] if row["focus"]]
        context["focus_left"] = [line for line in context["left_out"] if fixes(line["skill"])]
        # Nothing in the plan for it (it meets its target, say, and the lead asks before someone
        # leaves): a transfer pre-filled with the best mentor and learner free.
        wanted = focus.get("skill") and not context["focus_rows"] and focus["team"].pk == team.pk
        if wanted and (row := _prefilled_row(team, focus["skill"], settings_form, index=len(context["rows"]))):
            context["rows"].append(row)
            context["focus_rows"] = [row]
            context["accept_form"] = AcceptForm(initial={"rows": len(context["rows"]), **AcceptForm().initial})
    return render(request, "planner/plan.html", context)


def _prefilled_row(team: Team, skill_id: int, settings_form: PlanSettingsForm, *, index: int) -> dict | None:
    """A plan row for ``skill_id`` outside the plan: the best mentor and learner with room left
    (``planning.choices``), the others to swap in; None when nobody can teach or learn it now.
    Accepting it is checked by the same rules as any row (``services.plan_accept``)."""
    data = selectors.plan_data(team=team, week=settings_form.planned_week())
    skill = next((s for s in data.input.skills if s.id == skill_id), None)
    if skill is None:
        return None
    mentors, learners = planning.choices(data.input, skill_id, settings_form.plan_settings())
    if not mentors or not learners:
        return None
    people = data.facts.people
    return {
        "index": index,
        "prefilled": True,
        "focus": True,
        "proposal": {"mentor_reasons": mentors[0].reasons, "learner_reasons": learners[0].reasons},
        "skill": skill,
        "mentor": people[mentors[0].person_id],
        "learner": people[learners[0].person_id],
        "mentor_choices": [(c, people[c.person_id]) for c in mentors],
        "learner_choices": [(c, people[c.person_id]) for c in learners],
    }


@login_required
@require_POST
def plan_accept(request):
    team = _get_team_for_planner(request, request.POST.get("team", ""))
    settings_form = PlanSettingsForm(request.POST, defaults=selectors.default_settings())
    form = AcceptForm(request.POST)
    back = reverse("planner:plan") + "?" + urlencode({"team": team.slug, **settings_form.query()})
    if not form.is_valid():
        for error in [*form.non_field_errors(), *form.errors.get("due_on", [])]:
            messages.error(request, error)
        return redirect(back)
    try:
        created = services.plan_accept(
            lead=request.user,
            team=team,
            rows=form.cleaned_data["kept"],
            due_on=form.cleaned_data["due_on"],
            plan_settings=settings_form.plan_settings(),
            week=settings_form.planned_week(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        f"{len(created)} assignment{'s' if len(created) != 1 else ''} accepted; "
        "the mentors and learners have been told.",
    )
    return redirect(reverse("planner:assignments") + "?" + urlencode({"team": team.slug}))


@login_required
@require_safe
def assignment_list(request):
    team = _get_team_for_planner(request, request.GET.get("team", ""))
    today = timezone.localdate()
    qs = selectors.team_assignments(team, today=today)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status=Assignment.Status.ACTIVE)
    elif status in Assignment.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.days_late = (today - a.due_on).days
    return render(
        request,
        "planner/assignments.html",
        {
            "team": team,
            "teams": Team.objects.order_by("name") if request.user.is_admin else [],
            "page": page,
            "status": status,
            "today": today,
            "overdue_count": Assignment.objects.for_team(team).overdue(today).count(),
        },
    )


def _get_assignment_for_user(request, pk) -> Assignment:
    """Admins see every assignment, leads their team's, members the ones they are in."""
    user = request.user
    qs = Assignment.objects.select_related("skill__system__team", "mentor", "learner")
    if not user.is_admin:
        visible = Q(mentor=user) | Q(learner=user)
        if user.is_lead and user.team_id:
            visible |= Q(skill__system__team_id=user.team_id)
        qs = qs.filter(visible)
    return get_object_or_404(qs, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_cancel(request, pk):
    assignment = _get_assignment_for_user(request, pk)
    if not permissions.can_plan(request.user, assignment.skill.system.team):
        raise PermissionDenied("Only a lead of the team, or an admin, cancels its assignments.")
    if not assignment.is_open:
        messages.info(request, "This assignment is no longer open.")
        return redirect(reverse("planner:assignments") + "?" + urlencode({"team": assignment.skill.system.team.slug}))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.assignment_cancel(by=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        messages.success(request, f"Cancelled: {assignment}.")
        return redirect(reverse("planner:assignments") + "?" + urlencode({"team": assignment.skill.system.team.slug}))
    return render(request, "planner/cancel.html", {"assignment": assignment, "form": form})


@login_required
@require_safe
def my_assignment_list(request):
    """My assignments as mentor and as learner: a page, or the home page's panel (htmx)."""
    today = timezone.localdate()
    person = request.user
    mine = selectors.my_assignments(person, today=today)
    plans = permissions.can_plan_somewhere(person)
    panel = {**mine, "today": today, "person": person, "plans": plans}
    if is_htmx(request):
        # An admin on no team has no assignments to show; their home shows the organisation's risk.
        if not (mine["as_mentor"] or mine["as_learner"] or mine["done"] or (plans and person.team_id)):
            return HttpResponse("")
        return render(request, "planner/_my_assignments.html", {"panel": panel})
    Notice.objects.filter(person=person, url=request.path, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "planner/mine.html", {"panel": panel})


def _interest_context(request, person: Person, skill: Skill) -> dict:
    marks = set(Interest.objects.filter(person=person, skill=skill).values_list("kind", flat=True))
    return {
        "person": person,
        "skill": skill,
        "wants_to_learn": Interest.Kind.LEARN in marks,
        "wants_to_hand_on": Interest.Kind.HAND_ON in marks,
        "can_mark": request.user.pk == person.pk,
    }


@login_required
@require_safe
def interest_cell(request, person_id, skill_id):
    """The interest part of the matrix cell panel (loaded by htmx when the panel opens)."""
    person = get_object_or_404(Person, pk=person_id)
    skill = get_object_or_404(Skill.objects.select_related("system"), pk=skill_id)
    return render(request, "planner/_interest.html", _interest_context(request, person, skill))


@login_required
@require_POST
def interest_toggle(request):
    """Mark or unmark one of your own wishes. Only ever the logged-in person's."""
    form = InterestForm(request.POST)
    if not form.is_valid():
        raise BadInput("Say which skill, which wish (learn or hand_on) and whether you want it (1 or 0).")
    skill = get_object_or_404(Skill.objects.select_related("system"), pk=form.cleaned_data["skill"])
    services.interest_set(
        person=request.user, skill=skill, kind=form.cleaned_data["kind"], wanted=form.cleaned_data["wanted"]
    )
    if is_htmx(request):
        if request.POST.get("panel") == "person":
            return _person_interests_response(request, request.user)
        return render(request, "planner/_interest.html", _interest_context(request, request.user, skill))
    messages.success(request, "Saved.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("people:person", args=[request.user.pk])
    return redirect(next_url)


def _person_interests_response(request, person: Person):
    interests = selectors.interests_of(person)
    own = request.user.pk == person.pk
    marked = {(i.skill_id, Interest.Kind.LEARN) for i in interests[Interest.Kind.LEARN]}
    choices = []
    if own and person.team_id:
        choices = [
            s
            for s in Skill.objects.filter(system__team_id=person.team_id).select_related("system")
            if (s.pk, Interest.Kind.LEARN) not in marked
        ]
    return render(
        request,
        "planner/_person_interests.html",
        {
            "person": person,
            "learn": interests[Interest.Kind.LEARN],
            "hand_on": interests[Interest.Kind.HAND_ON],
            "own": own,
            "skill_choices": choices,
        },
    )


@login_required
@require_safe
def person_interests(request, person_id):
    """A person's wishes on their page (loaded by htmx): theirs to edit, everyone else's to read."""
    person = get_object_or_404(Person, pk=person_id)
    return _person_interests_response(request, person)
