from django import forms
from django.utils import timezone

from ops_skills.evidence.lifecycle import MAX_REASON
from ops_skills.evidence.models import NOTES_MAX_LENGTH, Runbook, RunbookExecution
from ops_skills.people.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from ops_skills.people.forms import MomentField
from ops_skills.people.http import parse_id
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill, System


class PeopleChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, person):
        return f"{person} · {person.team or 'no team'}"


class PersonChoiceField(SafeModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} · {person.team or 'no team'}"


def _active_people(viewer):
    # The viewer's own team first: that is who people pair with most.
    people = Person.objects.active().select_related("team")
    return sorted(people, key=lambda p: (p.team_id != viewer.team_id, str(p)))


class SkillSelect(forms.SelectMultiple):
    """A multiple select whose empty-valued option is a hint, not a choice ("Choose a system
    first"), as the options ``evidence:skill-options`` sends in its place."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == "":
            option["attrs"]["disabled"] = True
        return option


CHOOSE_A_SYSTEM = "Choose a system first"


class PairingSessionForm(forms.Form):
    mentor = PersonChoiceField(queryset=Person.objects.none(), label="Mentor (or driver)")
    learners = PeopleChoiceField(
        queryset=Person.objects.none(), label="Learners", widget=forms.SelectMultiple(attrs={"size": 6})
    )
    system = SafeModelChoiceField(queryset=System.objects.all(), required=False, label="System")
    skills = SafeModelMultipleChoiceField(
        queryset=Skill.objects.select_related("system"),
        widget=SkillSelect(attrs={"size": 6, "aria-describedby": "skills-help"}),
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=24 * 60, initial=60, label="Duration (minutes)")
    occurred_at = MomentField(
        initial=timezone.now, label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=NOTES_MAX_LENGTH, help_text="Markdown"
    )

    def __init__(self, *args, viewer: Person, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.active().select_related("team")
        self.fields["mentor"].queryset = people
        self.fields["learners"].queryset = people
        ordered = _active_people(viewer)
        choices = [(p.pk, f"{p} · {p.team or 'no team'}") for p in ordered]
        self.fields["mentor"].choices = [("", "---------"), *choices]
        self.fields["learners"].choices = choices
        self.fields["mentor"].initial = viewer.pk
        self.system_id = self._system_id()
        skills = self.fields["skills"]
        if self.system_id:
            skills.queryset = Skill.objects.filter(system_id=self.system_id).select_related("system")
            # The chosen system's skills by name ("Restore from snapshot"), those chosen kept.
            skills.choices = [(s.pk, s.name) for s in skills.queryset] or [("", "This system has no skills yet")]
        else:
            skills.choices = [("", CHOOSE_A_SYSTEM)]  # not all the organisation's skills

    def _system_id(self) -> int | None:
        """The system whose skills the form offers: the one chosen, else (a form sent without
        one) the one system of the skills sent."""
        system_id = parse_id(self.data.get("system") or self.initial.get("system"))
        if system_id or not self.is_bound:
            return system_id
        values = self.data.getlist("skills") if hasattr(self.data, "getlist") else self.data.get("skills") or []
        sent = [pk for value in values if (pk := parse_id(value))]
        systems = set(Skill.objects.filter(pk__in=sent).values_list("system_id", flat=True)) if sent else set()
        return systems.pop() if len(systems) == 1 else None

    def clean(self):
        data = super().clean()
        mentor, learners = data.get("mentor"), data.get("learners") or []
        if mentor and mentor in learners:
            self.add_error("learners", "The mentor cannot also be a learner.")
        return data


class RunbookChoiceField(SafeModelChoiceField):
    def label_from_instance(self, runbook):
        return f"{runbook.system.name} · {runbook.title}"


class ExecutionForm(forms.Form):
    runbook = RunbookChoiceField(queryset=Runbook.objects.select_related("system").defer("body"))
    performer = PersonChoiceField(queryset=Person.objects.none(), label="Performed by")
    participants = PeopleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Also there",
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Production work is done by two people or more.",
    )
    environment = forms.ChoiceField(choices=RunbookExecution.Environment, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(choices=RunbookExecution.Outcome, widget=forms.RadioSelect)
    occurred_at = MomentField(
        initial=timezone.now, label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    link = forms.URLField(required=False, assume_scheme="https", label="Incident or ticket link")
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=NOTES_MAX_LENGTH, help_text="Markdown"
    )

    def __init__(self, *args, viewer: Person, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.active().select_related("team")
        choices = [(p.pk, f"{p} · {p.team or 'no team'}") for p in _active_people(viewer)]
        for name in ("performer", "participants"):
            self.fields[name].queryset = people
        self.fields["performer"].choices = [("", "---------"), *choices]
        self.fields["participants"].choices = choices
        self.fields["performer"].initial = viewer.pk


class DisputeForm(forms.Form):
    reason = forms.CharField(max_length=MAX_REASON, label="What is wrong with it?")
