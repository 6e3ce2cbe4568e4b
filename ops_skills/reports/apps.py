from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ops_skills.reports"
    verbose_name = "Bus-factor reports"
