"""django-allauth adapters: signup only by invitation or from an allowed email domain.

allauth has no invitations, so they are built on its adapter: the invitation link puts the
invitation's key in the session (``people.views.accept_invitation``); while it is there, signup is
open for that one email address, and saving the user consumes the invitation and applies its team
and role.

The email rule is checked by the signup forms (``people.forms.SignupExtraForm``) and, for a social
signup without a form, by ``SocialAccountAdapter.is_open_for_signup``; never in
``AccountAdapter.clean_email``, which allauth also runs on password reset, on adding an address and
on every address a provider or a new account brings, where a signup rule has no place.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ops_skills.people.client_ip import client_ip
from ops_skills.people.models import Invitation

INVITATION_SESSION_KEY = "ops_skills_invitation"


def user_display(user) -> str:
    return user.name or user.email


def email_domain_allowed(email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return bool(domain) and domain in settings.SIGNUP_EMAIL_DOMAINS


def invitation_from_session(request) -> Invitation | None:
    key = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    if not key:
        return None
    return Invitation.objects.pending().select_related("team", "invited_by").filter(key=key).first()


def signup_email_error(request, email: str) -> str | None:
    """Why ``email`` may not sign up in this session, or ``None`` when it may."""
    invitation = invitation_from_session(request)
    if invitation is not None:
        if email.lower() != invitation.email:
            return f"This invitation is for {invitation.email}."
        return None
    if not email_domain_allowed(email):
        return "Sign-up is by invitation. Ask your team lead to invite you."
    return None


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The address the login rate limits count (``people.client_ip``: the proxies' word, and
        never a 500 for a short ``X-Forwarded-For``)."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SIGNUP_EMAIL_DOMAINS) or invitation_from_session(request) is not None

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        name = form.cleaned_data.get("name") if hasattr(form, "cleaned_data") else None
        if name:
            user.name = name
        with transaction.atomic():
            invitation = _claim_invitation(request, user)
            if commit:
                user.save()
            _record_acceptance(invitation, user)
            if invitation is not None and user.pk:
                self.invitation_accepted(invitation, user)
        return user

    def invitation_accepted(self, invitation: Invitation, user) -> None:
        """What else follows an accepted invitation: nothing here, in the people app;
        ``ops_skills.web.adapter`` starts the onboarding planned with it."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = sociallogin.user.email or ""
        return bool(email) and signup_email_error(request, email) is None

    def save_user(self, request, sociallogin, form=None):
        if form is not None:
            # The signup form goes through AccountAdapter.save_user, which claims the invitation.
            return super().save_user(request, sociallogin, form)
        with transaction.atomic():
            invitation = _claim_invitation(request, sociallogin.user)
            user = super().save_user(request, sociallogin, form)
            _record_acceptance(invitation, user)
            if invitation is not None and user.pk:
                self.invitation_accepted(invitation, user)
        return user

    def invitation_accepted(self, invitation: Invitation, user) -> None:
        """See ``AccountAdapter.invitation_accepted``."""


def _claim_invitation(request, user) -> Invitation | None:
    """Lock and consume the session's invitation for ``user``'s email, giving ``user`` its team
    and role; ``None`` when there is none to use."""
    key = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    if not key or not user.email:
        return None
    invitation = Invitation.objects.select_for_update().pending().filter(key=key, email=user.email.lower()).first()
    if invitation is None:
        return None
    invitation.accepted_at = timezone.now()
    user.team = invitation.team
    user.role = invitation.role
    user.name = user.name or invitation.name
    request.session.pop(INVITATION_SESSION_KEY, None)
    return invitation


def _record_acceptance(invitation: Invitation | None, user) -> None:
    if invitation is not None:
        invitation.accepted_by = user if user.pk else None
        invitation.save(update_fields=["accepted_at", "accepted_by"])
