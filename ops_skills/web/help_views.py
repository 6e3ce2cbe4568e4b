"""The help page: what the numbers on the pages mean, in the words of the product's contract."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ops_skills.reports.coverage import DEFAULT_TARGET, TIER_1_TARGET
from ops_skills.skills.rules import COVER_LEVEL, DEFAULT_FRESHNESS_DAYS, LEVEL_HELP, LEVEL_LABELS


@login_required
@require_safe
def help_page(request):
    levels = [(level, label, LEVEL_HELP[level]) for level, label in LEVEL_LABELS.items()]
    context = {
        "levels": levels,
        "cover_level": COVER_LEVEL,
        "default_freshness_days": DEFAULT_FRESHNESS_DAYS,
        "default_target": DEFAULT_TARGET,
        "tier_1_target": TIER_1_TARGET,
        "git_suggest_days": settings.GIT_SUGGEST_DAYS,
        "git_suggest_min_changes": settings.GIT_SUGGEST_MIN_CHANGES,
    }
    return render(request, "web/help.html", context)
