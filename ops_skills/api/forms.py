from django import forms

from ops_skills.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        validators=ApiToken._meta.get_field("name").validators,
        label="Name",
        help_text="What will use it, e.g. “deploy pipeline” or “my laptop”.",
    )
