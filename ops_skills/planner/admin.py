from django.contrib import admin

from ops_skills.planner.models import Assignment, Interest


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["person", "skill", "kind", "created_at"]
    list_filter = ["kind", "skill__system__team"]
    list_select_related = ["person", "skill__system"]
    search_fields = ["person__email", "person__name", "skill__name", "skill__system__name"]
    raw_id_fields = ["person", "skill"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["skill", "mentor", "learner", "status", "due_on", "level_at_start", "level_at_end"]
    list_filter = ["status", "skill__system__team", "due_on"]
    list_select_related = ["skill__system", "mentor", "learner"]
    search_fields = ["mentor__email", "learner__email", "skill__name", "skill__system__name"]
    raw_id_fields = ["skill", "mentor", "learner", "accepted_by", "cancelled_by"]
    readonly_fields = ["completed_by_session", "completed_by_execution", "completed_at", "accepted_at"]
    date_hierarchy = "due_on"
