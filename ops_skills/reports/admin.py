from django.contrib import admin

from ops_skills.reports.models import Absence, Snapshot


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "starts_on", "ends_on", "note"]
    list_filter = ["kind", "person__team"]
    search_fields = ["person__email", "person__name", "note"]
    date_hierarchy = "starts_on"
    raw_id_fields = ["person", "created_by"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["taken_on", "team", "skills", "uncovered", "single_points", "systems_at_risk", "min_truck_factor"]
    list_filter = ["team"]
    date_hierarchy = "taken_on"
