"""The JSON API's plumbing: token authentication, allowed methods, JSON errors, transactions.

Every endpoint is a function ``view(request, person, ...)`` wrapped by ``endpoint``. A write
endpoint accepts only a token (``Authorization: Bearer <key>``), never the browser session, which
is why it may be exempt from CSRF checks: a cross-site form cannot set that header. A read
endpoint also accepts the session, so that a logged-in person can open it in the browser.
"""

from __future__ import annotations

import functools
import json
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ops_skills.api.models import ApiToken, hash_key
from ops_skills.people.models import Person

# Writing last_used_at on every call would turn every read into a write; once a minute is
# precise enough to tell a token in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)
AUTH_HINT = "Send your API token as “Authorization: Bearer <token>”; create one at /api/tokens/."


class ApiError(Exception):
    """An answer other than success, raised anywhere below a view and turned into JSON."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None, headers=None):
        super().__init__(message)
        self.status, self.message, self.fields, self.headers = status, message, fields, headers or {}

    def response(self) -> JsonResponse:
        return error_response(self.status, self.message, self.fields, self.headers)


def error_response(status: int, message: str, fields: dict[str, str] | None = None, headers=None) -> JsonResponse:
    body: dict = {"error": message}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status, headers=headers)
    response["Cache-Control"] = "no-store"
    return response


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="ops-skills"'})


def token_person(request) -> tuple[Person, ApiToken]:
    """The person whose token is in the Authorization header. One query, plus one write at most
    once a minute for ``last_used_at``."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise _unauthorized(AUTH_HINT)
    token = ApiToken.objects.select_related("person__team").filter(key_hash=hash_key(key)).first()
    if token is None:
        raise _unauthorized("Unknown API token.")
    if token.revoked_at is not None:
        raise _unauthorized("This API token was revoked.")
    person = token.person
    if not person.is_active or person.is_departed:
        raise _unauthorized("The owner of this API token can no longer use ops-skills.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return person, token


def authenticate(request, *, allow_session: bool) -> Person:
    if "Authorization" in request.headers:
        person, token = token_person(request)
        request.user, request.api_token = person, token
        return person
    user = request.user
    if user.is_authenticated:
        if not allow_session:
            raise _unauthorized("This endpoint does not accept a browser session. " + AUTH_HINT)
        if user.is_departed:
            raise _unauthorized("You can no longer use ops-skills.")
        request.api_token = None
        return user
    raise _unauthorized(AUTH_HINT)


def endpoint(*methods: str, write: bool = False):
    """Make ``view(request, person, ...)`` an API endpoint answering ``methods``; a write
    endpoint takes a token only and runs in one transaction."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in allowed:
                    raise ApiError(
                        405,
                        f"{request.method} is not allowed here; use {' or '.join(sorted(methods))}.",
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                person = authenticate(request, allow_session=not write)
                if write:
                    with transaction.atomic():
                        return view(request, person, *args, **kwargs)
                return view(request, person, *args, **kwargs)
            except ApiError as error:
                return error.response()
            except PermissionDenied as error:
                return error_response(403, str(error) or "You are not allowed to do this.")
            except Http404:
                return error_response(404, "Not found.")
            except ValidationError as error:
                return error_response(400, " ".join(error.messages))

        wrapper.json_api = True  # its errors are JSON, even those Django answers (ops_skills/errors.py)
        # Safe: a write endpoint ignores the session cookie, and a read endpoint does not change anything.
        return csrf_exempt(wrapper)

    return decorator


def parse_body(request) -> dict:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    if not request.body:
        raise ApiError(400, "Send a JSON object in the request body.")
    try:
        data = json.loads(request.body)
    except UnicodeDecodeError:
        raise ApiError(400, "The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise ApiError(400, f"The request body is not valid JSON: {error}.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


@csrf_exempt
def not_found(request, path=""):
    return error_response(404, "No such API endpoint. API URLs end with a slash, e.g. /api/me/.")


not_found.json_api = True
