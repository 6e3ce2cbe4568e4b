import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.validators import validate_single_line


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:team", args=[self.slug])


class PersonQuerySet(models.QuerySet):
    def active(self, on=None):
        """People who have not left by ``on`` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(departed_on__isnull=True) | Q(departed_on__gt=on))

    def for_team(self, team):
        return self.filter(team=team)


class PersonManager(BaseUserManager.from_queryset(PersonQuerySet)):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("People need an email address")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Person.Role.ADMIN)
        return self._create(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """A user account: someone on a team, with a role, who may have left."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"
        ADMIN = "admin", "Admin"

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    title = models.CharField(
        max_length=100, blank=True, help_text="Job title, e.g. SRE", validators=[validate_single_line]
    )
    started_on = models.DateField(null=True, blank=True)
    departed_on = models.DateField(null=True, blank=True, help_text="Set when the person leaves")
    is_active = models.BooleanField(default=True, help_text="Can log in")
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name or self.email

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name.split() or [self.email])[0]  # a blank stored name (legacy data) too

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def is_departed(self) -> bool:
        return self.departed_on is not None and self.departed_on <= timezone.localdate()

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    def awaits_invitation(self) -> bool:
        """Has an account but no way to log in yet (a matrix import created it): an invitation lets
        them choose a password for it. Someone who signs in with a provider has a way."""
        return (
            self.is_active
            and not self.is_departed
            and not self.has_usable_password()
            and not self.socialaccount_set.exists()
        )


def _invitation_key() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An emailed, expiring, single-use link to create an account on a team."""

    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Person.Role, default=Person.Role.MEMBER)
    key = models.CharField(max_length=64, unique=True, default=_invitation_key, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.team}"

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        if not self.expires_at:
            self.expires_at = self.created_at + timedelta(days=settings.INVITATION_VALID_DAYS)
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"

    def get_accept_url(self) -> str:
        return reverse("people:accept-invitation", args=[self.key])


class Notice(models.Model):
    """An in-app notice: something a person is asked to look at (confirm a session, an assignment…)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return self.text
