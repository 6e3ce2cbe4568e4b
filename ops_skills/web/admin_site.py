"""The admin site: Django's, with every model admin and inline (ours, Django's, allauth's) given
the choice fields and autocomplete widgets of ``ops_skills.people.fields``, which refuse a value
that cannot be a key ("²", "1e309", a NUL, a 20-digit number; in ``?team=`` on an add page or in
a posted form) with "Select a valid choice" rather than a 500. It is installed as the default
site by ``AdminConfig`` (``INSTALLED_APPS``), so ``admin.site`` and ``@admin.register`` use it."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple

from ops_skills.people.fields import SafeModelChoiceField, SafeModelMultipleChoiceField, is_key, key_field


class SafeAutocompleteMixin:
    """The selected options are looked up by value: leave out those that cannot be keys (the
    field's error says why)."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field = key_field(remote.model, getattr(remote, "field_name", None))
        value = [v for v in value if v in self.choices.field.empty_values or is_key(field, v)]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeChoicesMixin:
    """Relations use the safe fields and widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeModelAdminMixin(SafeChoicesMixin):
    def get_inlines(self, request, obj):
        return [safe(inline) for inline in super().get_inlines(request, obj)]


class SafeInlineMixin(SafeChoicesMixin):
    pass


_safe_classes = {}


def safe(admin_class):
    """``admin_class`` with the safe mixin first, under its own name."""
    mixin = SafeInlineMixin if issubclass(admin_class, InlineModelAdmin) else SafeModelAdminMixin
    if issubclass(admin_class, mixin):
        return admin_class
    if admin_class not in _safe_classes:
        names = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
        _safe_classes[admin_class] = type(admin_class.__name__, (mixin, admin_class), names)
    return _safe_classes[admin_class]


class SafeAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, safe(admin_class or admin.ModelAdmin), **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "ops_skills.web.admin_site.SafeAdminSite"
