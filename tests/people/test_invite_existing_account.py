"""People a matrix import created have an account but no password: a lead of their team or an
admin invites them from their page, and accepting sets the password on that same account (same
id, levels and evidence). Someone who can already log in is refused, clearly."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ops_skills.levels import selectors
from ops_skills.levels.matrix_csv import matrix_import
from ops_skills.people.models import Invitation, Person
from tests.factories import make_session, make_skill, make_system

PASSWORD = "correct-Horse-battery-9"


@pytest.fixture
def skill(team):
    return make_skill(make_system(team, slug="payments-api"), slug="deploy")


@pytest.fixture
def imported(lead, member, skill):
    """Ivo, created by the lead's import with level 3 in deploy, then mentored by the member."""
    result = matrix_import(
        author=lead,
        text="email,name,team,payments-api/deploy\nivo@example.com,Ivo Imported,platform,3\n",
        filename="m.csv",
    )
    assert result.ok, result.errors
    person = Person.objects.get(email="ivo@example.com")
    make_session(member, [person], [skill])
    return person


def invite_form(person, team=None, role=Person.Role.MEMBER):
    return {"email": person.email, "name": person.name, "team": (team or person.team).pk, "role": role}


def accept_url(invitation):
    return reverse("people:accept-invitation", args=[invitation.key])


def test_an_imported_person_awaits_an_invitation(imported, member):
    assert not imported.has_usable_password()
    assert imported.awaits_invitation()
    assert not member.awaits_invitation()


def test_a_departed_or_switched_off_imported_person_does_not(imported):
    imported.departed_on = timezone.localdate()
    assert not imported.awaits_invitation()
    imported.departed_on, imported.is_active = None, False
    assert not imported.awaits_invitation()


# The person page's button: the five roles


