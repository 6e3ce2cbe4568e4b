from django import forms

from ops_skills.people.models import Person
from ops_skills.reports.models import Absence


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["person", "kind", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"starts_on": "First day", "ends_on": "Last day"}

    def __init__(self, *args, user: Person, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.active().order_by("name", "email")
        if not user.is_admin:
            people = people.filter(team=user.team) if user.is_lead and user.team_id else people.filter(pk=user.pk)
        self.fields["person"].queryset = people
        self.fields["person"].initial = user.pk
        self.fields["person"].label_from_instance = lambda p: f"{p.name or p.email} ({p.email})"

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first day.")
        return data


class WhatIfForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        help_text="Hold Ctrl (⌘ on a Mac) to pick several; type to search.",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.active().order_by("name", "email")
        self.fields["people"].label_from_instance = lambda p: f"{p.name or p.email} · {p.email}"
