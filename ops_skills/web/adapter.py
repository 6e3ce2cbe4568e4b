"""The accounts adapters of ``people.adapter``, plus what follows an accepted invitation in the
apps above people: its planned onboarding starts (``flows.invitation_accepted``)."""

from allauth.socialaccount.models import SocialApp
from django.http import Http404

from ops_skills import flows
from ops_skills.people import adapter


class AccountAdapter(adapter.AccountAdapter):
    def invitation_accepted(self, invitation, user) -> None:
        flows.invitation_accepted(invitation=invitation, person=user)


class SocialAccountAdapter(adapter.SocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        """A provider whose client id is not set (README, "Single sign-on") still has its URLs, as
        its app is installed: they answer 404 rather than 500."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"Signing in with {provider} is not set up.") from None

    def invitation_accepted(self, invitation, user) -> None:
        flows.invitation_accepted(invitation=invitation, person=user)
