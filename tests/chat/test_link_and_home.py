"""Who a person is in Slack: the chat page, the one-time code, App Home."""

import json

import pytest
from django.urls import reverse

from ops_skills.chat.models import SlackLink
from tests.chat.conftest import post_signed
from tests.factories import make_assessment, make_skill, make_system

PAGE = reverse("chat:page")


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("role", ["member", "lead", "other_lead", "admin_user"])
def test_everyone_sees_only_their_own_link(client_for, request, role, slack, member):
    SlackLink.objects.create(person=member, slack_user_id="UMEMBER")
    viewer = request.getfixturevalue(role)
    response = client_for(viewer).get(PAGE)
    assert response.status_code == 200
    assert ("UMEMBER" in response.content.decode()) == (viewer == member)


def test_a_code_typed_in_slack_links_that_slack_user(client_for, slash, member):
    page = client_for(member).post(PAGE, {"action": "code"})
    code = page.context["code"]
    assert len(code) == 8 and code in page.content.decode()
    answer = slash("UOTHEREMAIL", f"link {code}")
    assert "Linked" in answer["text"]
    link = SlackLink.objects.get(person=member)
    assert link.slack_user_id == "UOTHEREMAIL" and link.by_code
    assert slash("UOTHEREMAIL", f"link {code}")["text"].startswith("That code is unknown")  # used once


def test_a_wrong_code_links_nobody(slash, member):
    assert "unknown or expired" in slash("UX", "link 12345678")["text"]
    assert not SlackLink.objects.filter(slack_user_id="UX").exists()


def test_lookup_by_email_again(client_for, slack, member):
    slack.users["UMEM2"] = member.email
    response = client_for(member).post(PAGE, {"action": "lookup"}, follow=True)
    assert "Found you in Slack" in response.content.decode()
    assert SlackLink.objects.get(person=member).slack_user_id == "UMEM2"


def test_lookup_finds_nobody(client_for, slack, member):
    response = client_for(member).post(PAGE, {"action": "lookup"}, follow=True)
    assert "Nobody in the Slack workspace has the email" in response.content.decode()
    assert SlackLink.objects.get(person=member).slack_user_id == ""


def test_unlink(client_for, slack, member):
    SlackLink.objects.create(person=member, slack_user_id="UMEMBER")
    client_for(member).post(reverse("chat:unlink"))
    assert not SlackLink.objects.filter(person=member).exists()


def test_an_unknown_action_is_400(client_for, slack, member):
    assert client_for(member).post(PAGE, {"action": "steal"}).status_code == 400


def test_app_home_shows_levels_and_what_waits(client, slack, member, team):
    slack.users["UMEM"] = member.email
    make_assessment(member, make_skill(make_system(team, slug="pg"), slug="restore"), level=3)
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event_id": "Ev0001",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": "UMEM", "tab": "home", "channel": "D0001"},
    }
    response = post_signed(client, json.dumps(event), content_type="application/json")
    assert response.status_code == 200
    [published] = slack.called("views.publish")
    assert published["user_id"] == "UMEM"
    text = json.dumps(published["view"])
    assert "pg/restore: 3" in text and "Waiting for your decision" in text


def test_app_home_of_a_stranger_says_how_to_link(client, slack, db):
    event = {
        "type": "event_callback",
        "team_id": "T0001",
        "event_id": "Ev0002",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": "USTRANGE", "tab": "home"},
    }
    post_signed(client, json.dumps(event), content_type="application/json")
    [published] = slack.called("views.publish")
    assert "does not know who you are" in json.dumps(published["view"])


def test_the_user_menu_links_the_chat_page(client_for, member):
    assert f'href="{PAGE}"' in client_for(member).get("/").content.decode()
