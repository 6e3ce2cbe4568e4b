"""Onboarding templates (per team and role), the checklists started from them for new hires, the
onboardings planned with an invitation, and the reminders already sent."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from ops_skills.onboarding import rules
from ops_skills.people.models import Invitation, Person, Team

MAX_DUE_DAYS = 3650
MARKDOWN_MAX_LENGTH = 20_000  # description and guidance; rendering is guarded too (evidence.markdown)


class Kind(models.TextChoices):
    READ_RUNBOOK = rules.READ_RUNBOOK, "Read runbook"
    PAIR_SKILL = rules.PAIR_SKILL, "Pair on skill"
    EXECUTE_STAGING = rules.EXECUTE_STAGING, "Execute runbook in staging"
    ACCESS = "access", "Get access to"
    MEET = "meet", "Meet someone"
    TEXT = "text", "Free text"


# Kinds that tick themselves from evidence, and what each needs.
RUNBOOK_KINDS = {Kind.READ_RUNBOOK, Kind.EXECUTE_STAGING}
SKILL_KINDS = {Kind.PAIR_SKILL}
EVIDENCE_KINDS = RUNBOOK_KINDS | SKILL_KINDS

# What a checklist item copies from its template item (when a checklist starts, when template
# changes are applied) and a template copy from the original.
COPIED_FIELDS = ["position", "kind", "title", "guidance", "due_days", "runbook_id", "skill_id"]


class ItemFields(models.Model):
    """What a template item and a checklist item share: the checklist keeps its own copy."""

    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="Markdown", validators=[MaxLengthValidator(MARKDOWN_MAX_LENGTH)])
    due_days = models.PositiveIntegerField(
        default=7,
        help_text="Due this many days after the start date",
        validators=[MaxValueValidator(MAX_DUE_DAYS)],  # a start date plus a huge number overflowed
    )
    runbook = models.ForeignKey("evidence.Runbook", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    skill = models.ForeignKey("skills.Skill", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True

    @property
    def ticks_itself(self) -> bool:
        return self.kind in EVIDENCE_KINDS


class OnboardingTemplate(models.Model):
    """An ordered list of items for new hires of one role on one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="onboarding_templates")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=10, choices=Person.Role, default=Person.Role.MEMBER)
    description = models.TextField(
        blank=True, help_text="Markdown", validators=[MaxLengthValidator(MARKDOWN_MAX_LENGTH)]
    )
    # Bumped by every edit of the template or its items; a checklist records the version it copied.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="onboarding_template_name_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("onboarding:template", args=[self.pk])


class TemplateItem(ItemFields):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistQuerySet(models.QuerySet):
    def refresh_finished(self) -> None:
        """Store whether each checklist is finished: it is when every item is done, at its last
        tick (a checklist without items at once). One that was finished keeps its time while it
        stays finished. One query, and one more when something changes."""
        changed = []
        for checklist in self.annotate(
            undone=Count("items", filter=Q(items__done_at__isnull=True)), last_tick=Max("items__done_at")
        ):
            finished_at = None if checklist.undone else checklist.last_tick or timezone.now()
            if (checklist.finished_at is None) != (finished_at is None):
                checklist.finished_at = finished_at
                changed.append(checklist)
        Checklist.objects.bulk_update(changed, ["finished_at"])


class Checklist(models.Model):
    """One new hire's onboarding: a copy of a template's items with due dates, and a buddy.
    One per person; it is finished when every item is done."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="onboarding")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="onboardings")
    template = models.ForeignKey(
        OnboardingTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="checklists"
    )
    template_version = models.PositiveIntegerField(default=1)
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="buddy_for"
    )
    started_on = models.DateField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["team", "finished_at"])]

    def __str__(self) -> str:
        return f"Onboarding of {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("onboarding:checklist", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_out_of_date(self) -> bool:
        """The template changed since the items were copied (or last applied)."""
        return not self.is_finished and self.template is not None and self.template_version < self.template.version


class ChecklistItem(ItemFields):
    class CompletedBy(models.TextChoices):
        HAND = "hand", "Ticked by hand"
        READ = "read", "Runbook marked read"
        PAIRING = "pairing", "Confirmed pairing session"
        EXECUTION = "execution", "Confirmed staging execution"

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    # The template item it was copied from, so that applying template changes finds it again.
    template_item = models.ForeignKey(TemplateItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=10, choices=CompletedBy, blank=True)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read = models.ForeignKey("evidence.RunbookRead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    session = models.ForeignKey(
        "evidence.PairingSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    execution = models.ForeignKey(
        "evidence.RunbookExecution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["checklist", "position", "due_on", "id"]
        indexes = [models.Index(fields=["kind", "done_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def evidence(self):
        """The read mark, pairing session or execution that ticked it, if any."""
        return self.session or self.execution or self.read

    def is_overdue(self, today) -> bool:
        return not self.is_done and self.due_on < today


class PlannedOnboarding(models.Model):
    """An onboarding chosen when inviting someone: the checklist starts when they accept."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="planned_onboarding")
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="+")
    buddy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start_on = models.DateField(null=True, blank=True, help_text="Empty: the day they accept")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    checklist = models.OneToOneField(Checklist, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.template} for {self.invitation.email}"


class ReminderSent(models.Model):
    """One reminder about one item to one person; the unique constraint is what makes reminders
    go out once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(fields=["item", "person", "kind"], name="onboarding_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder to {self.person} about {self.item}"


def due_on(started_on, due_days: int):
    return started_on + timedelta(days=due_days)
