"""What Django answers when a view could not (``handler400``, ``handler404`` and ``handler500`` in
``ops_skills.urls``): JSON for the API's endpoints, so that a script gets JSON for every error,
500 included, and HTML pages elsewhere. Django has logged the error, with its traceback, before
any of these runs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views import defaults

from ops_skills.api.http import error_response
from ops_skills.people.http import BadInput


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


def bad_request(request: HttpRequest, exception) -> HttpResponse:
    # Only our own BadInput says what is wrong; Django's SuspiciousOperation messages stay private.
    message = str(exception) if isinstance(exception, BadInput) else ""
    if _wants_json(request):
        return error_response(400, message or "Bad request.")
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    if _wants_json(request):
        return error_response(404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return error_response(500, "Something went wrong on our side; it was logged. Try again later.")
    return defaults.server_error(request)
