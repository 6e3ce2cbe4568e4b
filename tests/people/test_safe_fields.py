"""A choice of a row that cannot be a key ("²", "1e309", a 20-digit number, a NUL) is refused with
"Select a valid choice" before any query, in the app's forms and in the admin, rather than a
ValueError or an OverflowError (a 500); a NUL in a multipart form is a 400 (issue 12, the
findings of tests/test_sweep.py)."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from ops_skills.evidence.forms import ExecutionForm, PairingSessionForm
from ops_skills.onboarding.forms import StartForm, TemplateForm, TemplateItemForm
from ops_skills.people.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from ops_skills.people.http import BadInput, RefuseNulMiddleware
from ops_skills.people.models import Team
from ops_skills.skills.models import Skill, System
from ops_skills.web.admin_site import SafeAutocompleteSelect, SafeInlineMixin, SafeModelAdminMixin
from ops_skills.web.forms import InvitationForm
from tests.factories import make_runbook, make_skill, make_system

NOT_KEYS = ["²", "١٢٣", "1e309", "NaN", "99999999999999999999", "-1", "0", "a\x00b", "1.5"]
HUGE = "99999999999999999999"


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


# The fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_KEYS)
def test_a_choice_that_cannot_be_a_key_is_refused_before_any_query(team, value, django_assert_num_queries):
    """Django's multiple choice field sent a 20-digit number to the database: an OverflowError
    on SQLite."""
    single = SafeModelChoiceField(queryset=Team.objects.all())
    many = SafeModelMultipleChoiceField(queryset=Team.objects.all())
    with django_assert_num_queries(0):
        for field, data in ((single, value), (many, [str(team.pk), value])):
            with pytest.raises(ValidationError) as error:
                field.clean(data)
            assert error.value.code == "invalid_choice"
            assert "Select a valid choice" in error.value.messages[0]


def test_a_choice_that_is_a_key_is_chosen(team, other_team):
    assert SafeModelChoiceField(queryset=Team.objects.all()).clean(f" {team.pk} ") == team
    chosen = SafeModelMultipleChoiceField(queryset=Team.objects.all()).clean([str(team.pk), other_team.pk])
    assert set(chosen) == {team, other_team}
    with pytest.raises(ValidationError, match="Select a valid choice"):
        SafeModelChoiceField(queryset=Team.objects.all()).clean(str(team.pk + other_team.pk + 1))


def test_the_app_forms_choose_rows_with_the_safe_fields(lead, admin_user, system):
    forms = [
        PairingSessionForm(viewer=lead),
        ExecutionForm(viewer=lead),
        InvitationForm(inviter=admin_user),
        TemplateForm(viewer=admin_user),
        TemplateItemForm(),
        StartForm(person=lead),
    ]
    for form in forms:
        for name, field in form.fields.items():
            if hasattr(field, "queryset"):
                assert isinstance(field, (SafeModelChoiceField, SafeModelMultipleChoiceField)), (form, name)


@pytest.mark.parametrize("value", [HUGE, "²", "1e309"])
def test_logging_a_pairing_session_with_a_learner_that_cannot_exist_says_so(client_for, lead, member, skill, value):
    data = {
        "mentor": lead.pk,
        "learners": [member.pk, value],
        "skills": [skill.pk, value],
        "system": value,
        "duration_minutes": 60,
        "occurred_at": "2026-01-05T10:00",
    }
    response = client_for(lead).post(reverse("evidence:session-create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Select a valid choice" in str(errors["learners"])
    assert "Select a valid choice" in str(errors["skills"])


def test_logging_an_execution_with_a_participant_that_cannot_exist_says_so(client_for, lead, member, system, skill):
    runbook = make_runbook(system, [skill])
    data = {
        "runbook": runbook.pk,
        "performer": lead.pk,
        "participants": [member.pk, HUGE],
        "environment": "staging",
        "outcome": "success",
        "occurred_at": "2026-01-05T10:00",
    }
    response = client_for(lead).post(reverse("evidence:execution-create"), data)
    assert response.status_code == 400
    assert "Select a valid choice" in str(response.context["form"].errors["participants"])


def test_writing_a_runbook_with_a_skill_that_cannot_exist_says_so(client_for, lead, system, skill):
    data = {"system": system.pk, "title": "Restore", "skills": [skill.pk, HUGE], "review_interval_days": 90}
    response = client_for(lead).post(reverse("evidence:runbook-create"), data)
    assert response.status_code in (200, 400)
    assert "Select a valid choice" in str(response.context["form"].errors["skills"])


# The admin ----------------------------------------------------------------------------------


def test_every_admin_and_inline_uses_the_safe_fields(rf, admin_user):
    """The site wraps every model admin it registers (Django's, allauth's, ours), and each of
    their inlines."""
    request = rf.get("/admin/")
    request.user = admin_user
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, SafeModelAdminMixin), model
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, SafeInlineMixin), (model, inline)


ADD_PAGES = [
    ("admin:people_person_add", "team"),
    ("admin:people_invitation_add", "team"),
    ("admin:evidence_runbookread_add", "runbook"),
    ("admin:evidence_runbook_add", "skills"),
    ("admin:onboarding_checklist_add", "buddy"),
    ("admin:evidence_pairingsession_add", "learners"),
    ("admin:skills_assessment_add", "person"),
]


@pytest.mark.parametrize(("name", "param"), ADD_PAGES)
@pytest.mark.parametrize("value", ["²", "1e309", HUGE])
def test_an_admin_add_page_with_a_starting_value_that_cannot_be_a_key_shows_the_form(
    client_for, admin_user, name, param, value
):
    """The autocomplete widget looked the value up: a ValueError or an OverflowError."""
    response = client_for(admin_user).get(reverse(name), {param: value})
    assert response.status_code == 200


def test_an_admin_form_with_choices_that_cannot_be_keys_says_so(client_for, admin_user, lead, skill):
    data = {"mentor": lead.pk, "learners": [HUGE], "skills": ["²"], "duration_minutes": 60}
    response = client_for(admin_user).post(reverse("admin:evidence_pairingsession_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Select a valid choice" in str(errors["learners"])
    assert "Select a valid choice" in str(errors["skills"])


def test_the_autocomplete_widget_shows_no_option_for_a_value_that_cannot_be_a_key(system):
    field = SafeModelChoiceField(
        queryset=System.objects.all(),
        widget=SafeAutocompleteSelect(Skill._meta.get_field("system"), admin.site),
    )
    for value in ["a\x00b", "²", HUGE, "1e309"]:
        assert "<option" not in field.widget.render("system", value).replace('<option value=""', "")
    assert system.name in field.widget.render("system", str(system.pk))


# NUL in a multipart form --------------------------------------------------------------------


def test_a_nul_in_a_multipart_form_is_a_400_that_names_the_field(client_for, admin_user, system):
    """Forms with a file are multipart: the admin's forms reached a lookup with the NUL."""
    response = client_for(admin_user).post(reverse("admin:skills_skill_add"), {"system": "\x00", "name": "x"})
    assert response.status_code == 400
    assert "“system” contains a NUL" in response.content.decode()


def test_a_view_exempt_from_the_csrf_check_reads_its_multipart_form_itself(rf):
    """It may set its own upload handlers, which must happen before the form is read."""
    middleware = RefuseNulMiddleware(lambda request: HttpResponse())
    exempt = rf.post("/upload/", {"name": "a\x00b"})
    assert middleware.process_view(exempt, csrf_exempt(lambda request: None), (), {}) is None
    assert not hasattr(exempt, "_post")  # not parsed
    checked = rf.post("/upload/", {"name": "a\x00b"})
    with pytest.raises(BadInput, match="“name” contains a NUL"):
        middleware.process_view(checked, lambda request: None, (), {})
