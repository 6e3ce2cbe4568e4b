"""What leaving means for a person's own account: their sessions end, and, once they have left, an
admin may erase who they were (the right to erasure) while every number stays as it was.

The consequences in the apps above (assignments, onboarding buddies, evidence waiting for them,
API tokens) are ``ops_skills.flows.person_leave``, which calls ``sessions_end``."""

from __future__ import annotations

from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ops_skills.people import audit, permissions
from ops_skills.people.models import Invitation, Notice, Person

# A reserved top-level domain (RFC 2606): mail to it can never be delivered.
ANONYMISED_DOMAIN = "anonymised.invalid"


def anonymised_email(person: Person) -> str:
    return f"former-member-{person.pk}@{ANONYMISED_DOMAIN}"


def anonymised_name(person: Person) -> str:
    return f"Former member {person.pk}"


def is_anonymised(person: Person) -> bool:
    return person.email == anonymised_email(person)


def deciders_for(team_id: int | None) -> list[Person]:
    """Who looks after what a person of ``team_id`` left behind: the team's active leads, or the
    active admins when it has none. One query."""
    people = Person.objects.active().filter(is_active=True)
    leads = list(people.filter(role=Person.Role.LEAD, team_id=team_id)) if team_id is not None else []
    return leads or list(people.filter(role=Person.Role.ADMIN))


def sessions_end(person: Person) -> int:
    """Delete ``person``'s stored sessions; returns how many. Reads every unexpired session (the
    session table has no index by user), which a leaving person's rare event can afford. With a
    session engine that stores nothing server-side, ``is_active=False`` ends them instead: Django's
    authentication backends refuse an inactive user on their next request."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    keys = [
        s.session_key
        for s in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get(SESSION_KEY)) == str(person.pk)
    ]
    model.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def person_anonymise(*, by: Person, person: Person) -> Person:
    """Erase who a departed person was: name, email (a unique address that cannot receive mail),
    title, their allauth email addresses, social and MFA accounts, password, notices, sessions, and
    the invitations sent to their address. The person row, their assessments, evidence and levels
    stay, so every report counts exactly as before. Free-text notes that name them are not
    touched."""
    if not permissions.can_anonymise(by, person):
        raise PermissionDenied("Only an admin anonymises someone, and not themselves.")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_departed:
        raise ValidationError("Mark them as left first: only people who have left are anonymised.")
    if is_anonymised(person):
        raise ValidationError("They are anonymised already.")
    old_email = person.email
    was = {person.email: anonymised_email(person), person.name: anonymised_name(person)}
    title = person.title
    Invitation.objects.filter(email=old_email).update(email=anonymised_email(person), name="")
    person.name = anonymised_name(person)
    person.email = anonymised_email(person)
    person.title = ""
    person.is_active = False
    person.set_unusable_password()
    person.save(update_fields=["name", "email", "title", "is_active", "password"])
    EmailAddress.objects.filter(user=person).delete()
    SocialAccount.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    Notice.objects.filter(person=person).delete()
    sessions_end(person)
    audit.forget(person, was=was, values={title: ""})  # last: the save above wrote an entry with the old values too
    return person
