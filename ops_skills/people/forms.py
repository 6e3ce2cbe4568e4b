from allauth.core import context
from django import forms

from ops_skills.people.adapter import signup_email_error
from ops_skills.people.models import Invitation, Person, Team


class SignupExtraForm(forms.Form):
    """What allauth's signup forms (with a password, or after a social login) add: a name, and the
    rule on who may sign up (the invited email, or one at an allowed domain)."""

    name = forms.CharField(max_length=150, label="Your name", required=True)

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email:
            error = signup_email_error(context.request, email)
            if error:
                self.add_error("email", error)
        return cleaned_data

    def signup(self, request, user):
        # The adapter's save_user already stored the name; allauth requires this hook.
        pass


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "name", "team", "role"]

    def __init__(self, *args, inviter: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        if not inviter.is_admin:
            # A lead invites to their own team, as a member or a lead.
            self.fields["team"].queryset = Team.objects.filter(pk=inviter.team_id)
            self.fields["team"].initial = inviter.team_id
            self.fields["role"].choices = [
                (Person.Role.MEMBER, "Member"),
                (Person.Role.LEAD, "Lead"),
            ]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Person.objects.filter(email=email).exists():
            raise forms.ValidationError("Someone with this email already has an account.")
        return email
