"""Git repositories of infrastructure and runbook code, the history read from them, and the
suggestions that history produces.

The history is kept as read: one ``Commit`` per commit, one ``RepoFile`` per file (a rename moves
the file, it does not make a new one) and one ``FileChange`` per file a commit touched and per
person credited with it (its author and each ``Co-authored-by:`` trailer). Who an email belongs to,
which addresses are bots and who has left are decided when the numbers are computed, so that a new
alias or a changed bot pattern applies to the whole history at once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ops_skills.people.models import Team
from ops_skills.people.validators import validate_single_line
from ops_skills.repos.patterns import validate_pattern
from ops_skills.skills.models import Skill, System

DEFAULT_BOT_PATTERNS = "[bot]\nnoreply"


class Repository(models.Model):
    """A local clone an admin registered. ``last_commit`` is the newest commit read; the next read
    starts after it. A failed read keeps what was read before and says why in ``last_error``."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="repositories")
    name = models.CharField(max_length=100, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=100, unique=True)
    path = models.CharField(max_length=500, help_text="Absolute path of the clone on this server")
    web_url = models.URLField(
        max_length=300, blank=True, help_text="Where the repository is browsed, such as https://github.com/acme/infra"
    )
    github_full_name = models.CharField(
        max_length=200, blank=True, help_text="owner/name on GitHub, for the pull-request webhook"
    )
    recency_days = models.PositiveIntegerField(
        default=730, help_text="Changes older than this many days do not count towards authorship"
    )
    bot_patterns = models.TextField(
        default=DEFAULT_BOT_PATTERNS,
        blank=True,
        help_text="One per line; an author whose email or name contains one is a bot and is left out",
    )
    last_commit = models.CharField(max_length=40, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("repos:detail", args=[self.slug])

    @property
    def bot_pattern_list(self) -> list[str]:
        return [line.strip().lower() for line in self.bot_patterns.splitlines() if line.strip()]


class PathMapping(models.Model):
    """Files matching ``pattern`` (a glob: ``*`` within a directory, ``**`` across directories,
    such as ``modules/postgres/**``) belong to ``system`` and, when given, exercise ``skill``. A
    file may match several mappings."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="mappings")
    pattern = models.CharField(max_length=300, validators=[validate_single_line, validate_pattern])
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="path_mappings")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, null=True, blank=True, related_name="path_mappings")

    class Meta:
        ordering = ["repository", "pattern", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "pattern", "system", "skill"], name="repos_mapping_unique_with_skill"
            ),
            models.UniqueConstraint(
                fields=["repository", "pattern", "system"],
                condition=models.Q(skill__isnull=True),
                name="repos_mapping_unique_without_skill",
            ),
        ]

    def __str__(self) -> str:
        target = f"{self.system}/{self.skill.slug}" if self.skill_id else str(self.system)
        return f"{self.pattern} → {target}"

    def clean(self):
        if self.skill_id and self.system_id and self.skill.system_id != self.system_id:
            raise ValidationError({"skill": "Choose a skill of the mapped system."})


class AuthorAlias(models.Model):
    """Another email a person commits with (besides ``.mailmap``, which the repository keeps)."""

    email = models.EmailField(unique=True, help_text="Stored in lower case")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="git_aliases")

    class Meta:
        ordering = ["email"]
        verbose_name_plural = "author aliases"

    def __str__(self) -> str:
        return f"{self.email} → {self.person}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Commit(models.Model):
    """A non-merge commit read from a repository. ``author_email`` is after ``.mailmap``, in lower
    case; ``authored_at`` is the author date (what recency counts)."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=40)
    author_email = models.CharField(max_length=254)
    author_name = models.CharField(max_length=200, blank=True)
    authored_at = models.DateTimeField()
    subject = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["repository", "authored_at", "id"]
        constraints = [models.UniqueConstraint(fields=["repository", "sha"], name="repos_commit_unique")]
        indexes = [models.Index(fields=["repository", "authored_at"])]

    def __str__(self) -> str:
        return f"{self.repository} {self.sha[:10]}"


class RepoFile(models.Model):
    """A file of a repository under its current path. A rename updates ``path``; a deletion sets
    ``deleted``; a file added again at a deleted path is a new ``RepoFile``."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["repository", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "path"], condition=models.Q(deleted=False), name="repos_live_path_unique"
            )
        ]

    def __str__(self) -> str:
        return self.path


class FileChange(models.Model):
    """One person credited with one commit's change to one file: the commit's author, and each
    co-author. ``created`` marks the change that added the file (first authorship)."""

    file = models.ForeignKey(RepoFile, on_delete=models.CASCADE, related_name="changes")
    commit = models.ForeignKey(Commit, on_delete=models.CASCADE, related_name="changes")
    email = models.CharField(max_length=254, help_text="After .mailmap, in lower case")
    created = models.BooleanField(default=False)
    at = models.DateTimeField(help_text="The commit's author date")

    class Meta:
        ordering = ["file", "at", "id"]
        indexes = [models.Index(fields=["file", "at"]), models.Index(fields=["email", "at"])]

    def __str__(self) -> str:
        return f"{self.email} {'created' if self.created else 'changed'} {self.file}"


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Suggestion.Status.OPEN)


class Suggestion(models.Model):
    """Git says ``person`` worked on ``system`` (``skill`` when the mapping names one) while the
    matrix says they have no level there. A lead accepts it (an assessment follows) or dismisses
    it; neither sets anything by itself. ``last_commit_at`` is the newest change it covers: a
    decided suggestion comes back only for changes after it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="suggestions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="git_suggestions")
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="git_suggestions")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, null=True, blank=True, related_name="git_suggestions")
    changes = models.PositiveIntegerField(help_text="Commits in the window that touched the mapped files")
    paths = models.JSONField(default=list, help_text="The mapped paths changed most, at most a few")
    commits = models.JSONField(default=list, help_text="Their shas, newest first, at most 50")
    first_commit_at = models.DateTimeField()
    last_commit_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True, help_text="What accepting it recorded")

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_commit_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "person", "system", "skill"],
                condition=models.Q(status="open"),
                name="repos_one_open_suggestion_with_skill",
            ),
            models.UniqueConstraint(
                fields=["repository", "person", "system"],
                condition=models.Q(status="open", skill__isnull=True),
                name="repos_one_open_suggestion_without_skill",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.skill or self.system} ({self.changes} changes)"


class WebhookDelivery(models.Model):
    """A GitHub delivery already handled (its ``X-GitHub-Delivery`` id), so a redelivery logs
    nothing twice."""

    guid = models.CharField(max_length=100, unique=True)
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    received_at = models.DateTimeField(default=timezone.now)
    result = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.guid}"


class GitHubAccount(models.Model):
    """A GitHub login and the person it belongs to: how the pull-request webhook knows who wrote
    a merged change and who reviewed it."""

    login = models.CharField(
        max_length=39,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$", "A GitHub login: letters, digits and inner hyphens."
            )
        ],
        help_text="Stored in lower case",
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="github_accounts")

    class Meta:
        ordering = ["login"]
        verbose_name = "GitHub account"

    def __str__(self) -> str:
        return f"{self.login} → {self.person}"

    def save(self, *args, **kwargs):
        self.login = self.login.strip().lower()
        super().save(*args, **kwargs)
