"""Inviting someone with an onboarding: the plan is stored with the invitation and the checklist
starts when they accept."""

import pytest
from django.urls import reverse

from ops_skills.onboarding.models import Checklist, OnboardingTemplate, PlannedOnboarding
from ops_skills.people.models import Invitation, Person

PASSWORD = "correct-Horse-battery-9"


def invite(team, **onboarding):
    return {"email": "noor@example.net", "name": "Noor", "team": team.pk, "role": "member", **onboarding}


def test_lead_invites_with_an_onboarding_that_starts_on_acceptance(
    client, client_for, lead, team, template, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            reverse("people:invitations"),
            invite(team, onboarding_template=template.pk, onboarding_buddy=member.pk, onboarding_start="2026-12-01"),
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    planned = PlannedOnboarding.objects.get(invitation=invitation)
    assert (planned.template, planned.buddy, str(planned.start_on), planned.created_by) == (
        template,
        member,
        "2026-12-01",
        lead,
    )
    assert "onboarding: SRE onboarding" in client_for(lead).get(reverse("people:invitations")).content.decode()

    client.logout()
    client.get(reverse("people:accept-invitation", args=[invitation.key]))
    client.post(
        reverse("account_signup"),
        {"email": "noor@example.net", "name": "Noor", "password1": PASSWORD, "password2": PASSWORD},
    )
    checklist = Checklist.objects.get(person__email="noor@example.net")
    assert (checklist.buddy, str(checklist.started_on)) == (member, "2026-12-01")


def test_inviting_without_onboarding_still_works(client_for, lead, team, template):
    response = client_for(lead).post(reverse("people:invitations"), invite(team))
    assert response.status_code == 302
    assert not PlannedOnboarding.objects.exists()


@pytest.mark.parametrize(
    "fields, error_field",
    [
        ({"onboarding_template": "T"}, "onboarding_buddy"),
        ({"onboarding_buddy": "B"}, "onboarding_template"),
        ({"onboarding_template": "OTHER", "onboarding_buddy": "B"}, "onboarding_template"),
        ({"onboarding_template": "T", "onboarding_buddy": "OTHER_LEAD"}, "onboarding_buddy"),
    ],
)
def test_onboarding_fields_are_checked(
    client_for, admin_user, lead, team, other_team, other_lead, template, member, fields, error_field
):
    other = OnboardingTemplate.objects.create(team=other_team, name="Payments onboarding")
    values = {"T": template.pk, "B": member.pk, "OTHER": other.pk, "OTHER_LEAD": other_lead.pk}
    data = invite(team, **{k: values[v] for k, v in fields.items()})
    response = client_for(admin_user).post(reverse("people:invitations"), data)
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_lead_is_offered_their_teams_templates_and_people_only(client_for, lead, template, other_team, other_lead):
    OnboardingTemplate.objects.create(team=other_team, name="Payments onboarding")
    form = client_for(lead).get(reverse("people:invitations")).context["form"]
    assert list(form.fields["onboarding_template"].queryset) == [template]
    assert other_lead not in form.fields["onboarding_buddy"].queryset
    assert Person.objects.filter(team=lead.team).count() == form.fields["onboarding_buddy"].queryset.count()
