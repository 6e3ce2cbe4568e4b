from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: which models django-auditlog tracks, its entry model, the middleware that
    says who acts and from where, and the /audit/ page. At the top of the house, beside the web
    and the API, since it reads every app; the lower apps write explicit entries through
    ``people.audit``."""

    name = "ops_skills.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from ops_skills.audit import scope

        scope.register_models()
