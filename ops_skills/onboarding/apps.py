from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "ops_skills.onboarding"
    verbose_name = "Onboarding"
