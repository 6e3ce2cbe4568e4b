"""What Django answers when a view could not (``handler400``, ``handler403``, ``handler404`` and
``handler500`` in ``ops_skills.urls``): JSON for the API's endpoints, so that a script gets JSON
for every error, 500 included, and styled HTML pages elsewhere, each saying why and offering a
way home (and back, when the visitor came from one of our pages). Django has logged the error,
with its traceback, before any of these runs."""

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from ops_skills.api.http import error_response
from ops_skills.people.http import BadInput

# get_object_or_404's own message names a model ("No PairingSession matches the given query."):
# the page's general wording says it better.
GENERIC_NOT_FOUND = re.compile(r"No \w+ matches the given query\.")


def _wants_json(request: HttpRequest) -> bool:
    """True for a request to a JSON endpoint (``api.http.endpoint`` marks them; the API's HTML
    token pages are not). Resolved here, because an error raised by a middleware comes before
    the URL is."""
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return getattr(match.func, "json_api", False)


def _back(request: HttpRequest) -> str:
    """The page the visitor came from, when it is one of ours (and not this one), else ""."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if same_site and referer != request.build_absolute_uri() else ""


def _page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, f"{status}.html", {"message": message, "back": _back(request)}, status=status)


def bad_request(request: HttpRequest, exception) -> HttpResponse:
    # Only our own BadInput says what is wrong; Django's SuspiciousOperation messages stay private.
    message = str(exception) if isinstance(exception, BadInput) else ""
    if _wants_json(request):
        return error_response(400, message or "Bad request.")
    return _page(request, 400, message)


def permission_denied(request: HttpRequest, exception) -> HttpResponse:
    # PermissionDenied messages are written for the person who was refused ("Leads and admins
    # see the flagged executions.").
    message = str(exception) if exception is not None else ""
    if _wants_json(request):
        return error_response(403, message or "You may not do that.")
    return _page(request, 403, message)


def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    if _wants_json(request):
        return error_response(404, "Not found.")
    # A view's own Http404 message ("This runbook has no revisions.") is shown; a URL that
    # matched nothing (Resolver404) and get_object_or_404's wording are not.
    message = ""
    if type(exception) is Http404 and exception.args and isinstance(exception.args[0], str):
        message = "" if GENERIC_NOT_FOUND.fullmatch(exception.args[0]) else exception.args[0]
    return _page(request, 404, message)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return error_response(500, "Something went wrong on our side; it was logged. Try again later.")
    # 500.html stands alone: rendered without the request, so without the context processors
    # and the database (either may be what failed); the request id lets a report be matched
    # with the logged traceback.
    html = loader.get_template("500.html").render({"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(html)
