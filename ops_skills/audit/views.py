from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ops_skills.audit import selectors
from ops_skills.audit.forms import AuditFilterForm
from ops_skills.people import permissions
from ops_skills.people.http import parse_id

PAGE_SIZE = 50
MAX_PAGE = 2000  # deeper than this, narrow the search


@login_required
@require_safe
def entry_list(request):
    """The audit trail, newest first: admins see all of it, a lead the entries about their team.
    Pages go newer and older without counting the whole trail."""
    if not permissions.can_read_audit(request.user):
        raise PermissionDenied("The audit trail is for leads and admins.")
    form = AuditFilterForm(request.GET)
    page = min(parse_id(request.GET.get("page")) or 1, MAX_PAGE)
    entries, has_older = [], False
    if form.is_valid():
        data = form.cleaned_data
        start, end = form.window()
        found = selectors.filtered(
            selectors.entries_for(request.user),
            q=data["q"],
            person=data["person"],
            kind=data["kind"],
            origin=data["origin"],
            start=start,
            end=end,
        )
        offset = (page - 1) * PAGE_SIZE
        entries = list(found[offset : offset + PAGE_SIZE + 1])
        has_older, entries = len(entries) > PAGE_SIZE, entries[:PAGE_SIZE]
    changes = selectors.changes(entries)
    rows = [(entry, changes[entry.pk]) for entry in entries]
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "has_older": has_older,
            "people": selectors.people_to_choose(request.user),
        },
    )
