"""django-allauth adapters: signup only by invitation or from an allowed email domain.

allauth has no invitations, so they are built on its adapter: the invitation link puts the
invitation's key in the session (``people.views.accept_invitation``); while it is there, signup is
open for that one email address, and saving the user consumes the invitation and applies its team
and role.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone

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
    return Invitation.objects.pending().select_related("team").filter(key=key).first()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SIGNUP_EMAIL_DOMAINS) or invitation_from_session(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        invitation = invitation_from_session(self.request)
        if invitation is not None:
            if email != invitation.email:
                raise forms.ValidationError(f"This invitation is for {invitation.email}.")
        elif not email_domain_allowed(email):
            raise forms.ValidationError("Sign-up is by invitation. Ask your team lead to invite you.")
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        name = form.cleaned_data.get("name") if hasattr(form, "cleaned_data") else None
        if name:
            user.name = name
        with transaction.atomic():
            invitation = _claim_invitation(request, user.email)
            if invitation is not None:
                user.team = invitation.team
                user.role = invitation.role
                user.name = user.name or invitation.name
            if commit:
                user.save()
            if invitation is not None:
                invitation.accepted_by = user if commit else None
                invitation.save(update_fields=["accepted_at", "accepted_by"])
        return user


def _claim_invitation(request, email: str) -> Invitation | None:
    """Lock and consume the session's invitation; ``None`` when there is none to use."""
    key = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    if not key:
        return None
    invitation = Invitation.objects.select_for_update().pending().filter(key=key, email=email.lower()).first()
    if invitation is None:
        return None
    invitation.accepted_at = timezone.now()
    request.session.pop(INVITATION_SESSION_KEY, None)
    return invitation


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = (sociallogin.user.email or "").lower()
        invitation = invitation_from_session(request)
        if invitation is not None:
            return email == invitation.email
        return email_domain_allowed(email)
