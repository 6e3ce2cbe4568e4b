"""The search page behind the top bar's box: results grouped by kind, or one kind paginated."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ops_skills.web import search


@login_required
@require_safe
def search_page(request):
    form = search.SearchForm(request.GET if request.GET.get("q", "").strip() else None)
    context = {"form": form, "q": "", "overview": [], "group": None, "page": None}
    if form.is_bound and form.is_valid():
        q = context["q"] = form.cleaned_data["q"]
        by_kind = {group.kind: group for group in search.groups(q)}
        group = by_kind.get(request.GET.get("kind", ""))
        if group is not None:
            context["group"] = group
            context["page"] = Paginator(group.queryset, search.PAGE_SIZE).get_page(request.GET.get("page"))
        else:
            context["overview"] = search.search_overview(q)
    return render(request, "web/search.html", context, status=400 if form.errors else 200)
