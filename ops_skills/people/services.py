"""Writes that touch people, teams and invitations."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ops_skills.people.links import absolute_url
from ops_skills.people.models import Invitation, Notice, Person, Team


@transaction.atomic
def invitation_send(*, inviter: Person, email: str, team: Team, role: str, name: str = "") -> Invitation:
    """Create an invitation and email its link. Earlier pending invitations for the email lapse."""
    Invitation.objects.pending().filter(email=email.lower()).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(email=email, name=name, team=team, role=role, invited_by=inviter)
    context = {
        "invitation": invitation,
        "url": absolute_url(invitation.get_accept_url()),
        "site_name": settings.SITE_NAME,
        # An account a matrix import made: they choose a password for it rather than sign up.
        "has_account": Person.objects.filter(email=invitation.email).exists(),
    }
    # A name with a line break would make send_mail refuse the header (BadHeaderError), after commit.
    subject = single_line(f"[{settings.SITE_NAME}] {inviter} invites you to {team}", 200)
    # Sent after commit: a rolled-back invitation must not have gone out.
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=render_to_string("people/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation


@transaction.atomic
def invitation_accept_for_account(*, invitation: Invitation, person: Person, password: str, name: str = "") -> Person:
    """Accept ``invitation`` for the account that already has its email but no password (a matrix
    import made it): the password is set on that account, so the person keeps their id, levels and
    evidence. As on signup, the invitation's team and role apply and the email counts as verified
    (the link was sent to it). Raises ``ValidationError`` when the invitation was used, revoked or
    expired meanwhile, or the account got a password another way."""
    invitation = Invitation.objects.select_for_update().pending().filter(pk=invitation.pk, email=person.email).first()
    if invitation is None:
        raise ValidationError("This invitation can no longer be used.", code="unusable")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.awaits_invitation():
        raise ValidationError("This account can already log in: log in, or reset your password.", code="has_login")
    person.set_password(password)
    person.team_id, person.role = invitation.team_id, invitation.role
    person.name = name or person.name or invitation.name
    person.save(update_fields=["password", "team", "role", "name"])
    EmailAddress.objects.filter(user=person).exclude(email__iexact=person.email).update(primary=False)
    EmailAddress.objects.update_or_create(user=person, email=person.email, defaults={"verified": True, "primary": True})
    invitation.accepted_at, invitation.accepted_by = timezone.now(), person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return person


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def single_line(text: str, limit: int) -> str:
    """``text`` on one line (an email header refuses a line break), at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice_send(*, people, text: str, url: str, action: str = "See it here") -> list[Notice]:
    """An in-app notice for each person, and an email sent once the transaction commits (a
    rolled-back write sends nothing). The one way the app tells someone something."""
    text = single_line(text, Notice._meta.get_field("text").max_length)
    notices = Notice.objects.bulk_create(Notice(person=p, text=text, url=url) for p in people)
    link = absolute_url(url)
    subject = single_line(f"[{settings.SITE_NAME}] {text}", 200)
    for person in people:
        transaction.on_commit(
            lambda person=person: send_mail(
                subject=subject,
                message=f"Hello {single_line(person.get_short_name(), 150)},\n\n{text}\n\n{action}: {link}\n",
                from_email=None,
                recipient_list=[person.email],
            )
        )
    return notices
