from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top of the house: pages that bring several apps together (the home page, a person, a
    team, deciding on evidence, editing a runbook, inviting someone), the admin of what levels
    depend on, the accounts adapter and the demo data. Nothing imports it."""

    name = "ops_skills.web"
    verbose_name = "Web"
