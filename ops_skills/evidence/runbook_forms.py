from django import forms

from ops_skills.evidence.markdown import normalise_source
from ops_skills.evidence.models import MAX_REVIEW_INTERVAL_DAYS, RUNBOOK_BODY_MAX_LENGTH, RUNBOOK_TEMPLATE, Runbook
from ops_skills.people.fields import SafeModelChoiceField, safe_formfield
from ops_skills.people.http import parse_id
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill, System


class OwnerChoiceField(SafeModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} · {person.team or 'no team'}"


class RunbookForm(forms.ModelForm):
    """Create (with a system) or edit (the system is fixed) a runbook. Saving is the view's job,
    through ``flows.runbook_save``, so that every change of text becomes a revision and a change
    of skills refreshes the levels it moves."""

    owner = OwnerChoiceField(queryset=Person.objects.none(), required=False, help_text="Keeps it up to date.")
    note = forms.CharField(
        max_length=200, required=False, label="What changed", help_text="Optional; kept with the revision."
    )
    # The revision the editor started from: a save on top of someone else's newer one is refused.
    base_revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = Runbook
        fields = ["system", "title", "skills", "owner", "review_interval_days", "body"]
        formfield_callback = safe_formfield  # ids too large for the database: a form error
        labels = {"review_interval_days": "Review every (days)", "skills": "Skills it exercises"}
        widgets = {
            # The cap is checked on the stored (normalised) text, by the model's validator.
            "body": forms.Textarea(attrs={"rows": 26, "spellcheck": "true", "maxlength": RUNBOOK_BODY_MAX_LENGTH}),
            "review_interval_days": forms.NumberInput(attrs={"min": 1, "max": MAX_REVIEW_INTERVAL_DAYS}),
            "skills": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, viewer: Person, systems=None, latest_revision: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest_revision = latest_revision
        self.stale_from = None  # set when refused for being based on an older revision
        self.fields["body"].strip = False  # normalise_source decides what whitespace goes
        self.fields["owner"].queryset = Person.objects.active().select_related("team")
        if self.instance.pk is None:
            self.fields["system"].queryset = systems if systems is not None else System.objects.none()
            self.fields["body"].initial = RUNBOOK_TEMPLATE
            self.fields["owner"].initial = viewer.pk
            self.fields["base_revision"].initial = 0
            system_id = self.data.get("system") or self.initial.get("system")
        else:
            del self.fields["system"]
            system_id = self.instance.system_id
            self.fields["base_revision"].initial = latest_revision
        self.fields["skills"].queryset = (
            Skill.objects.filter(system_id=system_id) if parse_id(system_id) else Skill.objects.none()
        )

    def clean_body(self) -> str:
        body = normalise_source(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError("Write the runbook: start from the sections of the template.")
        return body

    def clean(self):
        data = super().clean()
        system = data.get("system") if self.instance.pk is None else self.instance.system
        if system is not None and any(s.system_id != system.pk for s in data.get("skills") or []):
            self.add_error("skills", "Pick skills of this runbook's system.")
        base = data.get("base_revision")
        if self.instance.pk is not None and base is not None and base < self.latest_revision:
            # Shown again, the form is based on the newest revision: saving it a second time is a
            # deliberate choice to replace that revision's text with this one.
            self.stale_from = base
            self.data = self.data.copy()
            self.data["base_revision"] = str(self.latest_revision)
            raise forms.ValidationError(
                f"Someone saved revision {self.latest_revision} while you were editing (you started from "
                f"revision {base}). Compare the two, then save again to replace it with your text.",
                code="stale",
            )
        return data
