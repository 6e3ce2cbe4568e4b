from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "ops_skills.oncall"
    label = "oncall"
    verbose_name = "On-call"
