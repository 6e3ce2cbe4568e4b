"""API tokens: a secret shown once, kept only as its SHA-256 hash, with a visible prefix."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from ops_skills.people.validators import validate_single_line

TOKEN_PREFIX = "osk_"  # marks an ops-skills key, so secret scanners and people recognise it
VISIBLE_LENGTH = 12  # "osk_" and the first 8 characters of the secret: enough to tell tokens apart


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key a person gives a script to use the JSON API as them. The key itself is never stored."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What uses it, e.g. “deploy pipeline”", validators=[validate_single_line]
    )
    prefix = models.CharField(max_length=VISIBLE_LENGTH, help_text="The start of the key, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        # Usable tokens first, on SQLite and PostgreSQL alike (they sort NULL differently).
        ordering = [models.F("revoked_at").asc(nulls_first=True), "-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
