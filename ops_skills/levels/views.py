import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_safe

from ops_skills.levels import matrix_csv, rules, selectors, services
from ops_skills.levels.forms import LevelForm, MatrixFilterForm, self_cap_note
from ops_skills.people import permissions
from ops_skills.people.http import is_htmx
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Assessment, Skill, System
from ops_skills.skills.templatetags.skills_tags import level_css, matrix_cell_name, matrix_column_name

PAGE_SIZE = 50
MATRIX_PEOPLE_PER_PAGE = 100
MATRIX_MAX_SKILLS = 600


@login_required
@require_safe
def system_detail(request, slug):
    system = get_object_or_404(System.objects.select_related("team"), slug=slug)
    # One query for the runbooks, whatever their number; overdue is decided per runbook.
    runbooks = system.runbooks.select_related("owner").defer("body").order_by("title", "pk")
    return render(
        request,
        "skills/system_detail.html",
        {"system": system, "runbooks": runbooks, **selectors.system_holders(system)},
    )


@login_required
@require_safe
def skill_detail(request, slug, skill_slug):
    skill = get_object_or_404(Skill.objects.select_related("system__team"), system__slug=slug, slug=skill_slug)
    context = selectors.system_holders(skill.system, skills=[skill])
    return render(
        request,
        "skills/skill_detail.html",
        {
            "skill": skill,
            "line": context["skill_lines"][0],
            "recent_evidence": context["recent_evidence"],
            "runbooks": skill.runbooks.defer("body").order_by("title", "pk"),
        },
    )


@login_required
@require_safe
def matrix(request):
    form = MatrixFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    team_slug = data.get("team") if "team" in request.GET else (request.user.team.slug if request.user.team else "")
    teams = list(Team.objects.all())
    team = next((t for t in teams if t.slug == team_slug), None)
    systems = System.objects.all()
    if team is not None:
        systems = systems.filter(team=team)
    system = next((s for s in systems if s.slug == data.get("system")), None) if data.get("system") else None

    people = Person.objects.active()
    skills = Skill.objects.filter(system__in=systems)
    if team is not None:
        people = people.filter(team=team)
    if system is not None:
        skills = skills.filter(system=system)
    if data.get("q"):
        people = people.filter(Q(name__icontains=data["q"]) | Q(email__icontains=data["q"]))
    page = Paginator(people.order_by("name", "email").values_list("pk", flat=True), MATRIX_PEOPLE_PER_PAGE).get_page(
        data.get("page")
    )
    skill_count = skills.count()
    too_wide = skill_count > MATRIX_MAX_SKILLS
    if too_wide:
        skills = skills.filter(pk__in=skills.order_by("system__name", "name").values("pk")[:MATRIX_MAX_SKILLS])
    grid = selectors.skill_matrix(Person.objects.filter(pk__in=list(page.object_list)), skills)
    return render(
        request,
        "skills/matrix.html",
        {
            "grid": grid,
            "column_names": [escape(matrix_column_name(column.skill)) for column in grid.columns],
            "page": page,
            "teams": teams,
            "systems": list(systems),
            "team": team,
            "system": system,
            "q": data.get("q") or "",
            "too_wide": too_wide,
            "skill_count": skill_count,
            "max_skills": MATRIX_MAX_SKILLS,
            "levels": rules.LEVEL_LABELS.items(),
        },
    )


@login_required
def matrix_cell(request, person_id, skill_id):
    """One cell of the matrix: its history, and the form to set a level (htmx panel or full page)."""
    person = get_object_or_404(Person.objects.select_related("team"), pk=person_id)
    skill = get_object_or_404(Skill.objects.select_related("system"), pk=skill_id)
    can_lead = request.user.pk != person.pk and permissions.can_manage(request.user, person)
    can_self = request.user.pk == person.pk
    form = LevelForm(request.POST or None, self_assessment=can_self)
    saved, claimed = False, None
    if request.method == "POST":
        if not (can_lead or can_self):
            raise PermissionDenied("You can only set your own level, or levels of people on a team you lead.")
        if form.is_valid():
            services.assessment_record(
                author=request.user,
                person=person,
                skill=skill,
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
            )
            saved = True
            # Someone who said 3 or 4 of themselves is told why their level shows 2.
            claimed = form.cleaned_data["level"] if can_self else None
            if not is_htmx(request):
                note = (
                    self_cap_note(claimed=claimed, current=selectors.level_of(person, skill).level) if can_self else ""
                )
                messages.success(request, f"Level saved for {person} in {skill}. {note}".strip())
                return redirect(request.path)
            form = LevelForm(self_assessment=can_self)
    elif request.method != "GET":
        return HttpResponse(status=405)

    history = list(
        Assessment.objects.filter(person=person, skill=skill).select_related("author").order_by("-assessed_at", "-id")
    )
    level = selectors.level_of(person, skill)
    fresh = level.is_fresh(timezone.localdate())
    context = {
        "person": person,
        "skill": skill,
        "history": history,
        "level": level,
        "fresh": fresh,
        "form": form,
        "can_lead": can_lead,
        "can_self": can_self,
        # In the matrix's dialog the form saves through htmx; on its own page it posts as a form
        # (there is no dialog panel for htmx to swap into).
        "in_dialog": is_htmx(request),
        "saved": saved,
        "cap_note": self_cap_note(claimed=claimed, current=level.level) if claimed is not None else "",
        "column": None,
    }
    if saved and is_htmx(request):
        # The matrix's header and bus-factor cells of this skill come along (htmx out-of-band
        # swap): the new level may change who covers it. One query.
        bus_factor = selectors.cover_counts([skill.pk]).get(skill.pk, 0)
        context["column"] = selectors.SkillColumn(skill, bus_factor)
    template = "skills/matrix_cell.html#panel" if is_htmx(request) else "skills/matrix_cell.html"
    invalid = request.method == "POST" and not saved
    response = render(request, template, context, status=400 if invalid else 200)
    if saved:
        response["HX-Trigger"] = json.dumps(
            {
                "cellUpdated": {
                    "person": person.pk,
                    "skill": skill.pk,
                    "level": level.level,
                    "css": level_css(level, fresh),
                    "label": matrix_cell_name(person, skill, level, fresh),
                }
            }
        )
    return response


@login_required
def matrix_import(request):
    if not permissions.can_import(request.user):
        raise PermissionDenied("Only leads and admins import the skill matrix.")
    return matrix_csv.import_view(request)


@login_required
@require_GET
def matrix_export(request):
    return matrix_csv.export_view(request)
