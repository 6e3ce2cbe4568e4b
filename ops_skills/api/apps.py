from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ops_skills.api"
    verbose_name = "JSON API"
