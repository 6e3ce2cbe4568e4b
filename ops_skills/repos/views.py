from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.people import permissions
from ops_skills.people.http import is_htmx
from ops_skills.people.models import Person
from ops_skills.repos import selectors, suggestions, tasks
from ops_skills.repos.forms import AcceptForm, AliasForm, PathMappingFormSet, RepositoryForm
from ops_skills.repos.models import AuthorAlias, Repository, Suggestion
from ops_skills.skills.models import Skill, System

SUGGESTIONS_PER_PAGE = 25
PANEL_REPOSITORIES = 5  # repositories read for a system's panel; more are named, not read


def _readable(viewer):
    """The repositories ``viewer`` may read (``permissions.can_read_repository`` as a query)."""
    repos = Repository.objects.select_related("team")
    return repos if viewer.is_admin else repos.filter(team_id=viewer.team_id) if viewer.team_id else repos.none()


def _get_repository_for_user(request, slug: str, *, manage: bool = False) -> Repository:
    """The repository asked for: 404 for an unknown one, 403 for one the user may not read (or,
    with ``manage``, change)."""
    repo = get_object_or_404(Repository.objects.select_related("team"), slug=slug)
    if manage and not permissions.can_register_repository(request.user):
        raise PermissionDenied("Only admins register repositories and change their mappings.")
    if not permissions.can_read_repository(request.user, repo.team_id):
        raise PermissionDenied("Only the owning team's people see what its repository says.")
    return repo


@login_required
@require_safe
def repository_list(request):
    repos = _readable(request.user).annotate(
        mapping_count=Count("mappings", distinct=True),
        open_count=Count("suggestions", filter=Q(suggestions__status=Suggestion.Status.OPEN), distinct=True),
    )
    return render(
        request,
        "repos/list.html",
        {
            "repositories": repos,
            "can_register": permissions.can_register_repository(request.user),
            "can_decide": permissions.is_lead_or_admin(request.user),
        },
    )


def _name(identity: str, people: dict[str, Person | None]) -> tuple[str, Person | None]:
    person = people.get(identity)
    return (person.name or person.email if person else identity), person


def _authors(authored: dict[str, int], people: dict[str, Person | None]) -> list[dict]:
    """Authors in name order (numbers describe systems, they do not rank people), each with the
    files they author."""
    rows = []
    for identity, files in authored.items():
        name, person = _name(identity, people)
        rows.append({"identity": identity, "files": files, "person": person, "name": name})
    return sorted(rows, key=lambda r: (r["name"].lower(), r["identity"]))


def _removals(truck, people: dict[str, Person | None]) -> list[dict]:
    """The greedy truck factor's steps: who was removed, in order, and how many files had no
    author left after it."""
    return [
        {"identity": i, "name": name, "person": person, "orphaned": orphaned}
        for i, orphaned in zip(truck.removed, truck.orphaned_after, strict=False)
        for name, person in [_name(i, people)]
    ]


@login_required
@require_safe
def repository_detail(request, slug):
    """What the repository's history says: its file-based truck factor explained, and per mapped
    system the file-based truck factor beside the skill-based one. Queries: the repository, the
    knowledge (``selectors.repository_knowledge``), the skill-based truck factors, the people
    behind their emails, the mappings, and the open suggestions' count."""
    repo = _get_repository_for_user(request, slug)
    knowledge = selectors.repository_knowledge(repo)
    skill_based = selectors.skill_truck_factors([s.system for s in knowledge.systems])
    people = dict(knowledge.people)
    key_emails = {e for _, _, emails in skill_based.values() for e in emails} - people.keys()
    people.update((p.email, p) for p in Person.objects.filter(email__in=key_emails))
    systems = []
    for s in knowledge.systems:
        value, method, keys = skill_based[s.system.pk]
        systems.append(
            {
                "knowledge": s,
                "authors": _authors(s.authors, people),
                "removals": _removals(s.truck_factor, people),
                "skill_value": value,
                "skill_method": method,
                "key_people": sorted((_name(e, people) for e in keys), key=lambda p: p[0].lower()),
            }
        )
    return render(
        request,
        "repos/detail.html",
        {
            "repo": repo,
            "knowledge": knowledge,
            "authors": _authors(knowledge.authors, people),
            "removals": _removals(knowledge.truck_factor, people),
            "systems": systems,
            "mappings": repo.mappings.select_related("system", "skill").order_by("pattern", "pk"),
            "open_suggestions": suggestions.decidable(request.user).filter(repository=repo).count(),
            "can_manage": permissions.can_register_repository(request.user),
            "can_decide": permissions.is_lead_or_admin(request.user),
        },
    )


