"""Direct messages: each piece of evidence waiting for someone's decision is sent to them once,
with Confirm and Dispute buttons, and the message is updated with the outcome however it was
decided (Slack, the web, the API)."""

from __future__ import annotations

import logging

from django.db import transaction
from slack_sdk.errors import SlackApiError

from ops_skills.chat import blocks, linking
from ops_skills.chat.models import EvidenceMessage
from ops_skills.evidence import lifecycle
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people.models import Person

logger = logging.getLogger(__name__)

KINDS = {"session": PairingSession, "execution": RunbookExecution}


def kind_of(evidence) -> str:
    return "session" if isinstance(evidence, PairingSession) else "execution"


def evidence_from_key(key: str):
    """``"session:12"`` → the pairing session 12 (with what its message shows), or ``None``."""
    kind, _, pk = key.partition(":")
    model = KINDS.get(kind)
    if model is None or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    queryset = model.objects.all()
    if model is PairingSession:
        queryset = queryset.select_related("mentor").prefetch_related("learners", "skills__system")
    else:
        queryset = queryset.select_related("runbook", "performer")
    return queryset.filter(pk=int(pk)).first()


def ask(client, evidence) -> int:
    """Send ``evidence`` to each participant who may decide it and has not been asked yet.
    Returns how many messages were sent. A participant not in Slack is skipped (the web's
    notice still reaches them)."""
    if evidence.status != PairingSession.Status.PENDING:
        return 0
    people = lifecycle.participants(evidence)
    kind = kind_of(evidence)
    asked = set(EvidenceMessage.objects.filter(kind=kind, object_id=evidence.pk).values_list("person_id", flat=True))
    sent = 0
    for person in Person.objects.filter(pk__in=people.ids).order_by("pk"):
        if (
            person.pk == evidence.logged_by_id
            or person.pk in asked
            or not lifecycle.can_decide(person, evidence, people)
        ):
            continue
        slack_user_id = linking.slack_user_for(client, person)
        if not slack_user_id:
            continue
        try:
            posted = client.chat_postMessage(channel=slack_user_id, **blocks.evidence_request(evidence))
        except SlackApiError as error:
            logger.warning(
                "Could not message %s about %s %s: %s", person.pk, kind, evidence.pk, error.response.get("error")
            )
            continue
        with transaction.atomic():
            EvidenceMessage.objects.get_or_create(
                kind=kind,
                object_id=evidence.pk,
                person=person,
                defaults={"channel": posted["channel"], "ts": posted["ts"]},
            )
        sent += 1
    return sent


def tell_outcome(client, evidence, *, by, reason: str = "") -> int:
    """Update every message sent about ``evidence``: the buttons go, the outcome shows."""
    updated = 0
    body = blocks.evidence_outcome(evidence, by=by, reason=reason)
    for message in EvidenceMessage.objects.filter(kind=kind_of(evidence), object_id=evidence.pk):
        try:
            client.chat_update(channel=message.channel, ts=message.ts, **body)
            updated += 1
        except SlackApiError as error:
            logger.warning(
                "Could not update the message %s/%s: %s", message.channel, message.ts, error.response.get("error")
            )
    return updated
