from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "ops_skills.skills"
    verbose_name = "Systems and skills"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ops_skills.skills import signals  # connects the receivers

        post_migrate.connect(signals.fill_after_migrate, sender=self, dispatch_uid="current_level_fill")
