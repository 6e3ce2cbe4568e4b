from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from ops_skills.people.http import parse_week
from ops_skills.planner import plan as planning
from ops_skills.planner.models import Interest

DEFAULT_DUE_DAYS = 30
MAX_ROWS = 500


class PlanSettingsForm(forms.Form):
    """What a lead may change for one run of the planner; empty fields keep the settings."""

    mentor_capacity = forms.IntegerField(min_value=0, max_value=20, required=False, label="Mentor capacity")
    learner_capacity = forms.IntegerField(min_value=0, max_value=20, required=False, label="Learner capacity")
    target_1 = forms.IntegerField(min_value=1, max_value=20, required=False, label="Target, tier 1")
    target_2 = forms.IntegerField(min_value=1, max_value=20, required=False, label="Target, tier 2")
    target_3 = forms.IntegerField(min_value=1, max_value=20, required=False, label="Target, tier 3")
    week = forms.CharField(required=False, max_length=8, label="Week", widget=forms.TextInput(attrs={"type": "week"}))

    def __init__(self, *args, defaults: planning.Settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults = defaults
        self.fields["mentor_capacity"].widget.attrs["placeholder"] = defaults.mentor_capacity
        self.fields["learner_capacity"].widget.attrs["placeholder"] = defaults.learner_capacity
        for tier in (1, 2, 3):
            self.fields[f"target_{tier}"].widget.attrs["placeholder"] = defaults.target(tier)
        for field in self.fields.values():
            field.help_text = "open assignments per person" if "capacity" in field.label.lower() else ""
        self.fields["week"].help_text = "who is away: this week when empty"
        self.fields["week"].widget.attrs["placeholder"] = "2026-W51"

    def clean_week(self) -> str:
        week = self.cleaned_data["week"].strip()
        if week:
            try:
                parse_week(week)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return week

    def planned_week(self) -> tuple[date, date] | None:
        """The week asked for (Monday, Sunday); None for the current one, or when it is wrong."""
        if not self.is_valid() or not self.cleaned_data["week"]:
            return None
        return parse_week(self.cleaned_data["week"])

    def plan_settings(self) -> planning.Settings:
        """The settings with this run's overrides (the defaults when the form is invalid)."""
        if not self.is_valid():
            return self.defaults
        data = self.cleaned_data
        targets = {tier: data[f"target_{tier}"] or self.defaults.target(tier) for tier in (1, 2, 3)}
        return planning.Settings(
            mentor_capacity=self.defaults.mentor_capacity
            if data["mentor_capacity"] is None
            else data["mentor_capacity"],
            learner_capacity=self.defaults.learner_capacity
            if data["learner_capacity"] is None
            else data["learner_capacity"],
            targets=targets,
        )

    def query(self) -> dict[str, int]:
        """The overrides that were given, to carry them from the plan page to its accept form."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v is not None and v != ""}


class AcceptForm(forms.Form):
    """The rows a lead keeps (possibly swapped) and the due date. Rows come as
    ``keep-N``, ``skill-N``, ``mentor-N``, ``learner-N`` for N below ``rows``."""

    due_on = forms.DateField(
        label="Due date", input_formats=["%Y-%m-%d"], widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    rows = forms.IntegerField(min_value=0, max_value=MAX_ROWS, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"due_on": timezone.localdate() + timedelta(days=_due_days())})
        super().__init__(*args, **kwargs)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("The due date is in the past.")
        return due_on

    def clean(self):
        data = super().clean()
        kept = []
        for i in range(data.get("rows") or 0):
            if self.data.get(f"keep-{i}") != "on":
                continue
            try:
                row = planning.Row(*(int(self.data.get(f"{k}-{i}", "")) for k in ("skill", "mentor", "learner")))
            except ValueError:
                raise forms.ValidationError(f"Row {i + 1} is incomplete.") from None
            kept.append(row)
        if not kept and not self.errors:
            raise forms.ValidationError("Keep at least one proposal to accept.")
        data["kept"] = kept
        return data


def _due_days() -> int:
    return getattr(settings, "PLANNER_DUE_DAYS", DEFAULT_DUE_DAYS)


class InterestForm(forms.Form):
    skill = forms.IntegerField(min_value=1)
    wanted = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")
    kind = forms.ChoiceField(choices=Interest.Kind.choices)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why (optional, the people involved see it)")
