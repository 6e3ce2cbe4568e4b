"""Runbook pages: list, read, write, review, mark as read, revisions and the difference between two.

Everyone logged in reads every runbook. Writing one (and marking it reviewed) is for a lead of the
system's team, an admin, or the runbook's owner.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from ops_skills.evidence.markdown import missing_sections, render_document
from ops_skills.evidence.models import Runbook, RunbookExecution, RunbookRead, RunbookRevision
from ops_skills.people import permissions
from ops_skills.people.http import BadInput
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Skill, System

PAGE_SIZE = 30
REVISIONS_PAGE_SIZE = 50
RECENT_EXECUTIONS = 10
RECENT_READERS = 12


# Access ------------------------------------------------------------------------------------------


def creatable_systems(person: Person):
    if person.is_admin:
        return System.objects.all()
    if person.is_lead and person.team_id:
        return System.objects.filter(team_id=person.team_id)
    return System.objects.none()


def _latest_revision_number():
    return Subquery(
        RunbookRevision.objects.filter(runbook=OuterRef("pk")).order_by("-number").values("number")[:1],
        output_field=IntegerField(),
    )


def _runbooks(viewer: Person, runbooks=None):
    """Runbooks with what every page shows about them, in the same one query: the system and its
    team, the owner, the latest revision number and the revision the viewer last read."""
    runbooks = Runbook.objects.all() if runbooks is None else runbooks
    return runbooks.select_related("system__team", "owner").annotate(
        latest_revision=_latest_revision_number(),
        my_read_revision=Subquery(
            RunbookRead.objects.filter(runbook=OuterRef("pk"), person=viewer).values("revision_number")[:1],
            output_field=IntegerField(),
        ),
    )


def get_runbook_for_user(request, pk: int, *, write: bool = False, queryset=None) -> Runbook:
    runbook = get_object_or_404(queryset if queryset is not None else _runbooks(request.user), pk=pk)
    if write and not permissions.can_edit_runbook(request.user, runbook):
        raise PermissionDenied("Only the owner, a lead of the system's team or an admin changes this runbook.")
    return runbook


def warn_missing_sections(request, runbook: Runbook) -> None:
    missing = missing_sections(runbook.body)
    if missing:
        messages.warning(
            request,
            f"Saved, but it has no section for {', '.join(missing)}. "
            "The team's runbooks have Purpose, Preconditions, Steps, Verification and Rollback.",
        )


def unique_slug(system: System, title: str) -> str:
    base = slugify(title)[:90] or "runbook"
    taken = set(Runbook.objects.filter(system=system, slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# Pages -------------------------------------------------------------------------------------------


def _count_of(rows, field: str):
    """How many of these rows point at the outer runbook (0 when none), as a subquery."""
    counted = rows.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _search(request):
    """The runbooks the list's search box and filters ask for, and those filters."""
    runbooks = Runbook.objects.all()
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "system", "team")}
    if filters["q"]:
        q = filters["q"]
        runbooks = runbooks.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(system__name__icontains=q))
    if filters["system"]:
        runbooks = runbooks.filter(system__slug=filters["system"])
    if filters["team"]:
        runbooks = runbooks.filter(system__team__slug=filters["team"])
    return runbooks, filters


@login_required
@require_safe
def runbook_list(request):
    runbooks, filters = _search(request)
    # Overdue depends on each runbook's own interval: decided by the model, over three columns.
    today = timezone.localdate()
    scope = runbooks.order_by().only("pk", "last_reviewed_on", "review_interval_days")
    overdue_ids = [r.pk for r in scope if r.is_overdue(today)]
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        runbooks = runbooks.filter(pk__in=overdue_ids)
    runbooks = _runbooks(request.user, runbooks).annotate(
        skill_count=_count_of(Runbook.skills.through.objects, "runbook")
    )
    ordered = runbooks.defer("body").order_by("system__name", "title", "pk")
    context = {
        "page": Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page")),
        "q": filters["q"],
        "system_slug": filters["system"],
        "team_slug": filters["team"],
        "overdue_only": overdue_only,
        "overdue_count": len(overdue_ids),
        "systems": System.objects.only("name", "slug"),
        "teams": Team.objects.only("name", "slug"),
        "can_create": permissions.can_write_runbooks(request.user),
    }
    return render(request, "evidence/runbook_list.html", context)


@login_required
@require_safe
def runbook_detail(request, pk):
    queryset = _runbooks(request.user).annotate(
        read_count=_count_of(RunbookRead.objects, "runbook"),
        execution_count=_count_of(RunbookExecution.objects, "runbook"),
    )
    queryset = queryset.prefetch_related(Prefetch("skills", Skill.objects.select_related("system")))
    runbook = get_runbook_for_user(request, pk, queryset=queryset)
    latest = runbook.revisions.select_related("author").defer("body").order_by("-number").first()
    executions = (
        runbook.executions.select_related("performer")
        .prefetch_related("participants")
        .defer("notes")
        .order_by("-occurred_at", "-id")[:RECENT_EXECUTIONS]
    )
    readers = runbook.reads.select_related("person").order_by("-read_at", "-id")[:RECENT_READERS]
    document = render_document(runbook.body)
    return render(
        request,
        "evidence/runbook_detail.html",
        {
            "runbook": runbook,
            "body": document.html,
            "toc": document.toc,
            "latest": latest,
            "can_write": permissions.can_edit_runbook(request.user, runbook),
            "missing": document.missing_sections(),
            "executions": executions,
            "readers": readers,
        },
    )


