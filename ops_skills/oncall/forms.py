from django import forms
from django.core.validators import URLValidator

from ops_skills.oncall.models import Schedule
from ops_skills.skills.models import System


class ScheduleForm(forms.ModelForm):
    """A schedule of ``team``: an iCalendar feed's address or a PagerDuty schedule id, and the
    team's systems it answers for."""

    # Text, not a URL field: its validators would refuse a webcal:// address before clean_url reads it.
    url = forms.CharField(
        label="Feed address",
        required=False,
        max_length=500,
        help_text="The iCalendar feed's address (webcal:// is read as https://)",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )

    class Meta:
        model = Schedule
        fields = ["name", "kind", "url", "pagerduty_schedule_id", "systems"]
        widgets = {"systems": forms.CheckboxSelectMultiple, "kind": forms.RadioSelect}
        help_texts = {
            "systems": "What the person on call answers for: readiness checks these systems' critical skills."
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.team = team
        self.fields["systems"].queryset = System.objects.filter(team=team).order_by("name")

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url.lower().startswith("webcal://"):
            url = "https://" + url[len("webcal://") :]
        if url:
            URLValidator(schemes=["http", "https"], message="Enter an http://, https:// or webcal:// address.")(url)
        return url

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Schedule.Kind.ICAL and not data.get("url"):
            self.add_error("url", "An iCalendar schedule needs its feed's address.")
        if kind == Schedule.Kind.PAGERDUTY and not data.get("pagerduty_schedule_id"):
            self.add_error("pagerduty_schedule_id", "A PagerDuty schedule needs its id (PI7DH85 in its address).")
        name = data.get("name")
        clash = Schedule.objects.filter(team=self.instance.team, name=name).exclude(pk=self.instance.pk)
        if name and clash.exists():
            self.add_error("name", "The team has a schedule of that name already.")
        return data


class CriticalSkillsForm(forms.Form):
    """Whether each of ``skills`` is critical for on-call: a choice a skill, its field named
    ``skill-<id>``. The first choice leaves it to the system's tier (``selectors.critical_skills``:
    critical in a tier-1 system), and says what that gives."""

    FLAGS = {"": None, "yes": True, "no": False}

    def __init__(self, *args, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = list(skills)
        for skill in self.skills:
            default = "critical" if skill.system.tier == System.Tier.CRITICAL else "not critical"
            self.fields[f"skill-{skill.pk}"] = forms.ChoiceField(
                label=f"Critical for on-call: {skill.system.name} · {skill.name}",
                choices=[("", f"Tier default: {default}"), ("yes", "Critical"), ("no", "Not critical")],
                required=False,
                initial=next(key for key, flag in self.FLAGS.items() if flag is skill.oncall_critical),
            )

    def rows(self):
        """(skill, its field) in the order of ``skills``."""
        return [(skill, self[f"skill-{skill.pk}"]) for skill in self.skills]

    def critical(self) -> dict[int, bool | None]:
        """Skill id -> the flag chosen (None: the tier's default)."""
        return {skill.pk: self.FLAGS[self.cleaned_data[f"skill-{skill.pk}"]] for skill in self.skills}
