from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

from ops_skills.people.models import Invitation, Person, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ["email", "name", "team", "role", "departed_on", "is_active", "is_staff"]
    list_filter = ["role", "team", "is_active", "is_staff", ("departed_on", admin.EmptyFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["email", "name", "title"]
    ordering = ["name", "email"]
    autocomplete_fields = ["team"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "title", "team", "role", "started_on", "departed"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["departed"]

    @admin.display(description="Left on")
    def departed(self, person):
        """Read-only here: leaving has consequences (assignments cancelled, tokens revoked, sessions
        ended) that only the "mark as left" page carries out."""
        if person.pk is None:
            return "—"
        if person.departed_on:
            return f"{person.departed_on:%-d %b %Y}"
        return format_html('<a href="{}">Mark as left…</a>', reverse("people:person-leave", args=[person.pk]))

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "team", "role", "password1", "password2"]})
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [
        "team",
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["team", "invited_by"]
    search_fields = ["email", "name"]
    readonly_fields = ["key", "created_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["team", "invited_by"]
