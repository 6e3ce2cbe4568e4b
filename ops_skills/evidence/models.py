"""Runbooks, and the evidence that moves levels: runbook executions and pairing sessions."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.validators import validate_single_line
from ops_skills.skills.models import Skill, System

# Caps on Markdown at input (rendering is also guarded, see evidence.markdown): generous for a
# runbook (the examples are 2-4 KB), smaller for notes. MAX_REVIEW_INTERVAL_DAYS is ten years:
# the database takes billions, but the review date would fall past the calendar's end.
RUNBOOK_BODY_MAX_LENGTH = 100_000
NOTES_MAX_LENGTH = 20_000
MAX_REVIEW_INTERVAL_DAYS = 3650

RUNBOOK_SECTIONS = ["Purpose", "Preconditions", "Steps", "Verification", "Rollback"]
RUNBOOK_TEMPLATE = """## Purpose

What this runbook achieves and when to use it.

## Preconditions

- Access you need
- State the system must be in

## Steps

1. First step
2. Second step

## Verification

How to tell it worked.

## Rollback

How to undo it if something goes wrong.
"""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


class Runbook(models.Model):
    """A Markdown document in the team's fixed format for one system."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="runbooks")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(max_length=100)
    body = models.TextField(
        help_text="Markdown: Purpose, Preconditions, Steps, Verification, Rollback",
        validators=[MaxLengthValidator(RUNBOOK_BODY_MAX_LENGTH)],
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="runbooks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="runbooks"
    )
    review_interval_days = models.PositiveIntegerField(
        default=180, validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_INTERVAL_DAYS)]
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    source_path = models.CharField(max_length=300, blank=True, help_text="File it was imported from, if any")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["system__name", "title"]
        constraints = [models.UniqueConstraint(fields=["system", "slug"], name="runbook_slug_unique_in_system")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:runbook", args=[self.pk])

    @property
    def review_due_on(self):
        if self.last_reviewed_on is None:
            return None
        return self.last_reviewed_on + timedelta(days=self.review_interval_days)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.last_reviewed_on is None or self.review_due_on < today


class RunbookRevision(models.Model):
    """Every save of a runbook, kept whole so that any two can be compared."""

    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    body_hash = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["runbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["runbook", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.runbook} r{self.number}"


class RunbookRead(models.Model):
    runbook = models.ForeignKey(Runbook, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runbook_reads")
    revision_number = models.PositiveIntegerField()
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "runbook read"
        verbose_name_plural = "runbooks read"
        constraints = [models.UniqueConstraint(fields=["runbook", "person"], name="runbook_read_once")]

    def __str__(self) -> str:
        return f"{self.person} read {self.runbook} (r{self.revision_number})"


class Evidence(models.Model):
    """What runbook executions and pairing sessions share: who logged it, when, its confirmation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        DISPUTED = "disputed", "Disputed"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    notes = models.TextField(blank=True, help_text="Markdown", validators=[MaxLengthValidator(NOTES_MAX_LENGTH)])
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class RunbookExecution(Evidence):
    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        STAGING = "staging", "Staging"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        ABORTED = "aborted", "Aborted"

    runbook = models.ForeignKey(Runbook, on_delete=models.PROTECT, related_name="executions")
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="executions")
    environment = models.CharField(max_length=10, choices=Environment)
    outcome = models.CharField(max_length=10, choices=Outcome)
    link = models.URLField(blank=True, help_text="Incident or ticket")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="executions_attended")

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.runbook} in {self.environment} by {self.performer}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:execution", args=[self.pk])


class PairingSession(Evidence):
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_mentored")
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="sessions_learned")
    skills = models.ManyToManyField(Skill, related_name="pairing_sessions")
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"Pairing led by {self.mentor} on {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:session", args=[self.pk])
