from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "ops_skills.evidence"
    verbose_name = "Runbooks and evidence"
