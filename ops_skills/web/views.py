"""Pages that bring several apps together: the home page, a team, a person, inviting someone,
and deciding on evidence (which goes through ``flows``)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills import flows
from ops_skills.evidence import lifecycle
from ops_skills.evidence.forms import DisputeForm
from ops_skills.evidence.views import get_evidence
from ops_skills.levels import selectors as level_selectors
from ops_skills.onboarding import checklists as onboarding_checklists
from ops_skills.onboarding import home as onboarding_home
from ops_skills.onboarding import selectors as onboarding_selectors
from ops_skills.people import permissions
from ops_skills.people import services as people_services
from ops_skills.people.http import parse_id
from ops_skills.people.models import Invitation, Person, Team
from ops_skills.planner import home as planner_home
from ops_skills.reports import home as reports_home
from ops_skills.reports import org_risk
from ops_skills.web import inbox
from ops_skills.web.forms import InvitationForm

PAGE_SIZE = 50

# Each app's part of the home page: a function of the person returning a panel (a dict naming its
# template, with its context) or None. In this order, after the levels summary.
HOME_PANELS = [onboarding_home.panel, planner_home.panel, reports_home.panel]


@login_required
@require_safe
def home(request):
    context = level_selectors.levels_summary(request.user)
    if context.get("team") is not None and permissions.can_invite(request.user):
        context["pending_invitations"] = request.user.team.invitations.pending().count()
    context["panels"] = [p for p in (panel(request.user) for panel in HOME_PANELS) if p]
    context["inbox"] = inbox.inbox(request.user)
    context["org_risk"] = org_risk.panel(request.user)
    return render(request, "people/home.html", context)


@login_required
@require_safe
def team_detail(request, slug):
    team = get_object_or_404(Team, slug=slug)
    context = level_selectors.team_summary(team)
    context["team"] = team
    return render(request, "people/team_detail.html", context)


@login_required
@require_safe
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.select_related("team"), pk=pk)
    profile = level_selectors.person_profile(person)
    timeline = Paginator(profile.timeline, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "systems": profile.systems,
            "timeline": timeline,
            "can_manage": permissions.can_manage(request.user, person),
            # An account without a password yet (a matrix import made it): invite them to log in.
            "can_invite": permissions.can_invite_person(request.user, person) and person.awaits_invitation(),
            "onboarding": onboarding_selectors.person_onboarding(request.user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not permissions.can_invite(request.user):
        raise PermissionDenied("Only leads and admins invite people.")
    form = InvitationForm(request.POST or None, inviter=request.user, initial=_invitation_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                invitation = people_services.invitation_send(inviter=request.user, **form.invitation_data())
                if planned := form.onboarding():
                    # Started by the accounts adapter when the invitation is accepted.
                    onboarding_checklists.planned_onboarding_save(invitation=invitation, by=request.user, **planned)
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


def _invitation_initial(request) -> dict:
    """The form filled in for ``?person=<id>``, the person page's button inviting someone whose
    account has no password yet (a matrix import made it)."""
    person_id = parse_id(request.GET.get("person"))
    person = Person.objects.filter(pk=person_id).first() if person_id is not None else None
    if person is None or not permissions.can_invite_person(request.user, person):
        return {}
    return {"email": person.email, "name": person.name, "team": person.team_id, "role": person.role}


@login_required
@require_POST
def evidence_confirm(request, kind, pk):
    evidence = get_evidence(kind, pk)
    try:
        flows.evidence_confirm(evidence=evidence, person=request.user)
    except lifecycle.Settled as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Confirmed. It now counts towards levels.")
    return redirect(evidence)


@login_required
@require_POST
def evidence_dispute(request, kind, pk):
    evidence = get_evidence(kind, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        if not lifecycle.can_decide(request.user, evidence):
            raise PermissionDenied("Only another participant, or a lead of someone who took part, decides on evidence.")
        messages.error(request, "Say what is wrong with it to dispute it.")
        return redirect(evidence)
    try:
        flows.evidence_dispute(evidence=evidence, person=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:  # lifecycle.Settled among them: confirmed is final
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Disputed. It will not count until a lead confirms it.")
    return redirect(evidence)


@login_required
@require_POST
def evidence_leave_disputed(request, kind, pk):
    """A lead who checked a member's dispute leaves it standing (it stops waiting in the inbox)."""
    evidence = get_evidence(kind, pk)
    try:
        flows.evidence_leave_disputed(evidence=evidence, person=request.user)
    except lifecycle.Settled as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Left disputed. It does not count; you can still confirm it later.")
    return redirect(evidence)
