"""Writes on API tokens, shared by the token pages and the admin."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.api.models import TOKEN_PREFIX, VISIBLE_LENGTH, ApiToken, hash_key
from ops_skills.people.models import Person

MAX_TOKENS_PER_PERSON = 20


@transaction.atomic
def token_create(*, person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token and its key. The key is returned here once and never again: only its hash
    is stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the token after what will use it.")
    if person.api_tokens.usable().count() >= MAX_TOKENS_PER_PERSON:
        raise ValidationError(f"You have {MAX_TOKENS_PER_PERSON} tokens already; revoke one you no longer use.")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    token = ApiToken.objects.create(person=person, name=name, prefix=key[:VISIBLE_LENGTH], key_hash=hash_key(key))
    return token, key


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
