from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ops_skills.people"
    verbose_name = "People and teams"
