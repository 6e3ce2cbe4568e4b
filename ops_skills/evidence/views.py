from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ops_skills.evidence import lifecycle, selectors, services
from ops_skills.evidence.forms import DisputeForm, ExecutionForm, PairingSessionForm
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.people import permissions
from ops_skills.people.http import parse_id
from ops_skills.people.models import Notice, Person
from ops_skills.skills.models import Skill

PAGE_SIZE = 30
KINDS = {"pairing": PairingSession, "execution": RunbookExecution}


def _people_with_teams(name: str) -> Prefetch:
    return Prefetch(name, queryset=Person.objects.select_related("team"))


def _sessions():
    return PairingSession.objects.select_related("mentor__team", "logged_by", "decided_by").prefetch_related(
        _people_with_teams("learners"), Prefetch("skills", queryset=Skill.objects.select_related("system"))
    )


def _executions():
    return RunbookExecution.objects.select_related(
        "runbook__system", "performer__team", "logged_by", "decided_by"
    ).prefetch_related(_people_with_teams("participants"))


class NewestFirst:
    """Sessions and executions together, newest first, for a Paginator: a page reads the dates and
    ids of just enough rows of each kind to know which records it shows, then loads those records
    only (with their people and skills). Two counts, two reads of keys, two of records and their
    prefetches, whatever the page and the amount of evidence.

    ``read_all``: the querysets are one person's records (a few hundred, a thousand): their keys
    are read whole, once, which counts them too (two queries instead of four). A count and a
    LIMIT over a list of ids made PostgreSQL walk the date index over 10,000 records to find 30.
    ``records``: the querysets a page's records are loaded from by id (default: ``querysets``),
    without their filters: a second list of ids ANDed with the first made PostgreSQL misjudge
    the rows and scan all 120,000 executions for 22."""

    def __init__(self, *querysets, read_all: bool = False, records=None):
        self.querysets = querysets
        self.records = records or querysets
        self.read_all = read_all
        self._all_keys: list | None = None

    def count(self) -> int:
        if self.read_all:
            return len(self._keys(None))
        return sum(qs.count() for qs in self.querysets)

    def __len__(self) -> int:
        return self.count()

    def _keys(self, stop: int | None) -> list[tuple]:
        """(occurred_at, id, kind) newest first: all of them with ``read_all``, else the first ``stop``
        of each kind."""
        if self.read_all and self._all_keys is not None:
            return self._all_keys
        keys = sorted(
            (
                (at, pk, kind)
                for kind, qs in enumerate(self.querysets)
                for at, pk in qs.order_by("-occurred_at", "-id").values_list("occurred_at", "id")[:stop]
            ),
            reverse=True,
        )
        if self.read_all:
            self._all_keys = keys
        return keys

    def __getitem__(self, window: slice) -> list:
        stop = window.stop
        keys = self._keys(None if self.read_all else stop)[window.start : stop]
        wanted = {kind: [pk for _, pk, k in keys if k == kind] for kind in range(len(self.querysets))}
        loaded = {
            (kind, record.pk): record
            for kind, qs in enumerate(self.records)
            if wanted[kind]
            for record in qs.filter(pk__in=wanted[kind])
        }
        return [loaded[kind, pk] for _, pk, kind in keys]


def _ids_of(model, lead: str, through, person) -> set[int]:
    """Ids of the records ``person`` led (as mentor or performer) or took part in."""
    source = next(f.attname for f in through._meta.fields if f.related_model is model)
    ids = set(model.objects.filter(**{lead: person}).values_list("pk", flat=True))
    return ids | set(through.objects.filter(person=person).values_list(source, flat=True))


