"""The repos app in the Django admin. What git history gives (commits, files, changes) is read
from the clones, so it is shown, never added or changed here; suggestions are decided on the
suggestions page, where accepting one records the assessment."""

from django.contrib import admin

from ops_skills.repos.models import (
    AuthorAlias,
    Commit,
    FileChange,
    GitHubAccount,
    PathMapping,
    RepoFile,
    Repository,
    Suggestion,
    WebhookDelivery,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows read from a clone or received from GitHub: looked at, deleted at most."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PathMappingInline(admin.TabularInline):
    model = PathMapping
    extra = 1
    autocomplete_fields = ["system", "skill"]


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "path", "read_at", "last_commit", "last_error"]
    list_filter = ["team"]
    search_fields = ["name", "slug", "path", "github_full_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["team"]
    readonly_fields = ["last_commit", "read_at", "last_error", "last_error_at", "created_at"]
    inlines = [PathMappingInline]


@admin.register(PathMapping)
class PathMappingAdmin(admin.ModelAdmin):
    list_display = ["pattern", "repository", "system", "skill"]
    list_filter = ["repository"]
    search_fields = ["pattern", "system__name", "skill__name"]
    autocomplete_fields = ["repository", "system", "skill"]


@admin.register(AuthorAlias)
class AuthorAliasAdmin(admin.ModelAdmin):
    list_display = ["email", "person"]
    search_fields = ["email", "person__email", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(GitHubAccount)
class GitHubAccountAdmin(admin.ModelAdmin):
    list_display = ["login", "person"]
    search_fields = ["login", "person__email", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(Commit)
class CommitAdmin(ReadOnlyAdmin):
    list_display = ["sha", "repository", "author_email", "authored_at", "subject"]
    list_filter = ["repository"]
    search_fields = ["sha", "author_email", "author_name", "subject"]
    date_hierarchy = "authored_at"


@admin.register(RepoFile)
class RepoFileAdmin(ReadOnlyAdmin):
    list_display = ["path", "repository", "deleted"]
    list_filter = ["repository", "deleted"]
    search_fields = ["path"]


@admin.register(FileChange)
class FileChangeAdmin(ReadOnlyAdmin):
    list_display = ["file", "email", "created", "at"]
    search_fields = ["email", "file__path", "commit__sha"]
    raw_id_fields = ["file", "commit"]
    list_select_related = ["file"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["person", "system", "skill", "repository", "changes", "last_commit_at", "status", "decided_by"]
    list_filter = ["status", "repository"]
    search_fields = ["person__email", "person__name", "system__name", "skill__name"]
    list_select_related = ["person", "system", "skill", "repository", "decided_by"]
    raw_id_fields = ["person", "decided_by"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["guid", "event", "repository", "received_at", "result"]
    list_filter = ["event", "repository"]
    search_fields = ["guid", "result"]
