"""Calendar feeds: a private, revocable address from which a calendar app reads a person's
assignments, onboarding due dates and absences without a session (``web.calendar``)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

VISIBLE_LENGTH = 8  # enough of the secret to tell two addresses apart on the page


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's subscription address. Only the hash of its secret is stored: the address is
    shown once, when it is made, and rotating makes a new one and ends the old one."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    prefix = models.CharField(max_length=VISIBLE_LENGTH, help_text="The start of the secret, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person} ({self.prefix}…)"
