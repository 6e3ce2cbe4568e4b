"""Invitations: who may send and revoke them, and what following the link does."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.adapter import INVITATION_SESSION_KEY
from ops_skills.people.models import Invitation, Person
from tests.factories import make_person

PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def invitation(team, lead):
    return Invitation.objects.create(email="Newcomer@Example.net", name="Noor Newcomer", team=team, invited_by=lead)


def invite_form(team, email="newcomer@example.net", role=Person.Role.MEMBER):
    return {"email": email, "name": "Noor Newcomer", "team": team.pk, "role": role}


def signup_form(email, password=PASSWORD):
    return {"email": email, "name": "Noor Newcomer", "password1": password, "password2": password}


def accept(client, invitation):
    return client.get(reverse("people:accept-invitation", args=[invitation.key]))


# Sending


def test_lead_invites_to_their_own_team_by_email_with_the_accept_link(
    client_for, lead, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(reverse("people:invitations"), invite_form(team))

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.team, invitation.role, invitation.invited_by) == (
        "newcomer@example.net",
        team,
        Person.Role.MEMBER,
        lead,
    )
    [sent] = mail.outbox
    assert sent.to == ["newcomer@example.net"]
    assert "http://testserver" + invitation.get_accept_url() in sent.body  # the request's host


def test_invitation_mail_is_plain_text(client_for, team, django_capture_on_commit_callbacks):
    lead = make_person(team, Person.Role.LEAD, name="Lena O'Lead\nBcc: spam@example.com")
    team.name = "Platform & Ops"
    team.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(reverse("people:invitations"), invite_form(team))

    [sent] = mail.outbox
    assert "Lena O'Lead Bcc: spam@example.com invites you to join Platform & Ops" in " ".join(sent.body.split())
    assert "&amp;" not in sent.body
    assert "&#x27;" not in sent.body
    assert "\n" not in sent.subject
    assert sent.recipients() == ["newcomer@example.net"]


def test_invitation_mail_waits_for_the_commit(client_for, lead, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(lead).post(reverse("people:invitations"), invite_form(team))
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_lead_is_offered_only_their_own_team_and_member_or_lead(client_for, lead, team, other_team):
    form = client_for(lead).get(reverse("people:invitations")).context["form"]
    assert list(form.fields["team"].queryset) == [team]
    assert [value for value, _ in form.fields["role"].choices] == [Person.Role.MEMBER, Person.Role.LEAD]


def test_lead_cannot_invite_to_another_team_with_a_forged_post(client_for, lead, other_team):
    response = client_for(lead).post(reverse("people:invitations"), invite_form(other_team))
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_lead_cannot_invite_an_admin(client_for, lead, team):
    response = client_for(lead).post(reverse("people:invitations"), invite_form(team, role=Person.Role.ADMIN))
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_nobody_is_invited_twice(client_for, lead, team, member):
    response = client_for(lead).post(reverse("people:invitations"), invite_form(team, email="MEMBER@example.com"))
    assert "email" in response.context["form"].errors


def test_a_new_invitation_replaces_a_pending_one_for_the_same_email(client_for, lead, team, invitation):
    client_for(lead).post(reverse("people:invitations"), invite_form(team))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert Invitation.objects.pending().get().email == "newcomer@example.net"


def test_admin_invites_to_any_team_as_any_role(
    client_for, admin_user, team, other_team, django_capture_on_commit_callbacks
):
    c = client_for(admin_user)
    form = c.get(reverse("people:invitations")).context["form"]
    assert set(form.fields["team"].queryset) == {team, other_team}
    assert Person.Role.ADMIN in [value for value, _ in form.fields["role"].choices]
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("people:invitations"), invite_form(other_team, role=Person.Role.ADMIN))
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.team, invitation.role) == (other_team, Person.Role.ADMIN)
    assert len(mail.outbox) == 1


# Who sees and revokes invitations


def test_lead_sees_only_their_team_invitations(client_for, lead, other_lead, invitation, other_team):
    other = Invitation.objects.create(email="elsewhere@example.net", team=other_team, invited_by=other_lead)
    page = client_for(lead).get(reverse("people:invitations")).context["page"]
    assert list(page) == [invitation]
    page = client_for(other_lead).get(reverse("people:invitations")).context["page"]
    assert list(page) == [other]


def test_member_gets_403_on_the_invitations_page_and_on_revoke(client_for, member, invitation):
    c = client_for(member)
    assert c.get(reverse("people:invitations")).status_code == 403
    assert c.post(reverse("people:invitations"), {}).status_code == 403
    assert c.post(reverse("people:invitation-revoke", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_lead_of_another_team_gets_404_revoking_this_team_invitation(client_for, other_lead, invitation):
    response = client_for(other_lead).post(reverse("people:invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_lead_and_admin_revoke_an_invitation(client_for, cast, invitation, who):
    response = client_for(cast[who]).post(reverse("people:invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_revoke_needs_post(client_for, lead, invitation):
    assert client_for(lead).get(reverse("people:invitation-revoke", args=[invitation.pk])).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_anonymous_is_sent_to_login(client, invitation):
    for response in [
        client.get(reverse("people:invitations")),
        client.post(reverse("people:invitation-revoke", args=[invitation.pk])),
    ]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


# Accepting


def test_following_the_link_opens_signup_with_the_email_filled_in(client, invitation):
    response = accept(client, invitation)
    assert response.status_code == 302
    assert response.url == reverse("account_signup")
    assert client.session[INVITATION_SESSION_KEY] == invitation.key

    signup = client.get(response.url)
    assert signup.status_code == 200
    assert signup.context["form"].fields["email"].initial == "newcomer@example.net"
    assert 'value="newcomer@example.net"' in signup.content.decode()


def test_signing_up_with_the_invitation_joins_its_team_with_its_role(client, other_team, other_lead):
    invitation = Invitation.objects.create(
        email="newcomer@example.net", team=other_team, role=Person.Role.LEAD, invited_by=other_lead
    )
    accept(client, invitation)
    response = client.post(reverse("account_signup"), signup_form("Newcomer@example.net"))

    assert response.status_code == 302
    person = Person.objects.get(email="newcomer@example.net")
    assert (person.team, person.role, person.name) == (other_team, Person.Role.LEAD, "Noor Newcomer")
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == person
    assert INVITATION_SESSION_KEY not in client.session


def test_the_invited_email_counts_as_verified(client, invitation):
    accept(client, invitation)
    response = client.post(reverse("account_signup"), signup_form("newcomer@example.net"))

    # Logged in at once, and no verification mail.
    assert response.status_code == 302
    assert response.url == reverse("people:home")
    assert mail.outbox == []
    assert EmailAddress.objects.get(email="newcomer@example.net").verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "newcomer@example.net", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("people:home")
    assert client.get(reverse("people:home")).status_code == 200


def test_an_invitation_works_once(client, invitation):
    accept(client, invitation)
    client.post(reverse("account_signup"), signup_form("newcomer@example.net"))
    client.logout()

    response = accept(client, invitation)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session


def test_signing_up_with_another_email_than_the_invitation_is_refused(client, invitation):
    accept(client, invitation)
    response = client.post(reverse("account_signup"), signup_form("someone-else@example.net"))

    assert response.status_code == 200
    assert "This invitation is for newcomer@example.net." in response.context["form"].errors["email"]
    assert not Person.objects.filter(email="someone-else@example.net").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "It has expired"),
        ({"revoked_at": timezone.now()}, "It was withdrawn"),
    ],
    ids=["expired", "revoked"],
)
def test_an_expired_or_revoked_invitation_shows_the_invalid_page(client, invitation, change, message):
    Invitation.objects.filter(pk=invitation.pk).update(**change)

    response = accept(client, invitation)
    assert response.status_code == 410
    assert message in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session
    assert "account/signup_closed.html" in [t.name for t in client.get(reverse("account_signup")).templates]


def test_an_invitation_revoked_after_its_link_was_followed_no_longer_opens_signup(client, invitation):
    accept(client, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save()

    response = client.post(reverse("account_signup"), signup_form("newcomer@example.net"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not Person.objects.filter(email="newcomer@example.net").exists()


def test_an_unknown_key_is_404(client, db):
    response = client.get(reverse("people:accept-invitation", args=["no-such-key"]))
    assert response.status_code == 404
    assert "We don't know this link" in response.content.decode()
