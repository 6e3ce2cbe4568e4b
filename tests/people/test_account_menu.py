"""The user menu links to allauth's password change (or, for someone who signs in without a
password, to setting one), and those pages open."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_logged_in_has_a_change_password_link_that_opens(client_for, cast, who):
    client = client_for(cast[who])
    menu = client.get(reverse("people:home")).content.decode()
    assert f'<a href="{reverse("account_change_password")}">Change password</a>' in menu
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].fields


def test_someone_without_a_password_is_offered_to_set_one(client_for, member):
    member.set_unusable_password()
    member.save()
    client = client_for(member)
    menu = client.get(reverse("people:home")).content.decode()
    assert f'<a href="{reverse("account_set_password")}">Set a password</a>' in menu
    assert "Change password" not in menu
    assert client.get(reverse("account_set_password")).status_code == 200


def test_anonymous_has_no_menu_and_is_sent_to_login(client, db):
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "Change password" not in client.get(reverse("account_login")).content.decode()
