"""Report pages for leads (members: their own team's only), absences, trend and exports."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from ops_skills.people import csv_safe, permissions
from ops_skills.people.http import BadInput, parse_id
from ops_skills.people.models import Person, Team
from ops_skills.reports import charts, selectors, services
from ops_skills.reports.forms import AbsenceForm, WhatIfForm
from ops_skills.reports.models import Absence, Snapshot
from ops_skills.reports.summary import summarise, summary_json, what_if
from ops_skills.skills.models import System

SYSTEMS_PER_PAGE = 50  # rows of the ranked table; the chart and the figures cover them all


class Scope:
    """The filters every report page shares: team (members: always their own), tier, and a
    date or week (people absent then count as gone)."""

    def __init__(self, request):
        user = request.user
        # Without a team in the query, a lead reads their own team's report, as the matrix does;
        # "?team=" (all teams, from the filters) asks for the whole organisation.
        asked = "team" in request.GET
        slug = request.GET.get("team", "").strip() if asked else None
        self.teams = list(Team.objects.order_by("name"))
        try:
            self.team = selectors.report_team(user, slug, teams=self.teams)
        except LookupError as error:
            raise ValidationError(str(error)) from None
        if not permissions.is_lead_or_admin(user):
            self.teams = [self.team]
        slug = self.team.slug if self.team else ""
        tier = request.GET.get("tier", "")
        if tier not in ("", "1", "2", "3"):
            raise ValidationError("Tier is 1, 2 or 3.")
        self.tier = int(tier) if tier else None
        self.on = request.GET.get("on", "")
        self.week = request.GET.get("week", "")
        self.span = services.validate_span(self.on, self.week)
        self.query = {k: v for k, v in (("tier", tier), ("on", self.on), ("week", self.week)) if v}
        if slug or asked:
            self.query = {"team": slug, **self.query}

    def facts(self, team=None):
        """Covers only: the reports need no levels below them (the what-if loads its own)."""
        return selectors.report_facts(team=team or self.team, span=self.span, levels=False)


def _scope(request):
    try:
        return Scope(request), None
    except ValidationError as error:
        raise BadInput(" ".join(error.messages)) from None  # the styled 400 page, with the message


def _context(scope, **extra):
    return {"scope": scope, "query": scope.query, "tiers": (1, 2, 3), **extra}


@login_required
@require_safe
def index(request):
    """Systems ranked by risk. Queries: session/user 2, teams 1, org facts (people, systems,
    skills, levels 3), absences 1 when a date or week is asked."""
    scope, error = _scope(request)
    if error:
        return error
    facts, absent = scope.facts()
    summary = summarise(facts, tier=scope.tier)
    return render(
        request,
        "reports/index.html",
        _context(
            scope,
            summary=summary,
            page=Paginator(summary.systems, SYSTEMS_PER_PAGE).get_page(request.GET.get("page")),
            absent=list(_people(absent, request)),
            chart=charts.risk_bars(summary.systems),
        ),
    )


def _people(absent, request):
    """Everyone away some of the span, with how much: those who count as away first."""
    if not absent:
        return []
    people = Person.objects.filter(pk__in=absent).order_by("name", "email")
    rows = [{"person": p, "away": absent[p.pk]} for p in people]
    return sorted(rows, key=lambda r: not r["away"].counts)


@login_required
@require_safe
def system_detail(request, slug):
    scope, error = _scope(request)
    if error:
        return error
    system = get_object_or_404(System.objects.select_related("team"), slug=slug)
    if not permissions.can_read_report(request.user, system.team_id):
        raise PermissionDenied("Members see the report for their own team only.")
    facts, absent = selectors.report_facts(team=system.team, span=scope.span, levels=False)
    summary = summarise(facts)
    row = next(r for r in summary.systems if r.system.id == system.pk)
    return render(
        request,
        "reports/system.html",
        _context(scope, system=system, row=row, needed=len(row.skills) // 2 + 1, absent=_people(absent, request)),
    )


@login_required
@require_safe
def islands(request):
    scope, error = _scope(request)
    if error:
        return error
    facts, absent = scope.facts()
    summary = summarise(facts, tier=scope.tier)
    page = Paginator(summary.islands, 50).get_page(request.GET.get("page"))
    return render(request, "reports/islands.html", _context(scope, summary=summary, page=page))


def _lead_only(user):
    if not permissions.can_read_report(user, None, what_if=True):
        raise PermissionDenied("Only leads and admins run what-if simulations.")


PEOPLE_SEARCH_LIMIT = 10  # options under the what-if box; more matches ask for more letters


@login_required
@require_safe
def what_if_page(request):
    """The report as if the people named had left. They are named by id (``people``: the chips,
    and links from other pages) or typed as emails (``what_if``), and picked with the help of
    ``people_search``: the page never lists everyone. Queries: session/user 2, teams 1, the
    people named 1 (when some are), unread notices 1; with a valid choice, the org facts (people,
    systems, skills, covers 4) and the levels below the covers in the skills the leavers hold 1."""
    _lead_only(request.user)
    scope, error = _scope(request)
    if error:
        return error
    form = WhatIfForm(request.GET if {"people", "what_if"} & request.GET.keys() else None)
    result = None
    if form.is_bound and form.is_valid():
        facts, _ = scope.facts()
        gone = {p.pk for p in form.cleaned_data["people"]}
        # The transfers need the levels below a cover, only in the skills the leavers hold.
        held = {s.id for s in facts.skills if s.holders & gone}
        facts = replace(facts, levels=selectors.stored_levels(held, facts.people))
        result = what_if(facts, gone, tier=scope.tier)
    return render(
        request,
        "reports/what_if.html",
        _context(
            scope,
            form=form,
            chips=[(p, _what_if_query(scope, form.chosen, without=p)) for p in form.chosen],
            result=result,
            page=Paginator(result.after.systems, SYSTEMS_PER_PAGE).get_page(request.GET.get("page"))
            if result
            else None,
            chart=charts.risk_bars(result.after.systems) if result else None,
            what_if_query=_what_if_query(scope, form.chosen),
            filter_query=scope.query,
        ),
    )


def _what_if_query(scope, people, *, without=None) -> str:
    """The query string of a what-if: the page's filters and the people, by id. The exports and
    the pages of the table get it whole (a chip's link, without one of them): the request's own
    may hold a box left empty, and ``includes/pagination.html`` keeps one value per parameter."""
    return urlencode([*scope.query.items(), *(("people", p.pk) for p in people if p != without)])


@login_required
@require_safe
def people_search(request):
    """The options of the what-if page's box (htmx): up to ``PEOPLE_SEARCH_LIMIT`` active people
    whose name or email contains the text typed (``what_if``, the box's own name), those whose
    name or email starts with it first, leaving out the ones already chosen (``people``). Who
    may be asked about is who the what-if page accepts: anyone active, for leads and admins.
    Queries: session/user 2, the people 1 (none for an empty box)."""
    _lead_only(request.user)
    text = request.GET.get("what_if", "").strip()
    people = []
    if text:
        chosen = [pk for p in request.GET.getlist("people") if (pk := parse_id(p))]
        starts = Q(name__istartswith=text) | Q(email__istartswith=text)
        people = list(
            Person.objects.active()
            .filter(Q(name__icontains=text) | Q(email__icontains=text))
            .exclude(pk__in=chosen)
            .select_related("team")
            .annotate(rank=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField()))
            .order_by("rank", "name", "email")[: PEOPLE_SEARCH_LIMIT + 1]
        )
    return render(
        request,
        "reports/_people_options.html",
        {"people": people[:PEOPLE_SEARCH_LIMIT], "more": len(people) > PEOPLE_SEARCH_LIMIT, "text": text},
    )


def _export_data(request):
    """The report the exports write: the page's filters, and as if the ``what_if`` (emails) or
    ``people`` (ids, as the what-if page links) had left."""
    scope, error = _scope(request)
    if error:
        return None, error
    emails = [e.strip().lower() for e in request.GET.getlist("what_if") if e.strip()]
    people_ids = request.GET.getlist("people")
    gone = []
    if emails or people_ids:
        _lead_only(request.user)
        found = list(Person.objects.filter(email__in=emails)) + list(
            Person.objects.filter(pk__in=[pk for p in people_ids if (pk := parse_id(p))])
        )
        missing = set(emails) - {p.email for p in found}
        if missing:
            raise BadInput(f"Unknown people: {', '.join(sorted(missing))}")
        gone = [p.pk for p in found]
    facts, _ = scope.facts()
    return summarise(facts, tier=scope.tier, without=gone), None


@login_required
@require_safe
def export_json(request):
    summary, error = _export_data(request)
    if error:
        return error
    response = HttpResponse(json.dumps(summary_json(summary), indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="busfactor.json"'
    return response


@login_required
@require_safe
def export_csv(request):
    summary, error = _export_data(request)
    if error:
        return error
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="busfactor.csv"'
    writer = csv_safe.writer(response)  # emails and slugs could start a formula
    writer.writerow(
        [
            "system",
            "tier",
            "truck_factor",
            "truck_factor_method",
            "fresh_truck_factor",
            "key_people",
            "skill",
            "bus_factor",
            "fresh_bus_factor",
            "target",
            "deficit",
            "holders",
        ]
    )
    for row in summary.systems:
        for s in row.skills:
            writer.writerow(
                [
                    row.system.slug,
                    row.system.tier,
                    "" if row.truck.value is None else row.truck.value,
                    row.truck.method,
                    "" if row.fresh_truck.value is None else row.fresh_truck.value,
                    " ".join(p.email for p in row.key_people),
                    s.skill.slug,
                    s.bus_factor,
                    s.fresh_bus_factor,
                    s.target,
                    s.deficit,
                    " ".join(p.email for p in s.holders),
                ]
            )
    return response


@login_required
@require_safe
def trend(request):
    scope, error = _scope(request)
    if error:
        return error
    snapshots = list(Snapshot.objects.filter(team=scope.team).order_by("-taken_on")[:365])[::-1]
    return render(
        request, "reports/trend.html", _context(scope, snapshots=snapshots, chart=charts.trend_lines(snapshots))
    )


# Absences ------------------------------------------------------------------------------------


@login_required
@require_safe
def absences(request):
    """Members see their own absences, leads their team's, admins everyone's."""
    user = request.user
    qs = Absence.objects.select_related("person", "person__team").order_by("-starts_on", "person__email")
    if user.is_admin:
        pass
    elif user.is_lead and user.team_id:
        qs = qs.filter(person__team=user.team_id)
    else:
        qs = qs.filter(person=user)
    # The report's team filter, carried here by the tabs and back by each "report for that
    # week" link; a team outside what the user sees just shows nothing.
    team = Team.objects.filter(slug=request.GET.get("team", "")).first() if request.GET.get("team") else None
    if team is not None:
        qs = qs.filter(person__team=team)
    upcoming = request.GET.get("upcoming", "1") == "1"
    if upcoming:
        qs = qs.filter(ends_on__gte=timezone.localdate()).order_by("starts_on", "person__email")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for absence in page.object_list:
        report_team = team or absence.person.team
        absence.report_query = urlencode({"team": report_team.slug if report_team else "", "week": absence.iso_week})
    query = {"team": team.slug} if team else {}
    return render(
        request,
        "reports/absences.html",
        {"page": page, "upcoming": upcoming, "team": team, "query": query, "filter": urlencode(query)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request):
    # The person page links here with ?person=<pk>; the form still checks who may be chosen.
    initial = {"person": pk} if (pk := parse_id(request.GET.get("person"))) else None
    form = AbsenceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.absence_create(
                by=request.user,
                person=data["person"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                kind=data["kind"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Absence of {data['person']} recorded.")
            return redirect("reports:absences")
    return render(request, "reports/absence_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def absence_delete(request, pk):
    absence = get_object_or_404(Absence.objects.select_related("person"), pk=pk)
    if not permissions.can_record_absence(request.user, absence.person):
        raise PermissionDenied("You cannot delete this absence.")
    if request.method == "POST":
        services.absence_delete(by=request.user, absence=absence)
        messages.success(request, "Absence deleted.")
        return redirect(reverse("reports:absences"))
    return render(request, "reports/absence_delete.html", {"absence": absence})