@pytest.mark.parametrize(("who", "shown"), [("lead", True), ("admin", True), ("member", False), ("other_lead", False)])
def test_the_invite_button_is_for_a_lead_of_their_team_and_admins(client_for, cast, imported, who, shown):
    response = client_for(cast[who]).get(imported.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_invite"] is shown
    assert ("Invite to log in" in response.content.decode()) is shown
    assert (f"{reverse('people:invitations')}?person={imported.pk}" in response.content.decode()) is shown


def test_anonymous_is_sent_to_login_from_the_person_page(client, imported):
    response = client.get(imported.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_no_invite_button_for_someone_who_can_log_in(client_for, lead, member):
    response = client_for(lead).get(member.get_absolute_url())
    assert response.context["can_invite"] is False
    assert "Invite to log in" not in response.content.decode()


def test_no_invite_button_for_someone_who_left(client_for, lead, imported):
    Person.objects.filter(pk=imported.pk).update(departed_on=timezone.localdate())
    assert client_for(lead).get(imported.get_absolute_url()).context["can_invite"] is False


@pytest.mark.parametrize(("who", "filled"), [("lead", True), ("admin", True), ("other_lead", False)])
def test_the_button_opens_the_invitation_form_filled_in(client_for, cast, imported, who, filled):
    response = client_for(cast[who]).get(reverse("people:invitations"), {"person": imported.pk})
    assert response.status_code == 200
    initial = response.context["form"].initial
    if filled:
        assert initial == {
            "email": "ivo@example.com",
            "name": "Ivo Imported",
            "team": imported.team_id,
            "role": "member",
        }
        assert "has an account without a password yet" in response.content.decode()
    else:
        assert initial == {}


@pytest.mark.parametrize("value", ["x", "0", "99999999999999999999", ""])
def test_a_bad_person_parameter_is_an_empty_form(client_for, lead, value):
    response = client_for(lead).get(reverse("people:invitations"), {"person": value})
    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_a_member_gets_403_on_the_invitation_form_for_them(client_for, member, imported):
    assert client_for(member).get(reverse("people:invitations"), {"person": imported.pk}).status_code == 403


# Sending


def test_lead_invites_an_imported_person_of_their_team(client_for, lead, imported, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(reverse("people:invitations"), invite_form(imported))
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.team_id) == ("ivo@example.com", imported.team_id)
    [sent] = mail.outbox
    body = " ".join(sent.body.split())
    assert "Your account is already there" in body
    assert "Choose your password here" in body
    assert "Create your account" not in body


def test_someone_with_a_password_is_still_refused_clearly(client_for, lead, member):
    response = client_for(lead).post(reverse("people:invitations"), invite_form(member))
    assert response.status_code == 200
    [error] = response.context["form"].errors["email"]
    assert error.startswith("Someone with this email already has an account: they log in")
    assert not Invitation.objects.exists()


def test_someone_who_left_is_refused(client_for, lead, imported):
    Person.objects.filter(pk=imported.pk).update(departed_on=timezone.localdate())
    response = client_for(lead).post(reverse("people:invitations"), invite_form(imported))
    assert "has an account that is closed" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_a_lead_of_another_team_cannot_invite_them(client_for, other_lead, other_team, imported):
    response = client_for(other_lead).post(reverse("people:invitations"), invite_form(imported, team=other_team))
    assert "has an account on another team" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_an_admin_invites_them_only_to_their_own_team(client_for, admin_user, other_team, imported):
    response = client_for(admin_user).post(reverse("people:invitations"), invite_form(imported, team=other_team))
    assert "is on Platform" in response.context["form"].errors["team"][0]
    assert not Invitation.objects.exists()


# Accepting


@pytest.fixture
def invitation(lead, imported):
    return Invitation.objects.create(email=imported.email, name="Ivo", team=imported.team, invited_by=lead)


def test_the_link_asks_them_to_choose_a_password_with_their_name_filled_in(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    assert response.context["form"]["name"].value() == "Ivo Imported"
    page = " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())
    assert "Lena Lead invites you to join Platform as a member." in page
    assert "Choose your password" in page


def test_accepting_sets_the_password_on_the_same_account_which_keeps_its_levels_and_evidence(
    client, invitation, imported, skill
):
    session_ids = list(imported.sessions_learned.values_list("pk", flat=True))
    assert len(session_ids) == 1

    response = client.post(
        accept_url(invitation), {"name": "Ivo Imported", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("people:home")
    assert client.session["_auth_user_id"] == str(imported.pk)
    person = Person.objects.get(email="ivo@example.com")
    assert person.pk == imported.pk
    assert Person.objects.filter(email="ivo@example.com").count() == 1
    assert person.check_password(PASSWORD)
    assert selectors.level_of(person, skill).level == 3  # the import's lead assessment
    assert list(person.sessions_learned.values_list("pk", flat=True)) == session_ids
    assert person.team.slug == "platform"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", person)
    assert EmailAddress.objects.get(user=person).verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "ivo@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("people:home")


def test_accepting_works_once(client, invitation):
    client.post(accept_url(invitation), {"name": "Ivo", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_mismatched_passwords_stay_on_the_form_and_change_nothing(client, invitation, imported):
    response = client.post(accept_url(invitation), {"name": "Ivo", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    imported.refresh_from_db()
    assert not imported.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_a_weak_password_is_refused(client, invitation, imported):
    response = client.post(accept_url(invitation), {"name": "Ivo", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    imported.refresh_from_db()
    assert not imported.has_usable_password()


def test_an_account_that_got_a_password_meanwhile_is_told_to_log_in(client, invitation, imported):
    imported.set_password("something-Else-42")
    imported.save()
    for response in [
        client.get(accept_url(invitation)),
        client.post(accept_url(invitation), {"name": "Ivo", "password1": PASSWORD, "password2": PASSWORD}),
    ]:
        assert response.status_code == 410
        assert "Your account can already log in" in response.content.decode()
    imported.refresh_from_db()
    assert imported.check_password("something-Else-42")


@pytest.mark.parametrize("who", ["lead", "member", "admin"])
def test_someone_logged_in_following_the_link_is_sent_home_and_nothing_changes(client_for, cast, invitation, who):
    client = client_for(cast[who])
    for response in [
        client.get(accept_url(invitation)),
        client.post(accept_url(invitation), {"name": "X", "password1": PASSWORD, "password2": PASSWORD}),
    ]:
        assert response.status_code == 302
        assert response.url == reverse("people:home")
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Person.objects.get(email="ivo@example.com").has_usable_password()


def test_another_team_lead_inviting_someone_with_a_password_gets_one_clear_error(
    client_for, other_lead, other_team, member
):
    response = client_for(other_lead).post(reverse("people:invitations"), invite_form(member, team=other_team))
    [error] = response.context["form"].errors["email"]
    assert error.startswith("Someone with this email already has an account")