@login_required
@require_POST
def runbook_mark_reviewed(request, pk):
    runbook = get_runbook_for_user(request, pk, write=True)
    runbook.last_reviewed_on = timezone.localdate()
    runbook.save(update_fields=["last_reviewed_on"])
    messages.success(request, f"Marked as reviewed today; next review due {date_format(runbook.review_due_on)}.")
    return redirect(runbook)


@login_required
@require_safe
def runbook_revisions(request, pk):
    runbook = get_runbook_for_user(request, pk, queryset=_runbooks(request.user).defer("body"))
    revisions = runbook.revisions.select_related("author").defer("body").order_by("-number")
    page = Paginator(revisions, REVISIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evidence/runbook_revisions.html", {"runbook": runbook, "page": page})


def _revision_number(value) -> int | None:
    """A whole number written as ASCII digits (a sign allowed: a revision that does not exist is
    a 404, not a 400), small enough for the column; else None."""
    text = str(value).strip()
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        return None
    return int(text)


@login_required
@require_safe
def runbook_diff(request, pk):
    """``?a=<n>&b=<n>``: what changed from revision a to revision b (the latest two by default)."""
    runbook = get_runbook_for_user(request, pk, queryset=_runbooks(request.user).defer("body"))
    latest = runbook.latest_revision
    if latest is None:
        raise Http404("This runbook has no revisions.")
    b = _revision_number(request.GET.get("b") or latest)
    a = _revision_number(request.GET.get("a") or max((b or 2) - 1, 1))
    if a is None or b is None:
        raise BadInput("Name two revisions by number: ?a=<number>&b=<number>.")
    found = {r.number: r for r in runbook.revisions.select_related("author").filter(number__in={a, b})}
    if a not in found or b not in found:
        raise Http404("No such revision.")
    old, new = found[a], found[b]
    split = request.GET.get("view") == "split"
    rows = diff_side_by_side(old.body, new.body) if split else diff_unified(old.body, new.body)
    return render(
        request,
        "evidence/runbook_diff.html",
        {
            "runbook": runbook,
            "old": old,
            "new": new,
            "rows": rows,
            "split": split,
            "numbers": range(latest, 0, -1),
        },
    )


# Differences -------------------------------------------------------------------------------------
# Of the raw Markdown, line by line; the templates escape every line like any other text.


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "hunk", "context", "added", "removed", or "changed" (side by side only)
    old_number: int | None = None
    old_text: str = ""
    new_number: int | None = None
    new_text: str = ""


def _groups(old: str, new: str, context: int):
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return a, b, []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return a, b, matcher.get_grouped_opcodes(context)


def _context_rows(a: list[str], b: list[str], i1: int, i2: int, j1: int) -> list[DiffRow]:
    """Lines both sides share, a[i1:i2] == b[j1:j1 + (i2 - i1)]."""
    return [DiffRow("context", i + 1, a[i], j1 + k + 1, b[j1 + k]) for k, i in enumerate(range(i1, i2))]


def _hunk(group) -> DiffRow:
    first, last = group[0], group[-1]
    old_start, old_len = first[1] + 1, last[2] - first[1]
    new_start, new_len = first[3] + 1, last[4] - first[3]
    return DiffRow("hunk", old_text=f"@@ -{old_start},{old_len} +{new_start},{new_len} @@")


def diff_unified(old: str, new: str, context: int = 3) -> list[DiffRow]:
    """Rows of a unified diff; empty when the two texts have the same lines (a lone trailing newline is no change)."""
    a, b, groups = _groups(old, new, context)
    rows = []
    for group in groups:
        rows.append(_hunk(group))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += _context_rows(a, b, i1, i2, j1)
                continue
            rows += [DiffRow("removed", old_number=i + 1, old_text=a[i]) for i in range(i1, i2)]
            rows += [DiffRow("added", new_number=j + 1, new_text=b[j]) for j in range(j1, j2)]
    return rows


def diff_side_by_side(old: str, new: str, context: int = 3) -> list[DiffRow]:
    a, b, groups = _groups(old, new, context)
    rows = []
    for group in groups:
        rows.append(_hunk(group))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += _context_rows(a, b, i1, i2, j1)
                continue
            for i, j in zip_longest(range(i1, i2), range(j1, j2)):
                kind = "changed" if i is not None and j is not None else ("removed" if j is None else "added")
                rows.append(
                    DiffRow(
                        kind,
                        old_number=None if i is None else i + 1,
                        old_text="" if i is None else a[i],
                        new_number=None if j is None else j + 1,
                        new_text="" if j is None else b[j],
                    )
                )
    return rows
