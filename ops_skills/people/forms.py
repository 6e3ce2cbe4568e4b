from allauth.account.fields import PasswordField, SetPasswordField
from allauth.core import context
from django import forms
from django.utils import timezone

from ops_skills.people.adapter import invitation_from_session, signup_email_error
from ops_skills.people.http import in_range
from ops_skills.people.validators import validate_single_line


class MomentField(forms.DateTimeField):
    """A date-time the databases can store: one that converts to UTC (a year-1 date in a time
    zone east of UTC does not, and overflowed at save)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return in_range(moment)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None


class NearDateField(forms.DateField):
    """A date within ``YEARS`` of today: a start date that later dates are counted from
    (9999-12-31 plus a few days overflowed)."""

    YEARS = 10

    def validate(self, value):
        super().validate(value)
        if value is not None and abs((value - timezone.localdate()).days) > self.YEARS * 366:
            raise forms.ValidationError(f"Pick a date within {self.YEARS} years of today.", code="too_far")


class SignupExtraForm(forms.Form):
    """What allauth's signup forms (with a password, or after a social login) add: a name, and the
    rule on who may sign up (the invited email, or one at an allowed domain)."""

    name = forms.CharField(max_length=150, label="Your name", required=True, validators=[validate_single_line])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Signing up by invitation: the name the inviter gave, and who invited to which team
        # (shown by templates/allauth/layouts/entrance.html).
        self.invitation = invitation_from_session(context.request)
        if self.invitation is not None and self.invitation.name:
            self.fields["name"].initial = self.invitation.name

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


class InvitationPasswordForm(forms.Form):
    """Accepting an invitation to an account that exists without a password (a matrix import
    made it): the name, prefilled, and the password chosen, checked by allauth's rules (its
    ``SetPasswordForm`` is not imported here: ``account.forms`` loads this module's signup form)."""

    name = forms.CharField(max_length=150, label="Your name", required=True, validators=[validate_single_line])
    password1 = SetPasswordField(label="Password")
    password2 = PasswordField(label="Password (again)", autocomplete="new-password")

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].user = person  # the validators compare it with their name and email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Type the same password twice.")
        return data
