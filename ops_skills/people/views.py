from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ops_skills.people import permissions, services
from ops_skills.people.adapter import INVITATION_SESSION_KEY
from ops_skills.people.forms import InvitationPasswordForm
from ops_skills.people.models import Invitation, Person, Team

PAGE_SIZE = 50


@login_required
@require_safe
def team_list(request):
    # Someone whose departure is announced for a later day is still here (``Person.objects.active``).
    here = Q(people__departed_on__isnull=True) | Q(people__departed_on__gt=timezone.localdate())
    teams = Team.objects.annotate(
        people_count=Count("people", filter=here, distinct=True),
        system_count=Count("systems", distinct=True),
    )
    leads = Person.objects.active().filter(role=Person.Role.LEAD).order_by("name")
    leads_by_team: dict[int, list[Person]] = {}
    for lead in leads:
        leads_by_team.setdefault(lead.team_id, []).append(lead)
    rows = [(team, leads_by_team.get(team.pk, [])) for team in teams]
    return render(request, "people/team_list.html", {"rows": rows})


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
        people = people.active()
    elif state == "departed":
        people = people.filter(departed_on__lte=timezone.localdate())
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/person_list.html",
        {"page": page, "q": q, "team_slug": team_slug, "state": state, "teams": Team.objects.all()},
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("people:invitations")


@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, key):
    invitation = Invitation.objects.select_related("team", "invited_by").filter(key=key).first()
    if invitation is None or not invitation.is_usable:
        status = invitation.status if invitation else "unknown"
        return render(request, "people/invitation_invalid.html", {"status": status}, status=410 if invitation else 404)
    if request.user.is_authenticated:
        messages.info(request, "You are already logged in; log out to accept an invitation for someone else.")
        return redirect("people:home")
    account = Person.objects.filter(email=invitation.email).first()
    if account is not None:
        return _accept_for_account(request, invitation, account)
    request.session[INVITATION_SESSION_KEY] = invitation.key
    # The link was emailed to this address, so following it proves the address.
    get_account_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(reverse("account_signup"))


def _accept_for_account(request, invitation: Invitation, account: Person):
    """The invited email has an account already (a matrix import made it, without a password):
    they choose a password for it, rather than sign up, and are logged in."""
    if not account.awaits_invitation():
        return render(request, "people/invitation_invalid.html", {"status": "has_login"}, status=410)
    initial = {"name": account.name or invitation.name}
    form = InvitationPasswordForm(account, request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            with transaction.atomic():
                account = services.invitation_accept_for_account(
                    invitation=invitation,
                    person=account,
                    password=form.cleaned_data["password1"],
                    name=form.cleaned_data["name"],
                )
                get_account_adapter(request).invitation_accepted(invitation, account)
        except ValidationError as error:
            return render(request, "people/invitation_invalid.html", {"status": error.code}, status=410)
        return perform_login(request, account, email=account.email, redirect_url=reverse("people:home"))
    return render(request, "people/invitation_accept.html", {"invitation": invitation, "form": form})


def _get_invitation_for_user(request, pk) -> Invitation:
    if not permissions.can_invite(request.user):
        raise PermissionDenied("Only leads and admins manage invitations.")
    invitations = Invitation.objects.all()
    if not request.user.is_admin:
        invitations = invitations.filter(team_id=request.user.team_id)
    return get_object_or_404(invitations, pk=pk)
