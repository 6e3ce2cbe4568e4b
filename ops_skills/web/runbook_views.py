"""Writing and reading runbooks where it changes more than the runbook: its skills change levels,
and a read mark ticks onboarding items, so these go through ``flows``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ops_skills import flows
from ops_skills.evidence import runbook_views
from ops_skills.evidence.runbook_forms import RunbookForm
from ops_skills.people import permissions


@login_required
def runbook_create(request):
    if not permissions.can_write_runbooks(request.user):
        raise PermissionDenied("Leads and admins write new runbooks.")
    systems = runbook_views.creatable_systems(request.user)
    initial = {}
    if request.GET.get("system"):
        initial["system"] = systems.filter(slug=request.GET["system"]).values_list("pk", flat=True).first()
    form = RunbookForm(request.POST or None, viewer=request.user, systems=systems, initial=initial)
    if request.method == "POST" and form.is_valid():
        runbook = form.save(commit=False)
        runbook.slug = runbook_views.unique_slug(runbook.system, runbook.title)
        runbook.last_reviewed_on = timezone.localdate()  # just written: reviewed today
        runbook, _ = flows.runbook_save(
            runbook=runbook,
            author=request.user,
            skills=list(form.cleaned_data["skills"]),
            note=form.cleaned_data["note"] or "Written",
        )
        messages.success(request, "Runbook saved as revision 1.")
        runbook_views.warn_missing_sections(request, runbook)
        return redirect(runbook)
    return render(
        request, "evidence/runbook_form.html", {"form": form, "runbook": None}, status=400 if form.errors else 200
    )


@login_required
def runbook_edit(request, pk):
    runbook = runbook_views.get_runbook_for_user(request, pk, write=True)
    form = RunbookForm(
        request.POST or None, instance=runbook, viewer=request.user, latest_revision=runbook.latest_revision or 0
    )
    if request.method == "POST" and form.is_valid():
        runbook = form.save(commit=False)
        runbook, revision = flows.runbook_save(
            runbook=runbook,
            author=request.user,
            skills=list(form.cleaned_data["skills"]),
            note=form.cleaned_data["note"],
        )
        if revision is None:
            messages.info(request, "Saved. The text did not change, so there is no new revision.")
        else:
            messages.success(request, f"Saved as revision {revision.number}.")
        runbook_views.warn_missing_sections(request, runbook)
        return redirect(runbook)
    stale = (form.stale_from, runbook.latest_revision) if form.stale_from is not None else None
    return render(
        request,
        "evidence/runbook_form.html",
        {"form": form, "runbook": runbook, "stale": stale},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def runbook_mark_read(request, pk):
    runbook = runbook_views.get_runbook_for_user(request, pk)
    read = flows.runbook_mark_read(runbook=runbook, person=request.user)
    messages.success(request, f"Marked as read (revision {read.revision_number}).")
    return redirect(runbook)
