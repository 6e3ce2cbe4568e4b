"""The Bolt listeners: the slash command, the Confirm and Dispute buttons, the dispute modal and
App Home. Registered on the app by ``slack.app``; every one of them runs after Bolt has checked
the request's signature and timestamp.

A Slack user acts as the person linked to them (``linking.person_for``) and only through the
same flows as the web and the API (``ops_skills.flows``): what the state machine refuses there,
it refuses here."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction

from ops_skills import flows
from ops_skills.chat import blocks, commands, delivery, home, linking, tasks

logger = logging.getLogger(__name__)


def _answer_privately(respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def register(app, *, command: str) -> None:
    @app.command(command)
    def on_command(ack, command: dict, client):
        result = commands.run(
            client=client, slack_user_id=command["user_id"], text=command.get("text", ""), command=command["command"]
        )
        ack(response_type="ephemeral", **result.answer)
        if result.logged is not None:
            tasks.ask_about_evidence.enqueue(blocks.evidence_key(result.logged))

    @app.action(blocks.CONFIRM)
    def on_confirm(ack, body: dict, action: dict, client, respond):
        ack()
        person = linking.person_for(client, body["user"]["id"])
        evidence = delivery.evidence_from_key(action.get("value", ""))
        if person is None or evidence is None:
            _answer_privately(respond, "You cannot decide this: you are not linked to anyone in it.")
            return
        try:
            with transaction.atomic():
                flows.evidence_confirm(evidence=evidence, person=person)
        except PermissionDenied:
            _answer_privately(respond, "You cannot decide this: only the people in it, or a lead of their team, can.")
            return
        except ValidationError as error:
            _answer_privately(respond, " ".join(error.messages))
            return
        tasks.tell_outcome.enqueue(blocks.evidence_key(evidence), person.pk)

    @app.action(blocks.DISPUTE)
    def on_dispute(ack, body: dict, action: dict, client, respond):
        ack()
        person = linking.person_for(client, body["user"]["id"])
        evidence = delivery.evidence_from_key(action.get("value", ""))
        if person is None or evidence is None:
            _answer_privately(respond, "You cannot decide this: you are not linked to anyone in it.")
            return
        container = body.get("container", {})
        client.views_open(
            trigger_id=body["trigger_id"],
            view=blocks.dispute_modal(
                key=action["value"], channel=container.get("channel_id", ""), ts=container.get("message_ts", "")
            ),
        )

    @app.view(blocks.DISPUTE_REASON)
    def on_dispute_reason(ack, body: dict, view: dict, client):
        reason = (view["state"]["values"].get("reason", {}).get("reason", {}).get("value") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": "Say what is wrong with it."})
            return
        meta = json.loads(view.get("private_metadata") or "{}")
        person = linking.person_for(client, body["user"]["id"])
        evidence = delivery.evidence_from_key(meta.get("key", ""))
        if person is None or evidence is None:
            ack(
                response_action="errors",
                errors={"reason": "You cannot decide this: you are not linked to anyone in it."},
            )
            return
        try:
            with transaction.atomic():
                flows.evidence_dispute(evidence=evidence, person=person, reason=reason[: blocks.REASON_MAX])
        except PermissionDenied:
            ack(
                response_action="errors",
                errors={"reason": "Only the people in it, or a lead of their team, can dispute it."},
            )
            return
        except ValidationError as error:
            ack(response_action="errors", errors={"reason": " ".join(error.messages)})
            return
        ack()
        tasks.tell_outcome.enqueue(blocks.evidence_key(evidence), person.pk, reason)

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client):
        if event.get("tab", "home") != "home":
            return
        person = linking.person_for(client, event["user"])
        client.views_publish(user_id=event["user"], view=home.view(person))


def release_connections(next):
    """A Bolt middleware for Socket Mode, whose listeners run in worker threads outside Django's
    request cycle: their database connections are closed as a request's would be."""
    try:
        next()
    finally:
        close_old_connections()
