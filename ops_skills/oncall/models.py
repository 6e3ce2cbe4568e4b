"""A team's on-call rota: the schedules it is paged from (an iCalendar feed or a PagerDuty
schedule), the systems each answers for, and the shifts read from them at the last good fetch."""

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.urls import reverse

from ops_skills.people.models import Team
from ops_skills.skills.models import System

pagerduty_id = RegexValidator(
    r"^[A-Z0-9]{3,20}$", "A PagerDuty schedule id is capital letters and digits, such as PI7DH85."
)


class Schedule(models.Model):
    """One rota the team is paged from. The last good copy of its feed and the shifts read from it
    stay when a later fetch fails: ``last_error`` says why that fetch failed."""

    class Kind(models.TextChoices):
        ICAL = "ical", "iCalendar feed"
        PAGERDUTY = "pagerduty", "PagerDuty schedule"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="oncall_schedules")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.ICAL)
    url = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The iCalendar feed's address (webcal:// works written as https://)",
    )
    pagerduty_schedule_id = models.CharField(
        max_length=20, blank=True, validators=[pagerduty_id], verbose_name="PagerDuty schedule id"
    )
    systems = models.ManyToManyField(System, related_name="oncall_schedules", blank=True)
    feed = models.TextField(blank=True, help_text="The last feed read without error")
    fetched_at = models.DateTimeField(null=True, blank=True, help_text="When that feed was read")
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    unmatched = models.JSONField(default=list, blank=True, help_text="Holders in the feed who are nobody here")

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="oncall_schedule_name_unique_in_team")]

    def __str__(self) -> str:
        return f"{self.team} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("oncall:rota", args=[self.team.slug])


class Shift(models.Model):
    """Who is on call from ``start`` to ``end`` (aware datetimes, stored in UTC). ``person`` is
    empty when nobody here has the feed's email."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shifts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "schedule_id", "id"]
        indexes = [models.Index(fields=["schedule", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="oncall_shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.email or 'nobody'} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"
