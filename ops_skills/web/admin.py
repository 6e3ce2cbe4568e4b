"""The admin of what levels depend on: systems and their skills (a freshness window), assessments,
runbooks (their skills), runbook executions and pairing sessions (their people, skills and
dates). Each save or delete here refreshes the stored levels it can change, through ``flows``,
as every other write does. Deciding on evidence is done on its page, not here: its status is
read-only in the admin."""

from django.contrib import admin
from django.db import transaction

from ops_skills import flows
from ops_skills.evidence.admin import RunbookRevisionInline
from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.skills.models import Assessment, Skill, System
from ops_skills.web.models import CalendarFeed


class FreshnessRefreshMixin:
    """Saving skills whose freshness window changed refreshes the covers it moves."""

    def _refresh_freshness(self, skills, before: dict[int, int]) -> None:
        for skill in skills:
            if skill.pk in before and before[skill.pk] != skill.freshness_days:
                flows.skill_freshness_changed(skill=skill)


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 0
    fields = ["name", "slug", "freshness_days"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(System)
class SystemAdmin(FreshnessRefreshMixin, admin.ModelAdmin):
    list_display = ["name", "team", "tier"]
    list_filter = ["tier", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]

    def save_related(self, request, form, formsets, change):
        system = form.instance
        before = dict(Skill.objects.filter(system=system).values_list("pk", "freshness_days")) if system.pk else {}
        super().save_related(request, form, formsets, change)
        self._refresh_freshness(Skill.objects.filter(system=system), before)


@admin.register(Skill)
class SkillAdmin(FreshnessRefreshMixin, admin.ModelAdmin):
    list_display = ["name", "system", "slug", "freshness_days"]
    list_filter = ["system__team", "system__tier", "system"]
    list_select_related = ["system"]
    search_fields = ["name", "slug", "system__name"]
    autocomplete_fields = ["system"]

    def save_model(self, request, obj, form, change):
        before = dict(Skill.objects.filter(pk=obj.pk).values_list("pk", "freshness_days")) if obj.pk else {}
        super().save_model(request, obj, form, change)
        self._refresh_freshness([obj], before)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["person", "skill", "level", "source", "author", "assessed_at"]
    list_filter = ["source", "level", "skill__system__team", "skill__system"]
    list_select_related = ["person", "skill__system", "author"]
    search_fields = ["person__email", "person__name", "skill__name", "skill__system__name", "note"]
    autocomplete_fields = ["person", "skill", "author"]
    date_hierarchy = "assessed_at"

    def save_model(self, request, obj, form, change):
        # The admin can move an assessment to another person or skill: the old cell changes too.
        before = list(Assessment.objects.filter(pk=obj.pk).values_list("person_id", "skill_id")) if obj.pk else []
        super().save_model(request, obj, form, change)
        flows.assessments_changed(pairs=[*before, (obj.person_id, obj.skill_id)])

    def delete_model(self, request, obj):
        pair = (obj.person_id, obj.skill_id)
        super().delete_model(request, obj)
        flows.assessments_changed(pairs=[pair])

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # the changelist's action is not atomic by itself
            pairs = list(queryset.values_list("person_id", "skill_id"))
            super().delete_queryset(request, queryset)
            flows.assessments_changed(pairs=pairs)


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
        # The skills are saved with the runbook in save_related (a new runbook has no pk yet).
        flows.runbook_save(runbook=obj, author=request.user, note="Edited in the admin")

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        # Through the flow, like every other save: a change of skills refreshes levels.
        flows.runbook_save(
            runbook=form.instance,
            author=request.user,
            skills=list(form.cleaned_data["skills"]),
            note="Edited in the admin",
        )


class EvidenceAdmin(admin.ModelAdmin):
    """People, skills and dates of evidence may be corrected here; the levels they gave before
    and give now are refreshed. Its status moves only on its page (``flows``), where assignments
    and onboarding follow it too."""

    readonly_fields = ["status", "decided_by", "decided_at", "dispute_reason"]

    def save_model(self, request, obj, form, change):
        request._levels_before = flows.scope_of_evidence(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        flows.evidence_edited(evidence=form.instance, before=getattr(request, "_levels_before", (set(), set())))

    def delete_model(self, request, obj):
        before = flows.scope_of_evidence(obj)
        super().delete_model(request, obj)
        flows.evidence_edited(evidence=obj, before=before)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # the changelist's action is not atomic by itself
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(RunbookExecution)
class RunbookExecutionAdmin(EvidenceAdmin):
    list_display = ["runbook", "performer", "environment", "outcome", "status", "occurred_at", "logged_by"]
    list_filter = ["environment", "outcome", "status", "runbook__system__team", "runbook__system"]
    list_select_related = ["runbook", "performer", "logged_by"]
    search_fields = ["runbook__title", "performer__email", "performer__name", "notes", "link"]
    autocomplete_fields = ["runbook", "performer", "participants", "logged_by"]
    date_hierarchy = "occurred_at"


@admin.register(PairingSession)
class PairingSessionAdmin(EvidenceAdmin):
    list_display = ["__str__", "mentor", "duration_minutes", "status", "occurred_at", "logged_by"]
    list_filter = ["status", "skills__system__team", "skills__system"]
    list_select_related = ["mentor", "logged_by"]
    search_fields = ["mentor__email", "mentor__name", "learners__email", "learners__name", "skills__name", "notes"]
    autocomplete_fields = ["mentor", "learners", "skills", "logged_by"]
    date_hierarchy = "occurred_at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Subscription addresses: an admin sees who has one and may delete it (revoke); the secret
    itself is never stored, so it cannot be shown or made here."""

    list_display = ["person", "prefix", "created_at", "last_used_at"]
    list_select_related = ["person"]
    search_fields = ["person__email", "person__name"]
    readonly_fields = ["person", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
