from django.contrib import admin

from ops_skills.skills.models import Assessment, Skill, System


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 0
    fields = ["name", "slug", "freshness_days"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "tier"]
    list_filter = ["tier", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "system", "slug", "freshness_days"]
    list_filter = ["system__team", "system__tier", "system"]
    list_select_related = ["system"]
    search_fields = ["name", "slug", "system__name"]
    autocomplete_fields = ["system"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["person", "skill", "level", "source", "author", "assessed_at"]
    list_filter = ["source", "level", "skill__system__team", "skill__system"]
    list_select_related = ["person", "skill__system", "author"]
    search_fields = ["person__email", "person__name", "skill__name", "skill__system__name", "note"]
    autocomplete_fields = ["person", "skill", "author"]
    date_hierarchy = "assessed_at"
