from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.onboarding import selectors as onboarding_selectors
from ops_skills.onboarding import services as onboarding_services
from ops_skills.people import services
from ops_skills.people.adapter import INVITATION_SESSION_KEY
from ops_skills.people.forms import InvitationForm
from ops_skills.people.models import Invitation, Person, Team
from ops_skills.skills import selectors as skill_selectors

PAGE_SIZE = 50

# Each app's part of the home page: a function of the person returning a panel (a dict naming its
# template, with its context) or None. In this order, after the skills summary.
HOME_PANELS = [
    "ops_skills.onboarding.home.panel",
    "ops_skills.planner.home.panel",
    "ops_skills.reports.home.panel",
]


@login_required
@require_safe
def home(request):
    context = skill_selectors.home_summary(request.user)
    context["panels"] = [p for p in (import_string(path)(request.user) for path in HOME_PANELS) if p]
    return render(request, "people/home.html", context)


@login_required
@require_safe
def team_list(request):
    teams = Team.objects.annotate(
        people_count=Count("people", filter=Q(people__departed_on__isnull=True), distinct=True),
        system_count=Count("systems", distinct=True),
    )
    leads = Person.objects.filter(role=Person.Role.LEAD, departed_on__isnull=True).order_by("name")
    leads_by_team: dict[int, list[Person]] = {}
    for lead in leads:
        leads_by_team.setdefault(lead.team_id, []).append(lead)
    rows = [(team, leads_by_team.get(team.pk, [])) for team in teams]
    return render(request, "people/team_list.html", {"rows": rows})


@login_required
@require_safe
def team_detail(request, slug):
    team = get_object_or_404(Team, slug=slug)
    context = skill_selectors.team_summary(team)
    context["team"] = team
    return render(request, "people/team_detail.html", context)


@login_required
@require_safe
def person_list(request):
    people = Person.objects.select_related("team")
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q))
    team_slug = request.GET.get("team", "")
    if team_slug:
        people = people.filter(team__slug=team_slug)
    state = request.GET.get("state", "active")
    if state == "active":
        people = people.filter(departed_on__isnull=True)
    elif state == "departed":
        people = people.filter(departed_on__isnull=False)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_list.html",
        {"page": page, "q": q, "team_slug": team_slug, "state": state, "teams": Team.objects.all()},
    )


@login_required
@require_safe
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.select_related("team"), pk=pk)
    profile = skill_selectors.person_profile(person)
    timeline = Paginator(profile.timeline, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "systems": profile.systems,
            "timeline": timeline,
            "can_manage": request.user.manages(person),
            "onboarding": onboarding_selectors.person_onboarding(request.user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not request.user.can_invite:
        raise PermissionDenied("Only leads and admins invite people.")
    form = InvitationForm(request.POST or None, inviter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                invitation = services.invitation_send(inviter=request.user, **form.invitation_data())
                if planned := form.onboarding():
                    # Started by the accounts adapter when the invitation is accepted.
                    onboarding_services.planned_onboarding_save(invitation=invitation, by=request.user, **planned)
        except ValidationError as error:
            form.add_error(None, error)  # nothing was saved, and no email goes out
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}."
                + (" Their onboarding starts when they accept." if planned else ""),
            )
            return redirect("people:invitations")
    invitations = Invitation.objects.select_related("team", "invited_by", "accepted_by", "planned_onboarding__template")
    if not request.user.is_admin:
        invitations = invitations.filter(team_id=request.user.team_id)
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/invitations.html",
        {"form": form, "page": page, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("people:invitations")


@require_safe
def accept_invitation(request, key):
    invitation = Invitation.objects.select_related("team").filter(key=key).first()
    if invitation is None or not invitation.is_usable:
        status = invitation.status if invitation else "unknown"
        return render(request, "people/invitation_invalid.html", {"status": status}, status=410 if invitation else 404)
    if request.user.is_authenticated:
        messages.info(request, "You are already logged in; log out to accept an invitation for someone else.")
        return redirect("people:home")
    request.session[INVITATION_SESSION_KEY] = invitation.key
    # The link was emailed to this address, so following it proves the address.
    get_account_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(reverse("account_signup"))


def _get_invitation_for_user(request, pk) -> Invitation:
    if not request.user.can_invite:
        raise PermissionDenied("Only leads and admins manage invitations.")
    invitations = Invitation.objects.all()
    if not request.user.is_admin:
        invitations = invitations.filter(team_id=request.user.team_id)
    return get_object_or_404(invitations, pk=pk)
