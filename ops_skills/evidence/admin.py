from django.contrib import admin

from ops_skills.evidence.models import RunbookRead, RunbookRevision

# Runbooks, executions and pairing sessions are registered in ``ops_skills.web.admin``: saving
# them can change levels, which the flows above the apps refresh.


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
