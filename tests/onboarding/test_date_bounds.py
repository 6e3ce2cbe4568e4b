"""Dates that later dates are counted from stay near today: a start date of 9999-12-31 or a due
date 2 billion days after the start overflowed (a 500) when the checklist was made (issue 12,
finding 3)."""

import pytest
from django.urls import reverse

from ops_skills.onboarding.models import Checklist, Invitation, TemplateItem
from tests.factories import make_person


@pytest.fixture
def bystander(team):
    return make_person(team, email="bystander@example.com", name="Bo Bystander")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_onboarding_start_date_far_from_today_is_a_form_error(client_for, lead, template, member, bystander, day):
    response = client_for(lead).post(
        reverse("onboarding:start", args=[bystander.pk]),
        {"template": template.pk, "buddy": member.pk, "started_on": day},
    )
    assert response.status_code in (200, 400)
    assert "within 10 years" in str(response.context["form"].errors["started_on"])
    assert not Checklist.objects.filter(person=bystander).exists()


def test_a_planned_onboarding_start_far_from_today_is_refused_with_the_invitation(
    client_for, lead, team, template, member
):
    response = client_for(lead).post(
        reverse("people:invitations"),
        {
            "email": "new@example.com",
            "team": team.pk,
            "role": "member",
            "onboarding_template": template.pk,
            "onboarding_buddy": member.pk,
            "onboarding_start": "9999-12-31",
        },
    )
    assert "within 10 years" in str(response.context["form"].errors["onboarding_start"])
    assert not Invitation.objects.exists()


def test_an_item_due_too_many_days_after_the_start_is_a_form_error(client_for, lead, template):
    response = client_for(lead).post(
        reverse("onboarding:item-create", args=[template.pk]),
        {"kind": "text", "title": "Later", "due_days": 2**31 - 1, "guidance": "", "position": 0},
    )
    assert "less than or equal to 3650" in str(response.context["form"].errors["due_days"])
    assert not TemplateItem.objects.filter(title="Later").exists()
