from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "ops_skills.planner"
    verbose_name = "Transfer planner and assignments"
