"""One log line per request (method, path, status, duration, user, request id), and the request id
on every other line logged while it is served.

The id is the caller's ``X-Request-ID`` when it looks like one (a load balancer or proxy sets it),
else a new one; either way it is echoed in the response's ``X-Request-ID``, so a user's report, the
proxy's log and ours can be matched. Loaded by the ``LOGGING`` setting before the apps, so this
imports nothing from them."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty

logger = logging.getLogger("ops_skills.request")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# What a well-behaved proxy sends; anything else (a line break, 10 kB) is replaced, not logged.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Secrets that travel in URLs (invitation, email confirmation and password reset keys).
SECRET_KWARGS = ("key", "token")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def _path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_KWARGS:
        value = match.kwargs.get(name) if match else None
        if value:
            path = path.replace(str(value), "[redacted]")
    return path


def _user_id(request) -> int | None:
    """The user's id if the request loaded them: a page that never looked (the health check, a
    static file) costs no session query for the log's sake."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """First in ``MIDDLEWARE``, so its duration covers every other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response["X-Request-ID"] = request_id
            user_id = _user_id(request)
            path = _path(request)
            logger.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                path,
                response.status_code,
                duration_ms,
                user_id if user_id is not None else "-",
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                    "request_id": request_id,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
