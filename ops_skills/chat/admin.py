from django.contrib import admin

from ops_skills.chat.models import DigestSent, SlackLink, TeamChat


@admin.register(TeamChat)
class TeamChatAdmin(admin.ModelAdmin):
    list_display = ["team", "slack_channel", "webhook_url", "digest_enabled"]
    list_select_related = ["team"]
    search_fields = ["team__name", "slack_channel"]


@admin.register(SlackLink)
class SlackLinkAdmin(admin.ModelAdmin):
    list_display = ["person", "slack_user_id", "by_code", "checked_at"]
    list_select_related = ["person"]
    search_fields = ["person__name", "person__email", "slack_user_id"]
    readonly_fields = ["code", "code_expires_at"]
    raw_id_fields = ["person"]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["team", "week", "destination", "sent_at"]
    list_filter = ["destination"]
    list_select_related = ["team"]
    readonly_fields = ["team", "week", "destination", "sent_at", "single_points"]

    def has_add_permission(self, request):
        return False  # a record of what ``send_digests`` sent, written by it alone
