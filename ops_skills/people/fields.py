"""Choice fields over rows that refuse a value which cannot be a key before any query: "²",
"1e309", a NUL or a 20-digit number gave a ValueError or an OverflowError (a 500) in Django's
``ModelMultipleChoiceField`` and in the admin's autocomplete widgets. They answer with the
usual "Select a valid choice" error instead.

Use ``SafeModelChoiceField`` and ``SafeModelMultipleChoiceField`` in forms, and
``safe_formfield`` as the ``formfield_callback`` of a ModelForm (its foreign keys and
many-to-many fields then use them). The admin gets them through ``ops_skills.web.admin_site``."""

from django import forms
from django.db import models

from ops_skills.people.http import parse_id


def key_field(model, name: str | None = None):
    """The field of ``model`` that a choice is written as: ``name``, else the primary key; for a
    relation (a parent link as primary key), the field it points to."""
    field = model._meta.get_field(name) if name else model._meta.pk
    while field.is_relation:
        field = field.target_field
    return field


def is_key(field, value) -> bool:
    """Whether ``value`` (sent as text) can be a value of the model field ``field``: an integer
    key must be ASCII digits within the range of a primary key; any key must be free of NUL."""
    if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
        return parse_id(value) is not None
    return "\x00" not in str(value)


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        model = self.queryset.model
        key = key_field(model, self.to_field_name)
        if value not in self.empty_values and not isinstance(value, model) and not is_key(key, value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        field = key_field(self.queryset.model, self.to_field_name)
        for item in value:
            if not isinstance(item, (list, dict)) and not is_key(field, item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


def safe_formfield(db_field, **kwargs):
    """A ModelForm's form field for ``db_field``: the safe choice fields for relations."""
    if isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", SafeModelChoiceField)
    elif isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
    return db_field.formfield(**kwargs)
