"""Reads of the onboarding app: who sees which checklist, and the data behind its pages, each in a
fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ops_skills.onboarding import rules
from ops_skills.onboarding.models import EVIDENCE_KINDS, Checklist, ChecklistItem, OnboardingTemplate
from ops_skills.people import permissions


def leads(viewer, team_id) -> bool:
    """May manage the templates and onboardings of ``team_id``."""
    return permissions.can_manage_team(viewer, team_id)


def can_lead_any(viewer) -> bool:
    return permissions.can_plan_somewhere(viewer)


def visible_checklists(viewer) -> QuerySet:
    """A new hire sees their own checklist, a buddy the ones they are buddy for, a lead their
    team's, an admin all."""
    checklists = Checklist.objects.all()
    if viewer.is_admin:
        return checklists
    scope = Q(person=viewer) | Q(buddy=viewer)
    if viewer.is_lead and viewer.team_id is not None:
        scope |= Q(team_id=viewer.team_id)
    return checklists.filter(scope)


def templates_for(viewer) -> QuerySet:
    templates = OnboardingTemplate.objects.select_related("team")
    return templates if viewer.is_admin else templates.filter(team_id=viewer.team_id)


def can_tick(viewer, checklist: Checklist, item: ChecklistItem) -> bool:
    """Leads (and admins) tick or untick anything; the new hire and the buddy tick the items
    done by hand, and untick what they ticked by hand."""
    if leads(viewer, checklist.team_id):
        return True
    if viewer.pk not in (checklist.person_id, checklist.buddy_id):
        return False
    return item.kind not in EVIDENCE_KINDS or item.completed_by == ChecklistItem.CompletedBy.HAND


@dataclass
class Line:
    """One checklist item as a page shows it."""

    item: ChecklistItem
    state: str  # done, overdue, due-soon, later
    can_tick: bool = False
    guidance: str = ""  # sanitised HTML, filled in by the view


def _items():
    return ChecklistItem.objects.select_related(
        "runbook__system", "skill__system", "ticked_by", "session", "execution", "read"
    ).order_by("position", "due_on", "pk")


def checklist_page(checklist: Checklist, viewer, *, today: date) -> dict:
    """The checklist's items with their state, and its progress. One query (the items)."""
    items = list(_items().filter(checklist=checklist))
    lines = [
        Line(
            item=i,
            state=rules.item_state(due_on=i.due_on, done=i.is_done, today=today),
            can_tick=can_tick(viewer, checklist, i),
        )
        for i in items
    ]
    progress = rules.progress([(i.due_on, i.is_done) for i in items], today=today)
    by_kind: dict[str, int] = {}
    late = 0
    for i in items:
        if i.is_done:
            by_kind[i.get_completed_by_display()] = by_kind.get(i.get_completed_by_display(), 0) + 1
            if timezone.localdate(i.done_at) > i.due_on:
                late += 1
    end = timezone.localdate(checklist.finished_at) if checklist.finished_at else today
    return {
        "checklist": checklist,
        "days": (end - checklist.started_on).days,
        "lines": lines,
        "progress": progress,
        "next_due": [line for line in lines if line.state != "done"][:3],
        "completed_by": sorted(by_kind.items()),
        "done_late": late,
        "leads": leads(viewer, checklist.team_id),
        "today": today,
    }


@dataclass
class Row:
    """A running or finished onboarding on the lead's overview."""

    checklist: Checklist
    progress: rules.Progress
    overdue: list = field(default_factory=list)  # (title, due_on) of overdue items, oldest first
    next_due: tuple | None = None


def _rows(checklists: list[Checklist], today: date) -> dict[int, Row]:
    """Progress of each checklist from one query on their items."""
    items = ChecklistItem.objects.filter(checklist__in=[c.pk for c in checklists]).only(
        "checklist_id", "title", "due_on", "done_at", "position"
    )
    return _rows_from_items(checklists, items, today)


def _rows_from_items(checklists: list[Checklist], items, today: date) -> dict[int, Row]:
    per: dict[int, list] = {c.pk: [] for c in checklists}
    for item in sorted(items, key=lambda i: (i.due_on, i.position, i.pk)):
        if item.checklist_id in per:
            per[item.checklist_id].append((item.title, item.due_on, item.done_at is not None))
    rows = {}
    for c in checklists:
        lines = per[c.pk]
        rows[c.pk] = Row(
            checklist=c,
            progress=rules.progress([(d, done) for _, d, done in lines], today=today),
            overdue=[(t, d) for t, d, done in lines if not done and d < today],
            next_due=next(((t, d) for t, d, done in lines if not done and d >= today), None),
        )
    return rows


