"""Onboarding pages: templates (leads), starting an onboarding, the checklist (new hire, buddy,
lead) and the lead's overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.evidence.markdown import render_markdown
from ops_skills.onboarding import checklists, selectors, template_services
from ops_skills.onboarding.forms import CopyTemplateForm, StartForm, TemplateForm, TemplateItemForm
from ops_skills.onboarding.models import Checklist, ChecklistItem, TemplateItem
from ops_skills.people.models import Person


def _require_lead(request) -> None:
    if not selectors.can_lead_any(request.user):
        raise PermissionDenied("Only leads and admins manage onboarding.")


def _get_template_for_user(request, pk):
    """A template of the lead's team (any for an admin): another team's is a 404."""
    _require_lead(request)
    return get_object_or_404(selectors.templates_for(request.user), pk=pk)


def _get_checklist_for_user(request, pk) -> Checklist:
    """The checklist if the viewer is its new hire, its buddy, a lead of its team or an admin."""
    checklists = selectors.visible_checklists(request.user).select_related("person", "buddy", "template", "team")
    return get_object_or_404(checklists, pk=pk)


# Overview and templates


@login_required
@require_safe
def overview(request):
    _require_lead(request)
    context = selectors.overview(request.user, today=timezone.localdate(), finished_page=request.GET.get("page"))
    return render(request, "onboarding/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    _require_lead(request)
    form = TemplateForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        template = template_services.template_save(template=form.save(commit=False), by=request.user)
        messages.success(request, f"Template “{template}” created. Add its items.")
        return redirect(template)
    return render(request, "onboarding/template_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_safe
def template_detail(request, pk):
    template = _get_template_for_user(request, pk)
    items = list(template.items.select_related("runbook__system", "skill__system"))
    running = list(template.checklists.filter(finished_at__isnull=True).select_related("person", "template"))
    return render(
        request,
        "onboarding/template_detail.html",
        {
            "template": template,
            "items": [(i, render_markdown(i.guidance)) for i in items],
            "description": render_markdown(template.description),
            "checklists": running,
            "out_of_date": [c for c in running if c.is_out_of_date],
            "copy_form": CopyTemplateForm(initial={"name": f"{template.name} (copy)"}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = _get_template_for_user(request, pk)
    form = TemplateForm(request.POST or None, instance=template, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        template_services.template_save(template=form.save(commit=False), by=request.user)
        messages.success(request, "Template saved. Running checklists change only when you apply the changes.")
        return redirect(template)
    return render(
        request,
        "onboarding/template_form.html",
        {"form": form, "template": template},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def template_copy(request, pk):
    template = _get_template_for_user(request, pk)
    form = CopyTemplateForm(request.POST)
    team = template.team if request.user.is_admin else request.user.team
    try:
        if not form.is_valid():
            raise ValidationError("Name the copy.")
        copy = template_services.template_copy(
            template=template, team=team, name=form.cleaned_data["name"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(template)
    messages.success(request, f"Copied to “{copy}”.")
    return redirect(copy)


@login_required
@require_POST
def template_apply(request, pk):
    template = _get_template_for_user(request, pk)
    applied = template_services.template_apply(template=template, by=request.user)
    messages.success(request, f"Changes applied to {applied} running checklist{'s' if applied != 1 else ''}.")
    return redirect(template)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk):
    template = _get_template_for_user(request, pk)
    return _item_form(request, template, TemplateItem(template=template))


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    template = _get_template_for_user(request, pk)
    return _item_form(request, template, get_object_or_404(template.items, pk=item_pk))


def _item_form(request, template, item):
    form = TemplateItemForm(request.POST or None, instance=item, initial=None if item.pk else {"due_days": 7})
    if request.method == "POST" and form.is_valid():
        try:
            template_services.template_item_save(item=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Item saved. Running checklists change only when you apply the changes.")
            return redirect(template)
    return render(
        request,
        "onboarding/item_form.html",
        {"form": form, "template": template, "item": item},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def item_delete(request, pk, item_pk):
    template = _get_template_for_user(request, pk)
    item = get_object_or_404(template.items, pk=item_pk)
    template_services.template_item_delete(item=item, by=request.user)
    messages.success(request, f"“{item.title}” removed from the template.")
    return redirect(template)


# Checklists


@login_required
@require_http_methods(["GET", "POST"])
def start(request, person_pk):
    _require_lead(request)
    people = Person.objects.select_related("team")
    if not request.user.is_admin:
        people = people.filter(team_id=request.user.team_id)
    person = get_object_or_404(people, pk=person_pk)
    existing = Checklist.objects.filter(person=person).first()
    if existing is not None:
        messages.info(request, f"{person} already has an onboarding checklist.")
        return redirect(existing)
    form = StartForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = checklists.checklist_start(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Onboarding started for {person}.")
            return redirect(checklist)
    return render(
        request, "onboarding/start.html", {"form": form, "person": person}, status=400 if form.errors else 200
    )


@login_required
@require_safe
def checklist_detail(request, pk):
    checklist = _get_checklist_for_user(request, pk)
    context = selectors.checklist_page(checklist, request.user, today=timezone.localdate())
    context["description"] = render_markdown(checklist.template.description) if checklist.template else ""
    for line in context["lines"]:
        line.guidance = render_markdown(line.item.guidance) if line.item.guidance else ""
    return render(request, "onboarding/checklist.html", context)


@login_required
@require_safe
def checklist_summary(request, pk):
    checklist = _get_checklist_for_user(request, pk)
    context = selectors.checklist_page(checklist, request.user, today=timezone.localdate())
    return render(request, "onboarding/summary.html", context)


@login_required
@require_POST
def checklist_apply(request, pk):
    checklist = _get_checklist_for_user(request, pk)
    if not selectors.leads(request.user, checklist.team_id):
        raise PermissionDenied("Only a lead of the team applies template changes.")
    try:
        counts = checklists.checklist_apply_template(checklist=checklist, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Template changes applied: {counts['added']} added, {counts['updated']} updated, "
            f"{counts['removed']} removed. Ticks are kept.",
        )
    return redirect(checklist)


def _get_item_for_tick(request, pk, item_pk) -> tuple[Checklist, ChecklistItem]:
    checklist = _get_checklist_for_user(request, pk)
    item = get_object_or_404(checklist.items, pk=item_pk)
    if not selectors.can_tick(request.user, checklist, item):
        raise PermissionDenied("This item ticks itself from evidence; a lead can tick it by hand.")
    return checklist, item


@login_required
@require_POST
def item_tick(request, pk, item_pk):
    checklist, item = _get_item_for_tick(request, pk, item_pk)
    checklists.item_tick(item=item, by=request.user)
    messages.success(request, f"Ticked “{item.title}”.")
    return redirect(f"{checklist.get_absolute_url()}#item-{item.pk}")


@login_required
@require_POST
def item_untick(request, pk, item_pk):
    checklist, item = _get_item_for_tick(request, pk, item_pk)
    checklists.item_untick(item=item, by=request.user)
    messages.success(request, f"Unticked “{item.title}”.")
    return redirect(f"{checklist.get_absolute_url()}#item-{item.pk}")
