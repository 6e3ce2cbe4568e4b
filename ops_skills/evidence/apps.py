from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ops_skills.evidence"
    verbose_name = "Runbooks and evidence"

    def ready(self) -> None:
        from ops_skills.evidence import signals  # noqa: F401  (connects the receivers)
