"""Confirm and Dispute from Slack: the same state machine as the web and the API."""

import pytest

from ops_skills.chat import delivery
from ops_skills.chat.models import EvidenceMessage
from ops_skills.evidence.models import PairingSession
from tests.chat.conftest import button, dispute_submission
from tests.factories import make_person, make_session, make_skill, make_system


@pytest.fixture
def pending(slack, team, lead, member, other_lead):
    learner = make_person(team, email="learner@example.com", name="Lena Learner")
    outsider = make_person(team, email="outsider@example.com", name="Otto Outsider")
    slack.users.update(
        {
            "ULEAD": lead.email,
            "UMEM": member.email,
            "ULRN": learner.email,
            "UOUT": outsider.email,
            "UOTH": other_lead.email,
        }
    )
    skill = make_skill(make_system(team, slug="pg"), slug="restore")
    session = make_session(member, [learner], [skill], status="pending", logged_by=member)
    return {"session": session, "key": f"session:{session.pk}", "learner": learner, "member": member}


def status_of(session):
    session.refresh_from_db()
    return session.status


def test_the_learner_confirms_and_the_message_shows_it(interact, slack, pending):
    from ops_skills.chat import slack as chat_slack

    assert delivery.ask(chat_slack.client(), pending["session"]) == 1
    message = EvidenceMessage.objects.get()
    interact(button("ULRN", "evidence_confirm", pending["key"], channel=message.channel, ts=message.ts))
    assert status_of(pending["session"]) == PairingSession.Status.CONFIRMED
    [update] = slack.called("chat.update")
    assert update["channel"] == message.channel and update["ts"] == message.ts
    assert "Confirmed" in str(update["blocks"]) and "actions" not in str(update["blocks"])


def test_asking_twice_sends_one_message(slack, pending):
    from ops_skills.chat import slack as chat_slack

    client = chat_slack.client()
    assert delivery.ask(client, pending["session"]) == 1
    assert delivery.ask(client, pending["session"]) == 0
    assert len(slack.called("chat.postMessage")) == 1


@pytest.mark.parametrize("who", ["UNOBODY", "UOUT", "UOTH"], ids=["not-linked", "not-in-it", "lead-of-another-team"])
def test_someone_who_may_not_decide_confirms_nothing(interact, slack, pending, who):
    interact(button(who, "evidence_confirm", pending["key"], response_url=slack.url("/respond")))
    assert status_of(pending["session"]) == PairingSession.Status.PENDING
    [said] = slack.called("respond")
    assert "You cannot decide this" in said["text"] and said["response_type"] == "ephemeral"
    assert not slack.called("chat.update")


def test_the_one_who_logged_it_cannot_confirm_it(interact, slack, pending):
    interact(button("UMEM", "evidence_confirm", pending["key"], response_url=slack.url("/respond")))
    assert status_of(pending["session"]) == PairingSession.Status.PENDING


def test_a_lead_of_the_team_may_confirm(interact, pending):
    interact(button("ULEAD", "evidence_confirm", pending["key"]))
    assert status_of(pending["session"]) == PairingSession.Status.CONFIRMED


@pytest.mark.parametrize("value", ["session:999999", "session:x", "nothing:1", "session:" + "9" * 40, ""])
def test_a_bad_value_decides_nothing(interact, slack, pending, value):
    interact(button("ULRN", "evidence_confirm", value, response_url=slack.url("/respond")))
    assert status_of(pending["session"]) == PairingSession.Status.PENDING


def test_dispute_opens_a_modal_then_the_reason_disputes_it(interact, slack, pending):
    interact(button("ULRN", "evidence_dispute", pending["key"], channel="D0009", ts="9.000100"))
    [opened] = slack.called("views.open")
    assert opened["view"]["callback_id"] == "evidence_dispute_reason"
    assert status_of(pending["session"]) == PairingSession.Status.PENDING  # not before a reason
    answer = interact(dispute_submission("ULRN", pending["key"], "We never met that day."))
    assert answer.get("response_action") is None
    session = pending["session"]
    assert status_of(session) == PairingSession.Status.DISPUTED
    session.refresh_from_db()
    assert session.dispute_reason == "We never met that day."


def test_a_dispute_needs_a_reason(interact, pending):
    answer = interact(dispute_submission("ULRN", pending["key"], "   "))
    assert answer["response_action"] == "errors" and "reason" in answer["errors"]
    assert status_of(pending["session"]) == PairingSession.Status.PENDING


def test_confirmed_is_final_for_a_participant(interact, pending):
    """The web's and the API's rule: a participant cannot dispute what is confirmed."""
    interact(button("ULEAD", "evidence_confirm", pending["key"]))
    answer = interact(dispute_submission("ULRN", pending["key"], "changed my mind"))
    assert answer["response_action"] == "errors"
    assert status_of(pending["session"]) == PairingSession.Status.CONFIRMED


def test_a_stranger_cannot_dispute(interact, pending):
    answer = interact(dispute_submission("UOUT", pending["key"], "not true"))
    assert answer["response_action"] == "errors"
    assert status_of(pending["session"]) == PairingSession.Status.PENDING
