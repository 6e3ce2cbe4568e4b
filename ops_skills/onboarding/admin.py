from django.contrib import admin

from ops_skills.onboarding.models import (
    Checklist,
    ChecklistItem,
    OnboardingTemplate,
    PlannedOnboarding,
    ReminderSent,
    TemplateItem,
)


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0
    fields = ["position", "kind", "title", "due_days", "runbook", "skill"]
    autocomplete_fields = ["runbook", "skill"]


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "role", "version", "updated_at"]
    list_filter = ["team", "role"]
    search_fields = ["name"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [TemplateItemInline]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "kind", "title", "due_on", "done_at", "completed_by", "ticked_by"]
    readonly_fields = ["done_at", "completed_by", "ticked_by"]


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["person", "team", "template", "buddy", "started_on", "finished_at"]
    list_filter = ["team", ("finished_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person", "team", "template", "buddy"]
    search_fields = ["person__email", "person__name"]
    autocomplete_fields = ["person", "buddy"]
    inlines = [ChecklistItemInline]


@admin.register(PlannedOnboarding)
class PlannedOnboardingAdmin(admin.ModelAdmin):
    list_display = ["invitation", "template", "buddy", "start_on", "checklist"]
    list_select_related = ["invitation__team", "template", "buddy", "checklist__person"]
    raw_id_fields = ["invitation", "checklist"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["item", "person", "kind", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["item", "person"]
    raw_id_fields = ["item"]
