from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from ops_skills.audit.models import AuditEntry

# auditlog registers its own admin for the entry model; ours searches the fields a Person has
# and shows where each change came from. Read-only, as auditlog's is.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LogEntryAdmin):
    list_display = ["created", "resource_url", "action", "msg_short", "user_url", "origin", "path", "token_name"]
    list_filter = ["action", "origin", "content_type"]
    search_fields = ["object_repr", "changes_text", "actor_email", "actor__name", "path", "token_name"]
    readonly_fields = [*LogEntryAdmin.readonly_fields, "origin", "path", "token_name", "teams", "people"]
    fieldsets = [
        *LogEntryAdmin.fieldsets,
        ("Where from", {"fields": ["origin", "path", "token_name", "teams", "people"]}),
    ]
