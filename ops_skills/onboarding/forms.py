from datetime import timedelta

from django import forms
from django.utils import timezone

from ops_skills.evidence.models import Runbook
from ops_skills.onboarding.models import Kind, OnboardingTemplate, TemplateItem
from ops_skills.onboarding.template_services import item_problem
from ops_skills.people.fields import SafeModelChoiceField, safe_formfield
from ops_skills.people.forms import NearDateField
from ops_skills.people.models import Person, Team
from ops_skills.skills.models import Skill


class RunbookChoiceField(SafeModelChoiceField):
    def label_from_instance(self, runbook):
        return f"{runbook.system} · {runbook.title}"


class SkillChoiceField(SafeModelChoiceField):
    def label_from_instance(self, skill):
        return f"{skill.system} · {skill.name}"


class PersonChoiceField(SafeModelChoiceField):
    def label_from_instance(self, person):
        return f"{person} · {person.title}" if person.title else str(person)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = OnboardingTemplate
        formfield_callback = safe_formfield
        fields = ["team", "name", "role", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "description": "Markdown, shown at the top of every checklist made from it.",
            "role": "The role of the new hires it is meant for.",
        }

    def __init__(self, *args, viewer: Person, **kwargs):
        super().__init__(*args, **kwargs)
        if not viewer.is_admin:
            # A lead writes templates for their own team only.
            self.fields["team"].queryset = Team.objects.filter(pk=viewer.team_id)
            self.fields["team"].initial = viewer.team_id
            self.fields["team"].disabled = True


class TemplateItemForm(forms.ModelForm):
    runbook = RunbookChoiceField(
        queryset=Runbook.objects.select_related("system").order_by("system__name", "title"),
        required=False,
        empty_label="No runbook",
        help_text="For “read runbook” and “execute runbook in staging”.",
    )
    skill = SkillChoiceField(
        queryset=Skill.objects.select_related("system").order_by("system__name", "name"),
        required=False,
        empty_label="No skill",
        help_text="For “pair on skill”.",
    )

    class Meta:
        model = TemplateItem
        formfield_callback = safe_formfield
        fields = ["kind", "title", "runbook", "skill", "due_days", "guidance", "position"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 4})}
        labels = {"due_days": "Due (days after the start date)", "position": "Position in the list"}
        help_texts = {
            "due_days": "",
            "guidance": "Markdown: what to look at, whom to ask.",
            "position": "Items are listed by position, then by due date; 0 puts a new item last.",
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            problem = item_problem(kind=kind, runbook_id=data.get("runbook"), skill_id=data.get("skill"))
            if problem:
                self.add_error("skill" if kind == Kind.PAIR_SKILL else "runbook", problem)
        return data


class CopyTemplateForm(forms.Form):
    name = forms.CharField(max_length=150, label="Name of the copy")


class StartForm(forms.Form):
    template = SafeModelChoiceField(queryset=OnboardingTemplate.objects.none())
    buddy = PersonChoiceField(queryset=Person.objects.none(), help_text="Someone on the team who answers questions.")
    started_on = NearDateField(
        initial=timezone.localdate,
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["template"].queryset = OnboardingTemplate.objects.filter(team_id=person.team_id)
        self.fields["buddy"].queryset = (
            Person.objects.active().filter(team_id=person.team_id, is_active=True).exclude(pk=person.pk)
        )
        if person.started_on and person.started_on >= timezone.localdate() - timedelta(days=60):
            self.fields["started_on"].initial = person.started_on
        # The template for the person's role, when there is one.
        self.fields["template"].initial = (
            self.fields["template"].queryset.filter(role=person.role).values_list("pk", flat=True).first()
        )
