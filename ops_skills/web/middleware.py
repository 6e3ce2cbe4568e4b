"""A write that cannot get the database answers 503 "try again", never 500.

On SQLite one write transaction runs at a time; another waits for the lock up to the
``timeout`` of ``settings.DATABASES`` (a long matrix import holds it for seconds), then fails
with "database is locked". PostgreSQL says the same with a lock timeout (SQLSTATE 55P03).
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds
MESSAGE = "The database is busy (an import is running); try again in a moment."
LOCKED_MESSAGES = ("database is locked", "database table is locked")
LOCK_NOT_AVAILABLE = "55P03"


def is_database_busy(exception: BaseException) -> bool:
    """Whether ``exception`` says the database is locked by another writer."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    return str(exception) in LOCKED_MESSAGES or getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE


def busy_response(request):
    """503 with Retry-After: JSON under /api/, else a page that needs nothing from the database."""
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": MESSAGE}, status=503, headers=headers)
    response = render(request, "database_busy.html", {"message": MESSAGE}, status=503)
    for name, value in headers.items():
        response[name] = value
    return response


class DatabaseBusyMiddleware:
    """Turns "database is locked" raised by a view into ``busy_response``. Last in MIDDLEWARE,
    so its ``process_exception`` runs before any other's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("database busy: %s %s answered 503 (%s)", request.method, request.path, exception)
        return busy_response(request)
