"""Every link in every email comes from one place (``people.links.absolute_url``): the host and
port the request came to when an email is written while answering one (as allauth's password
reset does), ``SITE_URL`` when it is written outside a request (a command, a task). Onboarding
reminders: tests/onboarding/test_reminder_links.py."""

import re

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from ops_skills.people import services
from ops_skills.people.links import absolute_url
from ops_skills.people.models import Invitation, Person
from tests.factories import make_person, make_session, make_skill, make_system

# Not the default SITE_URL's port 8000: the app run with `make run PORT=8042`.
HOST = "127.0.0.1:8042"
SITE_URL = "https://ops.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL + "/"


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_absolute_url_uses_the_request_then_site_url(db):
    request = RequestFactory().get("/", HTTP_HOST=HOST)
    assert absolute_url("/people/1/", request) == f"http://{HOST}/people/1/"
    assert absolute_url("/people/1/") == f"{SITE_URL}/people/1/"


def test_an_invitation_sent_from_the_page_links_to_the_host_it_was_sent_from(
    client_for, lead, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(
            reverse("people:invitations"),
            {"email": "newcomer@example.net", "name": "Noor", "team": team.pk, "role": Person.Role.MEMBER},
            HTTP_HOST=HOST,
        )
    [sent] = mail.outbox
    assert links_in(sent) == [f"http://{HOST}" + Invitation.objects.get().get_accept_url()]


def test_an_invitation_sent_outside_a_request_links_to_site_url(lead, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_send(inviter=lead, email="newcomer@example.net", team=team, role="member")
    [sent] = mail.outbox
    assert links_in(sent) == [SITE_URL + invitation.get_accept_url()]


def test_a_notice_sent_while_answering_a_request_links_to_its_host(
    client_for, team, member, new_hire, django_capture_on_commit_callbacks
):
    skill = make_skill(make_system(team))
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(new_hire).post(
            reverse("evidence:dispute", args=["pairing", session.pk]), {"reason": "We only talked"}, HTTP_HOST=HOST
        )
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == [member.email]
    assert links_in(sent) == [f"http://{HOST}{session.get_absolute_url()}"]


def test_a_notice_sent_outside_a_request_links_to_site_url(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_send(people=[member], text="Something to see", url="/plan/mine/")
    [sent] = mail.outbox
    assert links_in(sent) == [f"{SITE_URL}/plan/mine/"]


def test_password_reset_links_to_the_request_host_like_the_others(client, db):
    make_person(email="someone@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "someone@example.com"}, HTTP_HOST=HOST)
    assert response.status_code == 302
    [sent] = mail.outbox
    assert links_in(sent) and all(link.startswith(f"http://{HOST}/") for link in links_in(sent))
