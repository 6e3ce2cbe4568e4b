"""Absolute links for emails, built one way for every email the app sends.

An email written while answering a request links to the address that request came to (scheme,
host and port), as allauth's own emails do (password reset, email confirmation): an app run on
another port than 8000, or behind a proxy, links to itself. An email written outside a request (a
management command, a background task) links to ``SITE_URL``.
"""

from allauth.core import context
from allauth.utils import build_absolute_uri
from django.conf import settings


def absolute_url(path: str, request=None) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) as a full URL for an email: on the
    current request's host when there is one, else on ``SITE_URL``."""
    request = request if request is not None else context.request
    if request is not None:
        return build_absolute_uri(request, path)
    return settings.SITE_URL.rstrip("/") + path
