"""Forms of the pages that bring several apps together."""

from django import forms

from ops_skills.onboarding.models import OnboardingTemplate
from ops_skills.people import permissions
from ops_skills.people.fields import SafeModelChoiceField, safe_formfield
from ops_skills.people.forms import NearDateField
from ops_skills.people.models import Invitation, Person, Team


class InvitationForm(forms.ModelForm):
    # Optional: an onboarding that starts when the invitation is accepted (ops_skills.onboarding).
    onboarding_template = SafeModelChoiceField(
        queryset=None,
        required=False,
        label="Onboarding template",
        empty_label="No onboarding",
        help_text="Optional: their onboarding checklist starts when they accept.",
    )
    onboarding_buddy = SafeModelChoiceField(queryset=None, required=False, label="Buddy", empty_label="Choose a buddy")
    onboarding_start = NearDateField(
        required=False,
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Empty: the day they accept.",
    )
    ONBOARDING_FIELDS = ("onboarding_template", "onboarding_buddy", "onboarding_start")

    class Meta:
        model = Invitation
        formfield_callback = safe_formfield
        fields = ["email", "name", "team", "role"]

    def __init__(self, *args, inviter: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        self.account = None  # the invited email's account, when it has no password yet
        templates = OnboardingTemplate.objects.select_related("team")
        buddies = Person.objects.active().filter(is_active=True, team__isnull=False).select_related("team")
        if not inviter.is_admin:
            # A lead invites to their own team, as a member or a lead.
            self.fields["team"].queryset = Team.objects.filter(pk=inviter.team_id)
            self.fields["team"].initial = inviter.team_id
            self.fields["role"].choices = [
                (Person.Role.MEMBER, "Member"),
                (Person.Role.LEAD, "Lead"),
            ]
            templates = templates.filter(team_id=inviter.team_id)
            buddies = buddies.filter(team_id=inviter.team_id)
        self.fields["onboarding_template"].queryset = templates
        self.fields["onboarding_buddy"].queryset = buddies
        if inviter.is_admin:
            self.fields["onboarding_template"].label_from_instance = lambda t: f"{t.team} · {t.name}"
            self.fields["onboarding_buddy"].label_from_instance = lambda p: f"{p} · {p.team}"

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        # An account without a password yet (a matrix import made it) is invited to choose one.
        account = Person.objects.select_related("team").filter(email=email).first()
        if account is not None and not account.awaits_invitation():
            raise forms.ValidationError(
                "Someone with this email already has an account: they log in, or reset their password"
                " from the login page."
                if account.is_active and not account.is_departed
                else "Someone with this email has an account that is closed (they have left, or it was"
                " switched off); an admin reopens it."
            )
        self.account = account
        return email

    def clean(self):
        data = super().clean()
        if self.account is not None:
            self._clean_account_invitation(data)
        template, buddy, team = data.get("onboarding_template"), data.get("onboarding_buddy"), data.get("team")
        if template is None:
            if buddy is not None or data.get("onboarding_start"):
                self.add_error("onboarding_template", "Choose a template, or leave the onboarding fields empty.")
            return data
        if buddy is None:
            self.add_error("onboarding_buddy", "Choose a buddy for the onboarding.")
        if team is not None and template.team_id != team.pk:
            self.add_error("onboarding_template", f"Choose a template of {team}.")
        if team is not None and buddy is not None and buddy.team_id != team.pk:
            self.add_error("onboarding_buddy", f"Choose a buddy on {team}.")
        return data

    def _clean_account_invitation(self, data) -> None:
        account, team = self.account, data.get("team")
        if not permissions.can_invite_person(self.inviter, account):
            self.add_error("email", f"{account} has an account on another team; their lead or an admin invites them.")
        elif team is not None and account.team_id is not None and account.team_id != team.pk:
            self.add_error("team", f"{account} is on {account.team}: invite them to it, or move them first.")

    def onboarding(self) -> dict | None:
        """The planned onboarding, or None when none was chosen."""
        if not self.cleaned_data.get("onboarding_template"):
            return None
        return {
            "template": self.cleaned_data["onboarding_template"],
            "buddy": self.cleaned_data["onboarding_buddy"],
            "start_on": self.cleaned_data.get("onboarding_start"),
        }

    def invitation_data(self) -> dict:
        """What ``people.services.invitation_send`` takes."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.ONBOARDING_FIELDS}
