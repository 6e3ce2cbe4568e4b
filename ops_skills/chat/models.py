"""What the chat integration keeps: who each person is in Slack, where each team's digest goes,
and what was sent, so nothing is sent twice."""

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils import timezone

from ops_skills.people.models import Team

slack_id = RegexValidator(
    r"^[A-Z0-9]{2,32}$", "A Slack id is capital letters and digits, such as U024BE7LH or C024BE91L."
)
channel_id = RegexValidator(r"^[CG][A-Z0-9]{2,31}$", "A Slack channel id starts with C or G, such as C024BE91L.")


class SlackLink(models.Model):
    """Who a person is in Slack: found by their email (``users.lookupByEmail``) and kept, or set by
    the person themself with a one-time code they type in Slack (``/ops-skills link CODE``).

    ``slack_user_id`` is empty when the lookup found nobody with that email; the miss is kept for
    ``CHAT_LINK_CACHE_DAYS`` so a workspace without them is not asked on every message."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_link")
    slack_user_id = models.CharField(max_length=32, blank=True, validators=[slack_id])
    checked_at = models.DateTimeField(default=timezone.now)
    by_code = models.BooleanField(default=False, help_text="Set by the person with a code typed in Slack")
    code = models.CharField(max_length=16, blank=True, help_text="The one-time code the person was given")
    code_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slack_user_id"], condition=~models.Q(slack_user_id=""), name="chat_one_person_per_slack_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ↔ {self.slack_user_id or 'nobody in Slack'}"


class TeamChat(models.Model):
    """Where a team's weekly digest goes: a Slack channel, a generic incoming webhook (Microsoft
    Teams Workflows, Mattermost, Google Chat), or both."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="chat")
    slack_channel = models.CharField(
        max_length=32, blank=True, validators=[channel_id], help_text="The channel id, such as C024BE91L"
    )
    webhook_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An incoming webhook that accepts a JSON post with a text field",
    )
    digest_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "team chat settings"
        verbose_name_plural = "team chat settings"

    def __str__(self) -> str:
        return f"Chat of {self.team}"


class DigestSent(models.Model):
    """One weekly digest sent to one destination: a week's digest is never sent there twice.
    ``single_points`` keeps the skills that were single points then, so the next digest can say
    which ones are new."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="digests_sent")
    week = models.CharField(max_length=8)  # ISO week, "2026-W49"
    destination = models.CharField(max_length=40)  # "slack:C024BE91L" or "webhook"
    sent_at = models.DateTimeField(default=timezone.now)
    single_points = models.JSONField(default=list)

    class Meta:
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        constraints = [models.UniqueConstraint(fields=["team", "week", "destination"], name="chat_digest_once")]

    def __str__(self) -> str:
        return f"{self.team} {self.week} → {self.destination}"


class EvidenceMessage(models.Model):
    """A direct message asking a person to confirm or dispute a piece of evidence: sent once, and
    updated in place with the outcome."""

    class Kind(models.TextChoices):
        SESSION = "session", "Pairing session"
        EXECUTION = "execution", "Runbook execution"

    kind = models.CharField(max_length=10, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=32)
    ts = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "person"], name="chat_one_message_per_evidence")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} → {self.person}"


class ReminderSent(models.Model):
    """The day's reminder to a person, so a second run of ``send_reminders`` sends nothing."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="chat_one_reminder_a_day")]

    def __str__(self) -> str:
        return f"Reminder to {self.person} on {self.day}"
