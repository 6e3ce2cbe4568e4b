from django.apps import AppConfig


class LevelsConfig(AppConfig):
    name = "ops_skills.levels"
    verbose_name = "Current levels"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ops_skills.levels import store

        post_migrate.connect(store.fill_after_migrate, sender=self, dispatch_uid="current_level_fill")
