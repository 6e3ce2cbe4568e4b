from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ops_skills.skills.models import Skill


class Interest(models.Model):
    """A person's wish about a skill: to learn it, or to stop being the only one who can do it."""

    class Kind(models.TextChoices):
        LEARN = "learn", "Wants to learn it"
        HAND_ON = "hand_on", "Would like to hand it on"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="interests")
    kind = models.CharField(max_length=10, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["skill__system__name", "skill__name", "kind"]
        constraints = [models.UniqueConstraint(fields=["person", "skill", "kind"], name="unique_interest")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display().lower()}: {self.skill}"


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        """Active ones, overdue included: they count against the capacities."""
        return self.filter(status=Assignment.Status.ACTIVE)

    def overdue(self, today: date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def for_team(self, team):
        return self.filter(skill__system__team=team)

    def involving(self, person):
        return self.filter(Q(mentor=person) | Q(learner=person))


class Assignment(models.Model):
    """A transfer assignment: ``mentor`` teaches ``skill`` to ``learner`` by ``due_on``.

    States: a plan's rows are *proposed* until a lead accepts them, which stores them *active*; an
    active one past its due date is *overdue* (computed, never stored); confirmed evidence that
    raises the learner's level makes it *done* (``services.assignments_complete_for``); a lead
    may *cancel* an open one.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="assignments")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments_mentoring")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments_learning")
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE, db_index=True)
    due_on = models.DateField()
    level_at_start = models.PositiveSmallIntegerField(help_text="The learner's current level when it was accepted")
    why = models.CharField(max_length=300, blank=True, help_text="The planner's explanation when it was proposed")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by_session = models.ForeignKey(
        "evidence.PairingSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_by_execution = models.ForeignKey(
        "evidence.RunbookExecution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level_at_end = models.PositiveSmallIntegerField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "learner"], condition=Q(status="active"), name="one_open_assignment_per_learner_skill"
            ),
            models.CheckConstraint(condition=~Q(mentor=models.F("learner")), name="mentor_is_not_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.learner}: {self.skill}"

    def state(self, today: date | None = None) -> str:
        """active, overdue, done or cancelled."""
        if self.status == self.Status.ACTIVE and self.due_on < (today or timezone.localdate()):
            return "overdue"
        return self.status

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def evidence(self):
        return self.completed_by_session or self.completed_by_execution
