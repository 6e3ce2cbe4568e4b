from allauth.core import context
from django import forms

from ops_skills.people.adapter import signup_email_error


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
