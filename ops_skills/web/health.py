"""``/health/``, for the load balancer: the database, the cache and the task queue answer.

Built on django-health-check 4.x (its checks are classes listed on the view, not installed apps).
Anonymous, never cached, exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``). 200 when
every check passes or only warns (a backlog of tasks is the worker's problem, not a reason to
take this web server out of the pool), 503 when one fails. JSON with ``Accept: application/json``
or ``?format=json``; plain text with ``?format=text``. Messages name the check and what failed,
never a host, a password or a query."""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import connections
from django.db import models as db_models
from django.db.models.functions import Greatest
from django.http import JsonResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The database task queue (django-tasks-db) answers, and its oldest task ready to run has
    waited less than ``max_wait`` (a warning otherwise: is ``db_worker`` running?)."""

    alias: str = "default"
    max_wait: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.HEALTH_TASK_MAX_WAIT_SECONDS), repr=False
    )

    def run(self):
        connection = connections[self.alias]
        try:
            with connection.temporary_connection():
                oldest = self.oldest_ready()
        except Exception as e:
            raise ServiceUnavailable("the task queue table does not answer") from e
        if oldest is None:
            return
        waited = timezone.now() - oldest
        if waited > self.max_wait:
            raise ServiceWarning(f"the oldest task ready to run has waited {int(waited.total_seconds())} s")

    def oldest_ready(self) -> datetime.datetime | None:
        """When the task ready to run longest became ready (enqueued, or its ``run_after``)."""
        ready_since = db_models.Case(
            db_models.When(run_after=get_date_max(), then=db_models.F("enqueued_at")),
            default=Greatest("run_after", "enqueued_at"),
        )
        return (
            DBTaskResult.objects.using(self.alias)
            .ready()
            .annotate(ready_since=ready_since)
            .order_by("ready_since")
            .values_list("ready_since", flat=True)
            .first()
        )


class HealthView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        TaskQueue,
    )

    @property
    def failed(self) -> bool:
        return any(r.error and not isinstance(r.error, ServiceWarning) for r in self.results)

    def _status(self) -> int:
        return 503 if self.failed else 200

    def render_to_response(self, context, **response_kwargs):
        response_kwargs["status"] = self._status()
        return super().render_to_response(context, **response_kwargs)

    def render_to_response_text(self, status):
        return super().render_to_response_text(self._status())

    def render_to_response_json(self, status):
        return JsonResponse(
            {
                "status": "unhealthy" if self.failed else "healthy",
                "checks": {repr(r.check): str(r.error) if r.error else "OK" for r in self.results},
            },
            status=self._status(),
        )


health = HealthView.as_view()
