"""Planned absences (the report can be asked for a date or a week) and daily snapshots (trend)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ops_skills.reports import away


class Absence(models.Model):
    class Kind(models.TextChoices):
        LEAVE = "leave", "Leave"
        TRAINING = "training", "Training"
        PARENTAL = "parental", "Parental leave"
        OTHER = "other", "Other"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LEAVE)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "person__email"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    @property
    def iso_week(self) -> str:
        year, week, _ = self.starts_on.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def working_days(self) -> int:
        """Its days from Monday to Friday (see ``reports.away``: the only ones that count)."""
        return away.working_days(self.starts_on, self.ends_on)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day cannot be before the first day."})


class Snapshot(models.Model):
    """The key figures of one day, for the organisation (team empty) or one team."""

    taken_on = models.DateField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    skills = models.PositiveIntegerField(default=0)
    uncovered = models.PositiveIntegerField(default=0)
    single_points = models.PositiveIntegerField(default=0)
    systems = models.PositiveIntegerField(default=0)
    systems_at_risk = models.PositiveIntegerField(default=0)  # truck factor 1 or less
    mean_truck_factor = models.FloatField(null=True, blank=True)
    min_truck_factor = models.PositiveIntegerField(null=True, blank=True)
    deficit = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["taken_on", "team"], name="snapshot_one_per_team_day"),
            models.UniqueConstraint(
                fields=["taken_on"], condition=models.Q(team__isnull=True), name="snapshot_one_org_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.team or 'organisation'}"
