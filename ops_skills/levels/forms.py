from django import forms

from ops_skills.skills import rules


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=[(level, f"{level} · {label}") for level, label in rules.LEVEL_LABELS.items()],
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")


class MatrixFilterForm(forms.Form):
    team = forms.CharField(required=False)
    system = forms.CharField(required=False)
    q = forms.CharField(required=False, label="Person")
    page = forms.IntegerField(required=False, min_value=1)
