from django.apps import AppConfig


class ReposConfig(AppConfig):
    name = "ops_skills.repos"
    label = "repos"
    verbose_name = "Repositories"
