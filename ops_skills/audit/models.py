"""The audit trail's entry: django-auditlog's log entry (``AUDITLOG_LOGENTRY_MODEL``) plus where the
change came from and which teams and people it is about, so that a lead's page can filter on them
on SQLite and PostgreSQL alike."""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models

from ops_skills.audit import scope
from ops_skills.people import audit


class AuditEntryManager(LogEntryManager):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        """auditlog's entry for a signal it caught, with its origin, teams and people."""
        if kwargs.get("changes") is not None or force_log:
            self._complete(instance, kwargs)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        self._complete(instance, kwargs)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)

    @staticmethod
    def _complete(instance, kwargs: dict) -> None:
        teams, people = scope.of(instance, kwargs.get("changes") or {})
        kwargs.setdefault("teams", audit.ids(teams))
        kwargs.setdefault("people", audit.ids(people))
        kwargs.setdefault("changes_text", audit.describe(kwargs.get("changes")))
        fields = audit.current().fields()
        if "actor" in kwargs:
            fields.pop("actor_id")
        elif fields["actor_id"] is None and kwargs.get("action") == AuditEntry.Action.CREATE:
            # No request behind it (a command, a task): the record's own author, if it names one.
            fields["actor_id"] = scope.author_id(instance)
        for name, value in fields.items():
            kwargs.setdefault(name, value)


class AuditEntry(AbstractLogEntry):
    origin = models.CharField(max_length=10, choices=audit.ORIGINS, default=audit.SYSTEM)
    path = models.CharField(max_length=300, blank=True, help_text="The page or command that made the change")
    # The token's id and name as they were: no foreign key, so deleting a token keeps its entries.
    token_id = models.BigIntegerField(null=True, blank=True)
    token_name = models.CharField(max_length=120, blank=True)
    teams = models.TextField(blank=True, help_text="Ids of the teams it is about, as |3|7|")
    people = models.TextField(blank=True, help_text="Ids of the people it is about, as |3|7|")

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
