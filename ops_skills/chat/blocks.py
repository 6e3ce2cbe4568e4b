"""Slack messages as Block Kit, each with a plain-text fallback (``text``) that says the same.

Names, titles and notes come from users: Slack's ``mrkdwn`` treats ``&``, ``<`` and ``>`` as
markup (``<!channel>`` pings everyone), so every user string goes through ``escape``."""

from __future__ import annotations

from django.urls import reverse

from ops_skills.people.links import absolute_url

CONFIRM, DISPUTE, DISPUTE_REASON = "evidence_confirm", "evidence_dispute", "evidence_dispute_reason"
REASON_MAX = 300  # PairingSession.dispute_reason


def escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name(person) -> str:
    """A person (or ``PersonFacts``) by name, escaped."""
    return escape(person.name or person.email)


def path_of(skill) -> str:
    """``system/skill``, escaped."""
    return f"{escape(skill.system.slug)}/{escape(skill.slug)}"


def link(path: str, label: str) -> str:
    """A link to the app's ``path``: on the host Slack's request came to while answering one,
    else (a digest, a reminder) on ``SITE_URL`` (``people.links.absolute_url``)."""
    return f"<{absolute_url(path)}|{escape(label)}>"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def message(text: str, *blocks: dict) -> dict:
    """A message: Slack shows the blocks, notifications and old clients the text."""
    return {"text": text[:3000], "blocks": list(blocks) or [section(escape(text))]}


def evidence_key(evidence) -> str:
    return f"{'session' if evidence.__class__.__name__ == 'PairingSession' else 'execution'}:{evidence.pk}"


def evidence_summary(evidence) -> str:
    """One line about the evidence, its people and skills (``escape``d)."""
    if evidence.__class__.__name__ == "PairingSession":
        learners = ", ".join(escape(p) for p in evidence.learners.all())
        skills = ", ".join(f"{escape(s.system.slug)}/{escape(s.slug)}" for s in evidence.skills.all())
        return (
            f"Pairing session led by *{escape(evidence.mentor)}* with {learners} on {skills}, "
            f"{evidence.duration_minutes} min, {evidence.occurred_at:%d %b %Y}"
        )
    return (
        f"Runbook *{escape(evidence.runbook)}* run in {escape(evidence.environment)} by "
        f"*{escape(evidence.performer)}*, {evidence.occurred_at:%d %b %Y}"
    )


def evidence_request(evidence) -> dict:
    """The direct message asking a participant to confirm or dispute ``evidence``."""
    key = evidence_key(evidence)
    summary = evidence_summary(evidence)
    return message(
        f"Please confirm or dispute: {summary}",
        section(f"{summary}\nDid this happen as logged? {link(evidence.get_absolute_url(), 'Open it')}"),
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": CONFIRM,
                    "style": "primary",
                    "value": key,
                    "text": {"type": "plain_text", "text": "Confirm"},
                },
                {
                    "type": "button",
                    "action_id": DISPUTE,
                    "style": "danger",
                    "value": key,
                    "text": {"type": "plain_text", "text": "Dispute"},
                },
            ],
        },
    )


def evidence_outcome(evidence, *, by, reason: str = "") -> dict:
    """The same message once decided: no buttons left, the outcome said."""
    summary = evidence_summary(evidence)
    status = evidence.get_status_display().lower()
    said = f" ({escape(reason)})" if reason else ""
    return message(
        f"{summary}: {status} by {by}",
        section(summary),
        context(
            f"*{escape(status.capitalize())}* by {escape(by)}{said}. {link(evidence.get_absolute_url(), 'Open it')}"
        ),
    )


def dispute_modal(*, key: str, channel: str, ts: str) -> dict:
    import json

    return {
        "type": "modal",
        "callback_id": DISPUTE_REASON,
        "private_metadata": json.dumps({"key": key, "channel": channel, "ts": ts}),
        "title": {"type": "plain_text", "text": "Dispute evidence"},
        "submit": {"type": "plain_text", "text": "Dispute"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "What is wrong with it?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "max_length": REASON_MAX,
                },
            }
        ],
    }


def person_url(person) -> str:
    return reverse("people:person", args=[person.pk])
