"""Signing up by invitation: the name the inviter gave is filled in, and the page says who
invited to which team, as what."""

import re

from django.urls import reverse

from ops_skills.people.models import Invitation, Person


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def signup_after_link(client, invitation):
    client.get(reverse("people:accept-invitation", args=[invitation.key]))
    return client.get(reverse("account_signup"))


def test_signup_prefills_the_name_and_says_who_invited_to_which_team(client, lead, team):
    invitation = Invitation.objects.create(email="noor@example.net", name="Noor Newcomer", team=team, invited_by=lead)
    response = signup_after_link(client, invitation)
    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "Noor Newcomer"
    assert 'value="Noor Newcomer"' in response.content.decode()
    assert "Lena Lead invites you to join Platform as a member." in page_text(response)


def test_an_admin_invitation_reads_as_an_admin(client, admin_user, other_team):
    invitation = Invitation.objects.create(
        email="noor@example.net", team=other_team, role=Person.Role.ADMIN, invited_by=admin_user
    )
    response = signup_after_link(client, invitation)
    assert response.context["form"]["name"].value() in (None, "")
    assert "Ada Admin invites you to join Payments Ops as an admin." in page_text(response)


def test_an_inviter_since_removed_is_not_named(client, team):
    invitation = Invitation.objects.create(email="noor@example.net", name="Noor", team=team, invited_by=None)
    assert "You are invited to join Platform as a member." in page_text(signup_after_link(client, invitation))


def test_signup_without_an_invitation_says_nothing_of_one(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.net"]
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "invites you" not in page_text(response)
    assert "You are invited" not in page_text(response)


def test_the_login_page_says_nothing_of_an_invitation(client, lead, team):
    invitation = Invitation.objects.create(email="noor@example.net", name="Noor", team=team, invited_by=lead)
    client.get(reverse("people:accept-invitation", args=[invitation.key]))
    assert "invites you" not in page_text(client.get(reverse("account_login")))