def _save_repository(request, repo: Repository | None):
    """The register and edit pages: the repository's form and its mappings' formset, saved
    together."""
    form = RepositoryForm(request.POST or None, instance=repo)
    formset = PathMappingFormSet(request.POST or None, instance=form.instance, prefix="mappings")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save()
            formset.instance = saved
            formset.save()
        tasks.read_repository.enqueue(saved.pk)
        verb = "saved" if repo else "registered"
        messages.success(request, f"Repository “{saved.name}” {verb}; its history is being read.")
        return redirect(saved)
    return render(request, "repos/form.html", {"form": form, "formset": formset, "repo": repo})


@login_required
@require_http_methods(["GET", "POST"])
def repository_create(request):
    if not permissions.can_register_repository(request.user):
        raise PermissionDenied("Only admins register repositories.")
    return _save_repository(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def repository_edit(request, slug):
    return _save_repository(request, _get_repository_for_user(request, slug, manage=True))


@login_required
@require_http_methods(["GET", "POST"])
def repository_delete(request, slug):
    """A confirmation page, then the deletion: the history read, the mappings and the suggestions
    go with it (the clone on disk stays)."""
    repo = _get_repository_for_user(request, slug, manage=True)
    if request.method == "POST":
        repo.delete()
        messages.success(request, f"Repository “{repo.name}” deleted with what was read of it; the clone stays.")
        return redirect("repos:list")
    counts = {"commits": repo.commits.count(), "suggestions": repo.suggestions.count()}
    return render(request, "repos/delete.html", {"repo": repo, **counts})


@login_required
@require_POST
def repository_read(request, slug):
    repo = _get_repository_for_user(request, slug, manage=True)
    tasks.read_repository.enqueue(repo.pk)
    messages.success(request, f"“{repo.name}” is being read: reload in a minute to see the new commits.")
    return redirect(repo)


@login_required
@require_safe
def suggestion_list(request):
    """The open suggestions the viewer may decide, newest work first, each with its accept form.
    Queries: the page of suggestions with their people, systems, skills and repositories, their
    count, and the skills of the systems on the page."""
    if not permissions.is_lead_or_admin(request.user):
        raise PermissionDenied("Git suggestions go to the people's leads.")
    found = suggestions.decidable(request.user).select_related("person", "system", "skill", "repository")
    page = Paginator(found.order_by("-last_commit_at", "pk"), SUGGESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    skills_of = defaultdict(list)
    systems = {s.system_id for s in page}
    for skill in Skill.objects.filter(system__in=systems).order_by("name") if systems else ():
        skills_of[skill.system_id].append(skill)
    rows = [_row(s, skills_of[s.system_id]) for s in page]
    return render(request, "repos/suggestions.html", {"page": page, "rows": rows})


def _row(suggestion: Suggestion, skills: list[Skill], form: AcceptForm | None = None) -> dict:
    if suggestion.skill_id:
        skills = [s for s in skills if s.pk == suggestion.skill_id]
    return {
        "suggestion": suggestion,
        "form": form or AcceptForm(suggestion=suggestion, skills=skills),
        "commit_url": suggestions.commit_url(suggestion.repository, suggestion.commits[0])
        if suggestion.commits
        else "",
    }


def _get_suggestion_for_user(request, pk: int) -> Suggestion:
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("person", "system", "skill", "repository", "decided_by"), pk=pk
    )
    if not permissions.can_decide_suggestion(request.user, suggestion.person):
        raise PermissionDenied("Only the person's lead or an admin decides on a git suggestion about them.")
    return suggestion


def _decided(request, suggestion: Suggestion, *, error: str = "", form: AcceptForm | None = None):
    """After a decision: the row again for htmx (decided, or with the error), else the list."""
    if is_htmx(request):
        suggestion.refresh_from_db()
        row = _row(suggestion, list(suggestion.system.skills.order_by("name")), form)
        return render(request, "repos/suggestions.html#row", {"row": row, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{suggestion.person}: {suggestion.outcome}")
    return redirect("repos:suggestions")


@login_required
@require_POST
def suggestion_accept(request, pk):
    suggestion = _get_suggestion_for_user(request, pk)
    form = AcceptForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        return _decided(request, suggestion, error="Choose a skill of this system and a level.", form=form)
    try:
        suggestions.suggestion_accept(
            suggestion=suggestion, by=request.user, skill=form.cleaned_data["skill"], level=form.cleaned_data["level"]
        )
    except ValidationError as e:
        return _decided(request, suggestion, error=" ".join(e.messages))
    return _decided(request, suggestion)


@login_required
@require_POST
def suggestion_dismiss(request, pk):
    suggestion = _get_suggestion_for_user(request, pk)
    try:
        suggestions.suggestion_dismiss(suggestion=suggestion, by=request.user)
    except ValidationError as e:
        return _decided(request, suggestion, error=" ".join(e.messages))
    return _decided(request, suggestion)


@login_required
@require_http_methods(["GET", "POST"])
def alias_list(request):
    """Other emails people commit with (besides the repositories' ``.mailmap``): admins add and
    remove them; every repository's numbers follow at once."""
    if not permissions.can_register_repository(request.user):
        raise PermissionDenied("Only admins manage the commit emails of people.")
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alias = form.save()
        messages.success(request, f"Commits from {alias.email} now count as {alias.person}'s.")
        return redirect("repos:aliases")
    aliases = AuthorAlias.objects.select_related("person").order_by("email")
    return render(request, "repos/aliases.html", {"form": form, "aliases": aliases})


@login_required
@require_POST
def alias_delete(request, pk):
    if not permissions.can_register_repository(request.user):
        raise PermissionDenied("Only admins manage the commit emails of people.")
    alias = get_object_or_404(AuthorAlias, pk=pk)
    alias.delete()
    messages.success(request, f"Commits from {alias.email} no longer count as {alias.person}'s.")
    return redirect("repos:aliases")


@login_required
@require_safe
def system_panel(request, slug):
    """The system report's panel (loaded by htmx): the file-based truck factor of the system in
    each repository mapping it that the viewer may read, beside the skill-based one. Empty when
    none does. Queries: the system, the repositories, the skill-based truck factor, then the
    system's files in each repository (``selectors.system_knowledge``, at most
    ``PANEL_REPOSITORIES`` of them)."""
    system = get_object_or_404(System.objects.select_related("team"), slug=slug)
    if not permissions.can_read_report(request.user, system.team_id):
        raise PermissionDenied("Members see the report for their own team only.")
    repos = list(_readable(request.user).filter(mappings__system=system).distinct().order_by("name"))
    if not repos:
        return HttpResponse("")
    value, method, _ = selectors.skill_truck_factors([system])[system.pk]
    rows = []
    for repo in repos[:PANEL_REPOSITORIES]:
        found, people = selectors.system_knowledge(repo, system)
        rows.append(
            {
                "repo": repo,
                "knowledge": found,
                "authors": _authors(found.authors, people),
                "removals": _removals(found.truck_factor, people),
            }
        )
    return render(
        request,
        "repos/_system_panel.html",
        {
            "system": system,
            "rows": rows,
            "more": repos[PANEL_REPOSITORIES:],
            "skill_value": value,
            "skill_method": method,
        },
    )
