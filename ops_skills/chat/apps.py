from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "ops_skills.chat"
    label = "chat"
    verbose_name = "Chat"
