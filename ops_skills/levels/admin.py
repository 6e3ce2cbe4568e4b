from django.contrib import admin

from ops_skills.levels.models import CurrentLevel


@admin.register(CurrentLevel)
class CurrentLevelAdmin(admin.ModelAdmin):
    """Read-only: the stored levels are derived (``levels.store``); change an assessment or
    evidence instead."""

    list_display = ["person", "skill", "level", "basis", "reason", "practised_at", "fresh_until"]
    list_filter = ["level", "basis", "skill__system__team"]
    list_select_related = ["person", "skill__system"]
    search_fields = ["person__email", "person__name", "skill__name", "skill__system__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
