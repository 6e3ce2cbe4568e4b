"""An onboarding planned with the invitation of an account that has no password yet (a matrix
import made it) starts on that account when they choose their password."""

from django.contrib.auth.hashers import make_password
from django.urls import reverse

from ops_skills.onboarding.models import Checklist
from ops_skills.people.models import Invitation, Person

PASSWORD = "correct-Horse-battery-9"


def test_the_planned_onboarding_starts_on_the_existing_account(
    client, client_for, lead, team, template, member, django_capture_on_commit_callbacks
):
    imported = Person.objects.create(email="ivo@example.com", name="Ivo", team=team, password=make_password(None))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            reverse("people:invitations"),
            {
                "email": "ivo@example.com",
                "name": "Ivo",
                "team": team.pk,
                "role": "member",
                "onboarding_template": template.pk,
                "onboarding_buddy": member.pk,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()

    client.logout()
    response = client.post(
        reverse("people:accept-invitation", args=[invitation.key]),
        {"name": "Ivo", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    checklist = Checklist.objects.get()
    assert (checklist.person_id, checklist.buddy) == (imported.pk, member)