@login_required
@require_safe
def evidence_list(request):
    """Recent evidence; "mine" shows what the viewer took part in, "to confirm" what waits on them."""
    show = request.GET.get("show", "mine")
    me = request.user
    # What a row shows (``evidence/_row.html``): not who logged or decided, nor anyone's team.
    # Each join left out also spared PostgreSQL planning a seven-table join on every page.
    sessions = PairingSession.objects.select_related("mentor").prefetch_related(
        "learners", Prefetch("skills", queryset=Skill.objects.select_related("system"))
    )
    executions = RunbookExecution.objects.select_related("runbook", "performer").prefetch_related("participants")
    loaders = (sessions, executions)  # the records of a page, by id, without the filters below
    runbook = None
    if runbook_id := parse_id(request.GET.get("runbook")):
        # The executions of one runbook (its page links here for more than the latest few).
        runbook = get_object_or_404(Runbook.objects.only("pk", "title"), pk=runbook_id)
        sessions, executions = sessions.none(), executions.filter(runbook=runbook)
    if show == "mine":
        # The viewer's records by id, read from the mentor/performer and the through-table indexes
        # (four small queries): with an OR over a join, SQLite walked the date index over every
        # record of the organisation to find a person's few hundred.
        sessions = sessions.filter(pk__in=_ids_of(PairingSession, "mentor", PairingSession.learners.through, me))
        executions = executions.filter(
            pk__in=_ids_of(RunbookExecution, "performer", RunbookExecution.participants.through, me)
        )
    elif show == "to-confirm":
        # What the viewer may decide on: theirs, and for a lead their team's and its disputes (two
        # queries of ids, as the lead's inbox on the home page reads them).
        waiting_sessions, waiting_executions = selectors.waiting_for(me)
        sessions = sessions.filter(pk__in=set(waiting_sessions.values_list("pk", flat=True)))
        executions = executions.filter(pk__in=set(waiting_executions.values_list("pk", flat=True)))
    records = NewestFirst(sessions, executions, read_all=show in {"mine", "to-confirm"}, records=loaders)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evidence/evidence_list.html", {"page": page, "show": show, "runbook": runbook})


@login_required
def session_create(request):
    form = PairingSessionForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.pairing_session_log(
                author=request.user,
                mentor=data["mentor"],
                learners=list(data["learners"]),
                skills=list(data["skills"]),
                duration_minutes=data["duration_minutes"],
                occurred_at=data["occurred_at"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:  # said on the form, which keeps what they typed
            form.add_error(None, f"{error} Add yourself as the mentor or a learner.")
        else:
            messages.success(request, "Pairing session logged. The others are asked to confirm it.")
            return redirect(session)
    return render(request, "evidence/session_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def execution_create(request):
    initial = {"runbook": request.GET.get("runbook")} if request.GET.get("runbook") else None
    form = ExecutionForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            execution = services.execution_log(
                author=request.user,
                runbook=data["runbook"],
                performer=data["performer"],
                participants=list(data["participants"]),
                environment=data["environment"],
                outcome=data["outcome"],
                occurred_at=data["occurred_at"],
                notes=data["notes"],
                link=data["link"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:  # said on the form, which keeps what they typed
            form.add_error(None, f"{error} Add yourself as the performer or as someone who was there.")
        else:
            if execution.environment == "production" and not data["participants"]:
                messages.warning(request, "Logged, and flagged: production work should be done by two people.")
            else:
                messages.success(request, "Runbook execution logged.")
            return redirect(execution)
    return render(request, "evidence/execution_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, evidence):
    # Opening the page is reading the notice that pointed here.
    Notice.objects.filter(person=request.user, url=request.path, read_at__isnull=True).update(read_at=timezone.now())
    return {
        "evidence": evidence,
        "can_decide": lifecycle.can_decide(request.user, evidence),
        "can_uphold": lifecycle.can_uphold(request.user, evidence),
        "dispute_form": DisputeForm(),
    }


@login_required
@require_safe
def session_detail(request, pk):
    session = get_object_or_404(_sessions(), pk=pk)
    return render(request, "evidence/session_detail.html", _detail_context(request, session))


@login_required
@require_safe
def execution_detail(request, pk):
    execution = get_object_or_404(_executions(), pk=pk)
    return render(request, "evidence/execution_detail.html", _detail_context(request, execution))


def get_evidence(kind, pk):
    """Any logged-in person may read any evidence; deciding on it is the life cycle's rule."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


@login_required
@require_safe
def flagged_executions(request):
    """Production executions done by one person, for leads to follow up."""
    if not permissions.can_see_flagged(request.user):
        raise PermissionDenied("Leads and admins see the flagged executions.")
    executions = (
        _executions()
        .filter(environment=RunbookExecution.Environment.PRODUCTION)
        .annotate(participant_count=Count("participants"))
        .filter(participant_count=0)
        .order_by("-occurred_at", "-id")
    )
    if not request.user.is_admin:
        executions = executions.filter(performer__team=request.user.team_id)
    page = Paginator(executions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evidence/flagged.html", {"page": page})


@login_required
@require_safe
def skill_options(request):
    """The skills of one system, as <option>s for the pairing form (htmx)."""
    system_id = parse_id(request.GET.get("system"))
    skills = Skill.objects.filter(system_id=system_id) if system_id else Skill.objects.none()
    return render(request, "evidence/skill_options.html", {"skills": skills, "system_id": system_id})


@login_required
def notice_list(request):
    notices = Notice.objects.filter(person=request.user)
    if request.method == "POST":
        notices.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("evidence:notices")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evidence/notices.html", {"page": page})
