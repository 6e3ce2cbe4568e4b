from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.models import Team
from ops_skills.skills import rules


class SystemQuerySet(models.QuerySet):
    def annotate_skill_count(self):
        return self.annotate(skill_count=models.Count("skills"))


class System(models.Model):
    """A service or platform piece a team runs."""

    class Tier(models.IntegerChoices):
        CRITICAL = 1, "Tier 1 · critical"
        IMPORTANT = 2, "Tier 2 · important"
        LOW = 3, "Tier 3 · low"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(choices=Tier, default=Tier.IMPORTANT)
    description = models.TextField(blank=True)

    objects = SystemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("skills:system", args=[self.slug])


class SkillQuerySet(models.QuerySet):
    def for_team(self, team):
        return self.filter(system__team=team)


class Skill(models.Model):
    """One thing someone can do for a system."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    freshness_days = models.PositiveIntegerField(
        default=rules.DEFAULT_FRESHNESS_DAYS,
        # At most ten years: a practice date plus billions of days overflowed the calendar (a 500).
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="A cover is stale when the skill was not practised within this many days.",
    )
    # On-call readiness (ops_skills.oncall) checks the critical skills: empty means the default,
    # every skill of a tier-1 system; yes or no overrides it.
    oncall_critical = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        verbose_name="critical for on-call",
        help_text="Must the person on call be able to do this alone? Empty: yes for tier-1 systems.",
    )

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "name"]
        constraints = [models.UniqueConstraint(fields=["system", "slug"], name="skill_slug_unique_in_system")]

    def __str__(self) -> str:
        return f"{self.system.name}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("skills:skill", args=[self.system.slug, self.slug])

    @property
    def column(self) -> str:
        """The matrix spreadsheet column name, ``<system>/<skill>``."""
        return f"{self.system.slug}/{self.slug}"


class Assessment(models.Model):
    """A level stated for (person, skill): by the person themself or by a lead.

    Assessments are never edited: each statement is a new row, so the history of a level is the
    list of its assessments.
    """

    class Source(models.TextChoices):
        SELF = "self", "Self assessment"
        LEAD = "lead", "Lead assessment"

    # No index of its own for the person: the (person, skill, assessed_at) index below serves
    # every lookup by person, and one index fewer to keep up is a tenth of a large import.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="assessments")
    level = models.PositiveSmallIntegerField(
        choices=[(level, label) for level, label in rules.LEVEL_LABELS.items()],
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    source = models.CharField(max_length=4, choices=Source)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="assessments_authored"
    )
    # No index of its own: every read of assessments is by person (and skill), which the index
    # below orders by date; the admin's list sorts 200,000 rows in 30 ms on PostgreSQL without
    # it, and each write (a large import: 300,000 at once) no longer keeps it up.
    assessed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["assessed_at", "id"]
        indexes = [models.Index(fields=["person", "skill", "assessed_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=4), name="assessment_level_0_to_4")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.skill}: {self.level} ({self.source})"
