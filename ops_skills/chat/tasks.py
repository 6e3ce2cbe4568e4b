"""Background work: the weekly digests and the daily reminders (schedule them with the
``send_digests`` and ``send_reminders`` commands, or enqueue these tasks)."""

from django.tasks import task

from ops_skills.chat import delivery, digest, reminders, slack
from ops_skills.chat.models import TeamChat
from ops_skills.people.models import Person


@task()
def send_digests() -> int:
    """Each team's digest for this week, where it has not gone yet. Returns how many were sent."""
    client = slack.client() if slack.connected() else None
    return sum(len(digest.send(chat.team, client=client)) for chat in TeamChat.objects.select_related("team"))


@task()
def send_reminders() -> int:
    if not slack.connected():
        return 0
    client = slack.client()
    return reminders.ask_everyone(client) + reminders.remind_assignments(client)


@task()
def ask_about_evidence(key: str) -> int:
    """Send the confirmation requests of one piece of evidence (``"session:12"``): queued by the
    slash command so its answer reaches Slack within its three seconds."""
    evidence = delivery.evidence_from_key(key)
    if evidence is None or not slack.connected():
        return 0
    return delivery.ask(slack.client(), evidence)


@task()
def tell_outcome(key: str, by_id: int, reason: str = "") -> int:
    """Update the messages about a decided piece of evidence (queued by the buttons)."""
    evidence = delivery.evidence_from_key(key)
    by = Person.objects.filter(pk=by_id).first()
    if evidence is None or by is None or not slack.connected():
        return 0
    return delivery.tell_outcome(slack.client(), evidence, by=by, reason=reason)
