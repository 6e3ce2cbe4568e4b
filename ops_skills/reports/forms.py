import re

from django import forms
from django.db.models import Q

from ops_skills.people.http import parse_id
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
        # The form starts on whoever fills it in, or on the person a link asked for (the person
        # page's ``?person=``) when they may choose them: not on an empty choice.
        asked = self.initial.get("person")
        if asked is None or (asked != user.pk and not people.filter(pk=asked).exists()):
            self.initial["person"] = user.pk
        self.fields["person"].label_from_instance = lambda p: f"{p.name or p.email} ({p.email})"

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first day.")
        return data


class _RepeatedText(forms.TextInput):
    """Every value of a repeated text parameter (``?what_if=a@x&what_if=b@x``), not only the last."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class WhatIfForm(forms.Form):
    """Who leaves. ``people`` are ids: the chips the page keeps and the links other pages make
    (``?people=12``). ``what_if`` is what was typed in the box: emails, as the exports, the API
    and ``busfactor --what-if`` take them, several separated by commas or spaces. Both resolve to
    active people in one query; ``chosen`` holds those found, for the chips, even when another
    one is wrong."""

    people = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    what_if = forms.Field(required=False, label="People who leave", widget=_RepeatedText)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen: list[Person] = []

    def clean_people(self) -> list[int]:
        values = [v.strip() for v in self.cleaned_data["people"] or [] if v.strip()]
        ids = [parse_id(v) for v in values]
        if None in ids:
            raise forms.ValidationError("People are picked by their number.")
        return list(dict.fromkeys(ids))

    def clean_what_if(self) -> list[str]:
        values = self.cleaned_data["what_if"] or []
        values = [values] if isinstance(values, str) else values
        return list(dict.fromkeys(e.lower() for v in values for e in re.split(r"[\s,;]+", v) if e))

    def clean(self):
        data = super().clean()
        ids, emails = data.get("people"), data.get("what_if")
        if ids is None or emails is None:
            return data
        if not ids and not emails:
            self.add_error("what_if", "Type the email of someone who leaves, or pick them from the list.")
            return data
        found = Person.objects.active().filter(Q(pk__in=ids) | Q(email__in=emails))
        # In the order given: the chips first, then the emails typed.
        order = {**{e: i for i, e in enumerate(emails, start=len(ids))}, **{pk: i for i, pk in enumerate(ids)}}
        self.chosen = sorted(found, key=lambda p: order.get(p.pk, order.get(p.email)))
        if set(ids) - {p.pk for p in self.chosen}:
            self.add_error("people", "Someone picked has left or is no longer in ops-skills: pick again.")
        missing = [e for e in emails if e not in {p.email for p in self.chosen}]
        if missing:
            self.add_error(
                "what_if",
                f"No active person has the email {', '.join(missing)}. "
                "Type their whole email, or pick them from the list as you type.",
            )
        data["people"] = self.chosen
        return data

    @property
    def typed(self) -> str:
        """The box's text to show again: kept when it was wrong, emptied once it became chips."""
        if not self.is_bound or "what_if" not in self.errors:
            return ""
        values = self["what_if"].value() or []
        return ", ".join(v for v in ([values] if isinstance(values, str) else values) if v.strip())
