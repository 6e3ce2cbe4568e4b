from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ops_skills.people.models import Team
from ops_skills.skills.models import System

PAGE_SIZE = 50


@login_required
@require_safe
def system_list(request):
    systems = System.objects.select_related("team").annotate(skill_count=Count("skills")).order_by("name")
    q = request.GET.get("q", "").strip()
    if q:
        systems = systems.filter(Q(name__icontains=q) | Q(description__icontains=q))
    team_slug = request.GET.get("team", "")
    if team_slug:
        systems = systems.filter(team__slug=team_slug)
    tier = request.GET.get("tier", "")
    if tier in {"1", "2", "3"}:
        systems = systems.filter(tier=int(tier))
    page = Paginator(systems, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "skills/system_list.html",
        {"page": page, "q": q, "team_slug": team_slug, "tier": tier, "teams": Team.objects.all()},
    )
