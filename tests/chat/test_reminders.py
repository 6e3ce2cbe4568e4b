"""Daily reminders: confirmation requests for pending evidence, assignments due soon."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from ops_skills.chat import reminders
from ops_skills.chat import slack as chat_slack
from ops_skills.planner.models import Assignment
from tests.factories import make_person, make_session, make_skill, make_system


@pytest.fixture
def setting(slack, team, lead, member):
    learner = make_person(team, email="learner@example.com")
    slack.users.update({"ULEAD": lead.email, "UMEM": member.email, "ULRN": learner.email})
    skill = make_skill(make_system(team, slug="pg"), slug="restore")
    return {"learner": learner, "skill": skill}


def test_every_pending_item_is_asked_about_once(slack, setting, member):
    make_session(member, [setting["learner"]], [setting["skill"]], status="pending", logged_by=member)
    make_session(member, [setting["learner"]], [setting["skill"]], status="confirmed")
    client = chat_slack.client()
    assert reminders.ask_everyone(client) == 1
    assert reminders.ask_everyone(client) == 0


def test_assignments_due_within_a_week_once_a_day(slack, setting, member, lead):
    Assignment.objects.create(
        skill=setting["skill"],
        mentor=member,
        learner=setting["learner"],
        due_on=timezone.localdate() + timedelta(days=3),
        level_at_start=1,
        accepted_by=lead,
    )
    client = chat_slack.client()
    assert reminders.remind_assignments(client) == 2  # mentor and learner
    assert reminders.remind_assignments(client) == 0
    texts = [m["text"] for m in slack.called("chat.postMessage")]
    assert texts == ["Transfer assignments due soon: 1"] * 2


def test_the_command_needs_slack(db):
    with (
        override_settings(SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET=""),
        pytest.raises(CommandError, match="not connected"),
    ):
        call_command("send_reminders")


def test_socket_mode_needs_an_app_token(db):
    with override_settings(SLACK_APP_TOKEN=""), pytest.raises(CommandError, match="SLACK_APP_TOKEN"):
        call_command("slack_socket")
