from django.contrib import admin

from ops_skills.evidence import services
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution, RunbookRead, RunbookRevision


class RunbookRevisionInline(admin.TabularInline):
    """The history, for reading: revisions are only ever made by saving the runbook."""

    model = RunbookRevision
    extra = 0
    fields = ["number", "title", "author", "created_at", "note"]
    readonly_fields = fields
    ordering = ["-number"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Runbook)
class RunbookAdmin(admin.ModelAdmin):
    list_display = ["title", "system", "owner", "review_interval_days", "last_reviewed_on", "updated_at"]
    list_filter = ["system__team", "system", ("last_reviewed_on", admin.EmptyFieldListFilter)]
    list_select_related = ["system", "owner"]
    search_fields = ["title", "slug", "system__name", "source_path"]
    autocomplete_fields = ["system", "owner", "skills"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [RunbookRevisionInline]

    def save_model(self, request, obj, form, change):
        # Through the service, like every other save, so that a changed text is a new revision.
        services.runbook_save(runbook=obj, author=request.user, note="Edited in the admin")


@admin.register(RunbookRevision)
class RunbookRevisionAdmin(admin.ModelAdmin):
    list_display = ["runbook", "number", "title", "author", "created_at", "note"]
    list_filter = ["runbook__system__team", "runbook__system"]
    list_select_related = ["runbook", "author"]
    search_fields = ["runbook__title", "title", "note", "author__email"]
    date_hierarchy = "created_at"

    # A revision is history: read it here, change the runbook instead.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RunbookRead)
class RunbookReadAdmin(admin.ModelAdmin):
    list_display = ["runbook", "person", "revision_number", "read_at"]
    list_filter = ["runbook__system"]
    list_select_related = ["runbook", "person"]
    search_fields = ["runbook__title", "person__email", "person__name"]
    autocomplete_fields = ["runbook", "person"]
    date_hierarchy = "read_at"


@admin.register(RunbookExecution)
class RunbookExecutionAdmin(admin.ModelAdmin):
    list_display = ["runbook", "performer", "environment", "outcome", "status", "occurred_at", "logged_by"]
    list_filter = ["environment", "outcome", "status", "runbook__system__team", "runbook__system"]
    list_select_related = ["runbook", "performer", "logged_by"]
    search_fields = ["runbook__title", "performer__email", "performer__name", "notes", "link"]
    autocomplete_fields = ["runbook", "performer", "participants", "logged_by", "decided_by"]
    date_hierarchy = "occurred_at"


@admin.register(PairingSession)
class PairingSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mentor", "duration_minutes", "status", "occurred_at", "logged_by"]
    list_filter = ["status", "skills__system__team", "skills__system"]
    list_select_related = ["mentor", "logged_by"]
    search_fields = ["mentor__email", "mentor__name", "learners__email", "learners__name", "skills__name", "notes"]
    autocomplete_fields = ["mentor", "learners", "skills", "logged_by", "decided_by"]
    date_hierarchy = "occurred_at"
