from django.contrib import admin

from ops_skills.oncall.models import Schedule, Shift


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "kind", "fetched_at", "last_error"]
    list_filter = ["kind", "team"]
    filter_horizontal = ["systems"]
    readonly_fields = ["feed", "fetched_at", "last_error", "last_error_at", "unmatched"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["schedule", "email", "person", "start", "end"]
    list_filter = ["schedule"]
    raw_id_fields = ["person"]
    search_fields = ["email"]
