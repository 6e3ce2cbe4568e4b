from django.conf import settings
from django.db import models


class CurrentLevel(models.Model):
    """A person's current level in a skill (1 to 4; no row means 0), what gave it, when they last practised it,
    and the last day that practice keeps a cover fresh (``rules.is_fresh``), so that a report can
    ask the database which covers are fresh today.

    Derived data, kept so that the organisation-wide reports and the planner read 350,000 levels
    instead of recomputing them from every assessment and piece of evidence on each request.
    Written only by ``ops_skills.levels.store``, in the same transaction as each write that can
    change a level; ``manage.py recompute_levels`` rebuilds it from scratch.
    """

    # No index of its own for the person: the unique (person, skill) index serves person lookups.
    # No foreign-key constraints in the database either: the rows are derived, written only by the
    # store, and deleted with their person or skill by Django's cascade (which runs in Python
    # whatever the constraint). PostgreSQL checked two constraints per row at commit, 1.7 s of a
    # 500 × 1,000 import's 7.8 s; ``recompute_levels --check`` finds any row that should not be.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    level = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=8)  # "lead", "self" or "evidence": ``rules.Level.basis``
    reason = models.CharField(max_length=120)  # ``rules.Level.explain()``: what gave this level
    practised_at = models.DateTimeField(null=True)
    fresh_until = models.DateField(null=True)  # practised_at's day + the skill's freshness_days

    class Meta:
        db_table = "skills_currentlevel"  # created by the skills app, before levels had its own
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="current_level_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="current_level_1_to_4"),
        ]
        # Covers (level 3 or more) are what the reports read: this index holds all they ask for,
        # so the table itself, six times larger, is never scanned for them.
        indexes = [models.Index(fields=["level", "skill", "person", "fresh_until"], name="current_level_covers")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.skill_id}: {self.level}"