def overview(viewer, *, today: date, finished_page=None, page_size: int = 25) -> dict:
    """Running onboardings of the viewer's team (every team for an admin), most overdue first;
    a page of the finished ones, latest first; the templates. Five queries."""
    checklists = Checklist.objects.select_related("person", "buddy", "template", "team")
    if not viewer.is_admin:
        checklists = checklists.filter(team_id=viewer.team_id)
    running = list(checklists.filter(finished_at__isnull=True))  # query 1
    page = Paginator(checklists.filter(finished_at__isnull=False).order_by("-finished_at", "-pk"), page_size)
    page = page.get_page(finished_page)  # 2, 3: count and page
    finished = list(page.object_list)
    rows = _rows(running + finished, today)  # 4
    order = rules.overview_order({c.pk: rows[c.pk].progress for c in running}, {c.pk: str(c.person) for c in running})
    templates = list(  # 5
        templates_for(viewer).annotate(
            item_count=Count("items", distinct=True),
            running=Count("checklists", filter=Q(checklists__finished_at__isnull=True), distinct=True),
        )
    )
    return {
        "running": [rows[pk] for pk in order],
        "finished": [rows[c.pk] for c in finished],
        "page": page,
        "templates": templates,
        "out_of_date": sum(1 for c in running if c.is_out_of_date),
        "today": today,
    }


def home_panel(person, *, today: date) -> dict | None:
    """The person's own running checklist (progress, next items), the people they are buddy for,
    and for a lead the number of running onboardings on the team. One query when there is nothing
    to show, two otherwise (the running checklists, then the items of those shown)."""
    scope = Q(person=person) | Q(buddy=person)
    if person.is_admin:
        scope = Q()
    elif person.is_lead and person.team_id is not None:
        scope |= Q(team_id=person.team_id)
    running = list(  # 1: running checklists the panel is about
        Checklist.objects.filter(scope, finished_at__isnull=True).select_related("person", "buddy")
    )
    own = next((c for c in running if c.person_id == person.pk), None)
    buddy_for = [c for c in running if c.buddy_id == person.pk]
    running_count = len(running) if can_lead_any(person) else None
    if own is None and not buddy_for and not running_count:
        return None
    shown = ([own] if own else []) + buddy_for
    items = list(_items().filter(checklist__in=[c.pk for c in shown])) if shown else []  # 2
    own_lines = [
        Line(item=i, state=rules.item_state(due_on=i.due_on, done=i.is_done, today=today))
        for i in items
        if own is not None and i.checklist_id == own.pk
    ]
    buddy_rows = _rows_from_items(buddy_for, [i for i in items if own is None or i.checklist_id != own.pk], today)
    progress = rules.progress([(line.item.due_on, line.item.is_done) for line in own_lines], today=today)
    runbooks = []
    for line in own_lines:
        if line.item.runbook_id and line.state != "done" and line.item.runbook not in runbooks:
            runbooks.append(line.item.runbook)
    return {
        "own": own,
        "progress": progress,
        "next_due": sorted((line for line in own_lines if line.state != "done"), key=lambda line: line.item.due_on)[:5],
        "runbooks": runbooks[:5],
        "buddy_rows": [buddy_rows[c.pk] for c in buddy_for],
        "running": running_count,
        "today": today,
    }


def person_onboarding(viewer, person) -> dict:
    """For the person page: ``checklist`` (their checklist if the viewer may see it, else None)
    and ``can_start`` (the viewer may start one for them now). One query."""
    checklist = Checklist.objects.filter(person=person).first()
    visible = checklist is not None and (
        viewer.is_admin
        or viewer.pk in (checklist.person_id, checklist.buddy_id)
        or permissions.leads_team(viewer, checklist.team_id)
    )
    can_start = (
        checklist is None and person.team_id is not None and not person.is_departed and leads(viewer, person.team_id)
    )
    return {"checklist": checklist if visible else None, "can_start": can_start}
