from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from ops_skills.audit.scope import KINDS
from ops_skills.people import audit
from ops_skills.people.http import parse_id


class AuditFilterForm(forms.Form):
    """The audit page's filters; every one optional."""

    q = forms.CharField(required=False, max_length=100, label="Search", strip=True)
    person = forms.CharField(required=False, label="Person")
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *((k, v[0]) for k, v in KINDS.items())])
    origin = forms.ChoiceField(required=False, choices=[("", "Anywhere"), *audit.ORIGINS], label="From")
    since = forms.DateField(required=False, label="From day", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To day", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_person(self) -> int | None:
        value = self.cleaned_data["person"]
        if not value:
            return None
        person_id = parse_id(value)
        if person_id is None:
            raise forms.ValidationError("Choose a person from the list.")
        return person_id

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day cannot be before the first day.")
        return data

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The chosen days as a half-open range of times, in the site's time zone."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        zone = timezone.get_current_timezone()
        start = datetime.combine(since, time.min, zone) if since else None
        end = datetime.combine(until, time.min, zone) + timedelta(days=1) if until and until < until.max else None
        return start, end
