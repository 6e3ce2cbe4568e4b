from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "ops_skills.skills"
    verbose_name = "Systems and skills"
