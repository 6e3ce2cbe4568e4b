"""The admin names every model in the plural: Django's default adds an "s" to the singular, which
reads wrong for a name ending in a participle ("reminder sent" → "Reminder sents")."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

PROJECT_APPS = "ops_skills."
IRREGULAR_PARTICIPLES = {"sent", "read", "done", "seen", "given", "taken", "made", "kept", "left"}


def ends_with_a_participle(name: str) -> bool:
    """ "reminder sent", "runbook read", "item completed" (not "calendar feed")."""
    last = name.split()[-1]
    return last in IRREGULAR_PARTICIPLES or bool(re.fullmatch(r"\w+[^e]ed", last))


def project_models():
    return [m for m in admin.site._registry if m.__module__.startswith(PROJECT_APPS)]


def test_every_project_model_is_in_the_admin():
    assert len(project_models()) >= 20


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_admin_plural_is_not_a_participle_with_an_s(model):
    name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    if ends_with_a_participle(name):
        assert plural != f"{name}s", f"{model._meta.label}: {plural!r}"
    assert not plural.endswith(("peoples", "persons")), f"{model._meta.label}: {plural!r}"


@pytest.mark.parametrize(
    ("name", "participle"),
    [("reminder sent", True), ("runbook read", True), ("item completed", True), ("calendar feed", False)],
)
def test_ends_with_a_participle(name, participle):
    assert ends_with_a_participle(name) is participle


def test_the_admin_index_lists_reminders_sent(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Reminders sent" in page
    assert "Reminder sents" not in page
