"""Writes of the top layer: a person's calendar subscription address (``web.models.CalendarFeed``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ops_skills.people.models import Person
from ops_skills.web.models import VISIBLE_LENGTH, CalendarFeed, hash_key

LAST_USED_EVERY = timedelta(hours=1)  # calendar apps poll often: at most one write an hour per feed


@transaction.atomic
def calendar_feed_rotate(*, person: Person) -> tuple[CalendarFeed, str]:
    """A new secret address for ``person``'s calendar, ending the one they had. The key is
    returned here once: only its hash is kept."""
    key = secrets.token_urlsafe(32)  # 32 random bytes: not guessable
    feed, _ = CalendarFeed.objects.select_for_update().update_or_create(
        person=person,
        defaults={
            "prefix": key[:VISIBLE_LENGTH],
            "key_hash": hash_key(key),
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return feed, key


@transaction.atomic
def calendar_feed_revoke(*, person: Person) -> bool:
    """End ``person``'s subscription address; False when they had none."""
    deleted, _ = CalendarFeed.objects.filter(person=person).delete()
    return bool(deleted)


def calendar_feed_person(*, key: str) -> Person | None:
    """Whose calendar the secret ``key`` opens: an active person who can log in, or nobody (a
    person who has left, or whose login is blocked, no longer publishes a calendar). Notes when
    the address was last read."""
    feed = CalendarFeed.objects.select_related("person").filter(key_hash=hash_key(key)).first()
    if feed is None or feed.person.is_departed or not feed.person.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > LAST_USED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.person
