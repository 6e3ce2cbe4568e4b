from django.contrib import admin, messages

from ops_skills.api import services
from ops_skills.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner on /api/tokens/ (the key is shown to them once);
    here an admin sees them and revokes them."""

    list_display = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "person__team"]
    list_select_related = ["person"]
    search_fields = ["name", "prefix", "person__email", "person__name"]
    readonly_fields = ["person", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "person", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token)
            count += 1
        self.message_user(request, f"{count} token{'s' if count != 1 else ''} revoked.", messages.SUCCESS)
