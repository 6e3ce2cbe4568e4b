"""Who a Slack user is in ops-skills, and who a person is in Slack.

By email first: ``users.info`` gives a Slack user's email, ``users.lookupByEmail`` a person's
Slack user; the answer is kept in ``SlackLink``. A person whose Slack email differs links
themself with a one-time code from their chat page, typed in Slack, so nobody can link
themself to someone else's Slack user."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from slack_sdk.errors import SlackApiError

from ops_skills.chat.models import SlackLink
from ops_skills.people.models import Person

CODE_MINUTES = 15


def _active(people):
    return people.filter(is_active=True, departed_on__isnull=True)


def person_for(client, slack_user_id: str) -> Person | None:
    """The person behind a Slack user, or ``None`` when nobody (active) is linked to them."""
    link = SlackLink.objects.select_related("person").filter(slack_user_id=slack_user_id).first()
    if link is not None:
        person = link.person
        return person if person.is_active and person.departed_on is None else None
    try:
        profile = client.users_info(user=slack_user_id)["user"].get("profile", {})
    except SlackApiError:
        return None
    email = (profile.get("email") or "").strip().lower()
    if not email:
        return None
    person = _active(Person.objects).filter(email__iexact=email).first()
    if person is None:
        return None
    _store(person, slack_user_id)
    return person


def slack_user_for(client, person: Person, *, refresh: bool = False) -> str | None:
    """The Slack user id of ``person``, looked up by email and kept; ``None`` when the workspace
    has nobody with that email (that too is kept for ``CHAT_LINK_CACHE_DAYS``)."""
    link = SlackLink.objects.filter(person=person).first()
    fresh_since = timezone.now() - timedelta(days=settings.CHAT_LINK_CACHE_DAYS)
    if link is not None and not refresh and (link.slack_user_id or link.checked_at >= fresh_since):
        return link.slack_user_id or None
    try:
        slack_user_id = client.users_lookupByEmail(email=person.email)["user"]["id"]
    except SlackApiError as error:
        if error.response.get("error") != "users_not_found":
            raise
        slack_user_id = ""
    return _store(person, slack_user_id).slack_user_id or None


def _store(person: Person, slack_user_id: str, *, by_code: bool = False) -> SlackLink:
    """Link ``person`` to ``slack_user_id``, taking the Slack user away from anyone it was linked to."""
    with transaction.atomic():
        if slack_user_id:
            SlackLink.objects.filter(slack_user_id=slack_user_id).exclude(person=person).update(slack_user_id="")
        link, _ = SlackLink.objects.update_or_create(
            person=person,
            defaults={
                "slack_user_id": slack_user_id,
                "checked_at": timezone.now(),
                "by_code": by_code,
                "code": "",
                "code_expires_at": None,
            },
        )
    return link


def code_issue(*, person: Person) -> str:
    """A new one-time code for ``person`` to type in Slack (``/ops-skills link CODE``)."""
    code = f"{secrets.randbelow(10**8):08d}"
    SlackLink.objects.update_or_create(
        person=person,
        create_defaults={
            "slack_user_id": "",
            "code": code,
            "code_expires_at": timezone.now() + timedelta(minutes=CODE_MINUTES),
        },
        defaults={"code": code, "code_expires_at": timezone.now() + timedelta(minutes=CODE_MINUTES)},
    )
    return code


def code_redeem(*, slack_user_id: str, code: str) -> Person | None:
    """Link the Slack user who typed ``code`` to the person it was issued to; ``None`` when the
    code is unknown or expired."""
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) != 8:
        return None
    link = (
        SlackLink.objects.select_related("person")
        .filter(code=code, code_expires_at__gt=timezone.now(), person__is_active=True)
        .first()
    )
    if link is None:
        return None
    try:
        _store(link.person, slack_user_id, by_code=True)
    except IntegrityError:
        return None
    return link.person


def unlink(*, person: Person) -> None:
    """Forget who ``person`` is in Slack; the next message looks them up by email again."""
    SlackLink.objects.filter(person=person).delete()
