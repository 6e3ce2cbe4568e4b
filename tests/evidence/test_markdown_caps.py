"""Markdown fields have a length cap at input, and day counts added to dates have an upper bound:
a review interval of 2,147,483,647 days made the runbook page a 500 (issue 12)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence.models import (
    MAX_REVIEW_INTERVAL_DAYS,
    NOTES_MAX_LENGTH,
    RUNBOOK_BODY_MAX_LENGTH,
    RUNBOOK_TEMPLATE,
    PairingSession,
    Runbook,
    RunbookExecution,
)
from ops_skills.evidence.runbook_import import RunbookFileError, parse_runbook
from ops_skills.onboarding.models import MARKDOWN_MAX_LENGTH, OnboardingTemplate, TemplateItem
from ops_skills.skills.models import Skill
from tests.factories import make_runbook, make_skill, make_system

TODAY = timezone.localdate()
HUGE = 2**31 - 1


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", name="postgres-main")


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Restore", last_reviewed_on=TODAY)


def runbook_data(runbook=None, **changes):
    data = {"title": "Fail over", "review_interval_days": 90, "body": RUNBOOK_TEMPLATE, "base_revision": 0}
    if runbook is not None:
        data.update(title=runbook.title, skills=[s.pk for s in runbook.skills.all()])
    data.update(changes)
    return data


# Runbooks ----------------------------------------------------------------------------------------


def test_a_huge_review_interval_is_a_form_error_not_a_500(client_for, lead, runbook):
    response = client_for(lead).post(
        reverse("evidence:runbook-edit", args=[runbook.pk]), runbook_data(runbook, review_interval_days=HUGE)
    )
    assert response.status_code == 400
    assert "less than or equal to 3650" in str(response.context["form"].errors["review_interval_days"])
    runbook.refresh_from_db()
    assert runbook.review_interval_days == 180
    assert client_for(lead).get(runbook.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("days", [0, MAX_REVIEW_INTERVAL_DAYS + 1])
def test_the_model_bounds_the_review_interval(system, days):
    runbook = Runbook(system=system, title="x", slug="x", body="x", review_interval_days=days)
    with pytest.raises(ValidationError) as error:
        runbook.full_clean()
    assert "review_interval_days" in error.value.message_dict


def test_the_longest_review_interval_still_has_a_due_date(system):
    runbook = make_runbook(system, review_interval_days=MAX_REVIEW_INTERVAL_DAYS, last_reviewed_on=date(9980, 1, 1))
    runbook.full_clean()
    assert runbook.review_due_on == date(9980, 1, 1) + timedelta(days=MAX_REVIEW_INTERVAL_DAYS)


def test_a_runbook_body_over_the_cap_is_a_form_error(client_for, lead, system):
    body = RUNBOOK_TEMPLATE + "x" * RUNBOOK_BODY_MAX_LENGTH
    response = client_for(lead).post(reverse("evidence:runbook-create"), runbook_data(system=system.pk, body=body))
    assert response.status_code == 400
    assert "at most 100000 characters" in str(response.context["form"].errors["body"])
    assert not Runbook.objects.exists()


def test_a_body_at_the_cap_after_normalising_is_saved(client_for, lead, system):
    body = "x" * (RUNBOOK_BODY_MAX_LENGTH - 1) + "\r\n\r\n\r\n"  # the blank lines at the end go
    response = client_for(lead).post(reverse("evidence:runbook-create"), runbook_data(system=system.pk, body=body))
    assert response.status_code == 302
    assert len(Runbook.objects.get().body) == RUNBOOK_BODY_MAX_LENGTH


def test_the_body_field_tells_the_browser_the_cap(client_for, lead):
    html = client_for(lead).get(reverse("evidence:runbook-create")).content.decode()
    assert f'maxlength="{RUNBOOK_BODY_MAX_LENGTH}"' in html
    assert f'max="{MAX_REVIEW_INTERVAL_DAYS}"' in html


def test_an_imported_body_over_the_cap_is_refused_with_its_line():
    text = "---\nsystem: postgres-main\n---\n\n" + "x" * (RUNBOOK_BODY_MAX_LENGTH + 1) + "\n"
    with pytest.raises(RunbookFileError) as error:
        parse_runbook(text, filename="big.md")
    assert error.value.line == 5
    assert "longer than 100,000 characters" in error.value.message


# Evidence notes ----------------------------------------------------------------------------------


def test_pairing_notes_over_the_cap_are_a_form_error(client_for, member, new_hire, system, skill):
    data = {
        "mentor": member.pk,
        "learners": [new_hire.pk],
        "system": system.pk,
        "skills": [skill.pk],
        "duration_minutes": 60,
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "notes": "x" * (NOTES_MAX_LENGTH + 1),
    }
    response = client_for(member).post(reverse("evidence:session-create"), data)
    assert response.status_code in (200, 400)
    assert "at most 20000 characters" in str(response.context["form"].errors["notes"])
    assert not PairingSession.objects.exists()


def test_execution_notes_over_the_cap_are_a_form_error(client_for, member, runbook):
    data = {
        "runbook": runbook.pk,
        "performer": member.pk,
        "environment": "staging",
        "outcome": "success",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "notes": "x" * (NOTES_MAX_LENGTH + 1),
    }
    response = client_for(member).post(reverse("evidence:execution-create"), data)
    assert "at most 20000 characters" in str(response.context["form"].errors["notes"])
    assert not RunbookExecution.objects.exists()


def test_the_model_caps_notes(member, skill):
    session = PairingSession(mentor=member, duration_minutes=30, notes="x" * (NOTES_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "notes" in error.value.message_dict


# Onboarding --------------------------------------------------------------------------------------


def test_a_template_description_over_the_cap_is_a_form_error(client_for, lead, team):
    data = {"team": team.pk, "name": "SRE", "role": "member", "description": "x" * (MARKDOWN_MAX_LENGTH + 1)}
    response = client_for(lead).post(reverse("onboarding:template-create"), data)
    assert "at most 20000 characters" in str(response.context["form"].errors["description"])
    assert not OnboardingTemplate.objects.exists()


def test_item_guidance_over_the_cap_is_a_form_error(client_for, lead, team):
    template = OnboardingTemplate.objects.create(team=team, name="SRE", created_by=lead)
    data = {
        "kind": "text",
        "title": "Laptop",
        "due_days": 3,
        "guidance": "x" * (MARKDOWN_MAX_LENGTH + 1),
        "position": 0,
    }
    response = client_for(lead).post(reverse("onboarding:item-create", args=[template.pk]), data)
    assert "at most 20000 characters" in str(response.context["form"].errors["guidance"])
    assert not TemplateItem.objects.exists()


def test_reminders_for_a_huge_number_of_days_are_a_command_error(db):
    with pytest.raises(CommandError, match="--days must be from 0 to 3650"):
        call_command("send_onboarding_reminders", "--days", str(HUGE))


# Skills ------------------------------------------------------------------------------------------


def test_a_huge_freshness_is_an_admin_form_error_not_a_500(client_for, admin_user, skill):
    data = {
        "system": skill.system_id,
        "name": skill.name,
        "slug": skill.slug,
        "description": "",
        "freshness_days": HUGE,
    }
    response = client_for(admin_user).post(reverse("admin:skills_skill_change", args=[skill.pk]), data)
    assert response.status_code == 200
    assert "less than or equal to 3650" in str(response.context["adminform"].form.errors["freshness_days"])
    assert Skill.objects.get(pk=skill.pk).freshness_days != HUGE
