"""The accounts adapters of ``people.adapter``, plus what follows an accepted invitation in the
apps above people: its planned onboarding starts (``flows.invitation_accepted``)."""

from ops_skills import flows
from ops_skills.people import adapter


class AccountAdapter(adapter.AccountAdapter):
    def invitation_accepted(self, invitation, user) -> None:
        flows.invitation_accepted(invitation=invitation, person=user)


class SocialAccountAdapter(adapter.SocialAccountAdapter):
    def invitation_accepted(self, invitation, user) -> None:
        flows.invitation_accepted(invitation=invitation, person=user)
