from django import forms

from ops_skills.skills import rules


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(
        choices=[(level, f"{level} · {label}") for level, label in rules.LEVEL_LABELS.items()],
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args, self_assessment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self_assessment:
            # Still offered (what someone believes is worth recording), but said to count as 2.
            self.fields["level"].choices = [
                (level, f"{level} · {label}" + (f" (counts as {rules.SELF_CAP})" if level > rules.SELF_CAP else ""))
                for level, label in rules.LEVEL_LABELS.items()
            ]


def self_cap_note(*, claimed: int, current: int) -> str:
    """Why a self assessment of ``claimed`` shows as ``current``, or "" when nothing needs saying."""
    if claimed <= rules.SELF_CAP or current >= claimed:
        return ""
    return (
        f"You said {claimed} ({rules.LEVEL_LABELS[claimed]}); your level shows {current}"
        f" ({rules.LEVEL_LABELS[current]}): a self assessment counts at most {rules.SELF_CAP}"
        f" ({rules.LEVEL_LABELS[rules.SELF_CAP]}). A lead's assessment, or confirmed evidence such as a"
        " production run you performed, raises it."
    )


class MatrixFilterForm(forms.Form):
    team = forms.CharField(required=False)
    system = forms.CharField(required=False)
    q = forms.CharField(required=False, label="Person")
    page = forms.IntegerField(required=False, min_value=1)
