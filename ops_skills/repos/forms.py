import os
import re

from django import forms
from django.core.exceptions import ValidationError

from ops_skills.levels.rules import LEVEL_LABELS
from ops_skills.people.models import Person
from ops_skills.repos.models import AuthorAlias, PathMapping, Repository
from ops_skills.skills.models import Skill, System

# Slugs the pages under /repos/ use themselves: a repository named so would be unreachable.
RESERVED_SLUGS = {"new", "suggestions", "aliases", "systems"}
GITHUB_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class RepositoryForm(forms.ModelForm):
    """A repository an admin registers: where its clone is on this server and who owns it."""

    class Meta:
        model = Repository
        fields = ["name", "slug", "team", "path", "web_url", "github_full_name", "recency_days", "bot_patterns"]
        widgets = {
            "bot_patterns": forms.Textarea(attrs={"rows": 3}),
            # Text, styled as the other fields (the stylesheet has no url input); the URL field validates it.
            "web_url": forms.TextInput(attrs={"inputmode": "url"}),
        }
        labels = {
            "path": "Clone path",
            "web_url": "Web address",
            "github_full_name": "GitHub repository",
            "recency_days": "Recency window (days)",
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"“{slug}” is the name of a page under /repos/: choose another.")
        return slug

    def clean_path(self):
        path = self.cleaned_data["path"].strip()
        if not os.path.isabs(path):
            raise ValidationError("Give the absolute path of the clone on this server, such as /srv/git/infra.")
        if not os.path.isdir(path):
            raise ValidationError("There is no directory at this path on the server: clone the repository there first.")
        return path

    def clean_github_full_name(self):
        name = self.cleaned_data["github_full_name"].strip()
        if name and not GITHUB_NAME.match(name):
            raise ValidationError("Write it as owner/name, such as acme/infra.")
        return name

    def clean_recency_days(self):
        days = self.cleaned_data["recency_days"]
        if days < 1:
            raise ValidationError("Count at least one day of history.")
        return days


class SkillChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.system.name} · {obj.name}"


class PathMappingForm(forms.ModelForm):
    """One path pattern of a repository and the system (and, optionally, skill) it belongs to."""

    skill = SkillChoiceField(
        queryset=Skill.objects.select_related("system").order_by("system__name", "name"),
        required=False,
        empty_label="Any skill of the system",
        help_text="Optional: the one skill these files exercise",
    )

    class Meta:
        model = PathMapping
        fields = ["pattern", "system", "skill"]
        help_texts = {"pattern": "A glob: * within a directory, ** across them, such as modules/postgres/**"}

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = System.objects.order_by("name")
        self.fields["system"].empty_label = "Choose a system"
        if choices is not None:
            # The formset's forms share one reading of the systems and skills.
            self.fields["system"].choices = choices["system"]
            self.fields["skill"].choices = choices["skill"]

    def clean(self):
        data = super().clean()
        system, skill = data.get("system"), data.get("skill")
        if system and skill and skill.system_id != system.pk:
            self.add_error("skill", f"{skill.name} is a skill of {skill.system.name}, not of {system.name}.")
        return data


class BasePathMappingFormSet(forms.BaseInlineFormSet):
    """The mappings of a repository; the systems and skills are read once for all the forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sample = PathMappingForm()
        self._choices = {
            "system": list(sample.fields["system"].choices),
            "skill": list(sample.fields["skill"].choices),
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "choices": self._choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            choices=self._choices,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE") or form.errors:
                continue
            key = (form.cleaned_data["pattern"], form.cleaned_data["system"], form.cleaned_data.get("skill"))
            if key in seen:
                form.add_error("pattern", "This pattern is mapped to the same system and skill twice.")
            seen.add(key)


PathMappingFormSet = forms.inlineformset_factory(
    Repository,
    PathMapping,
    form=PathMappingForm,
    formset=BasePathMappingFormSet,
    extra=3,
    can_delete=True,
)


LEVEL_CHOICES = [(level, f"{level} · {LEVEL_LABELS[level]}") for level in range(1, 5)]


class AcceptForm(forms.Form):
    """Accepting a suggestion: the skill of the suggested system it is about, and the level."""

    skill = forms.ModelChoiceField(queryset=Skill.objects.none(), empty_label=None)
    level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int, initial=2)

    def __init__(self, *args, suggestion, skills=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Skill.objects.filter(system_id=suggestion.system_id).order_by("name")
        if suggestion.skill_id:
            queryset = queryset.filter(pk=suggestion.skill_id)
        self.fields["skill"].queryset = queryset
        if skills is not None:
            # The suggestions page reads every suggested system's skills at once.
            self.fields["skill"].choices = [(s.pk, s.name) for s in skills]
        self.auto_id = f"s{suggestion.pk}-%s"


class AliasForm(forms.ModelForm):
    """Another email a person commits with."""

    person = forms.ModelChoiceField(queryset=Person.objects.filter(is_active=True).order_by("name", "email"))

    class Meta:
        model = AuthorAlias
        fields = ["email", "person"]
        labels = {"email": "Commit email"}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        owner = Person.objects.filter(email=email).first()
        if owner is not None:
            raise ValidationError(f"This is {owner}'s own email: their commits are matched already.")
        if AuthorAlias.objects.filter(email=email).exists():
            raise ValidationError("This email is an alias already.")
        return email
