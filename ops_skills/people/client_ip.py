"""The address of the person making a request, as far as the proxies in front of the app vouch for it.

One answer for the login rate limits (allauth's adapter) and the audit trail. Behind
``TRUSTED_PROXY_COUNT`` proxies the client is the address the outermost of them appended to
``X-Forwarded-For``; with ``TRUSTED_CLIENT_IP_HEADER`` it is that header; otherwise (no proxy
trusted) the connecting address, since a client can send any ``X-Forwarded-For``.

A request whose ``X-Forwarded-For`` holds fewer addresses than the trusted count did not pass
through every proxy (or the count is wrong): allauth raises ``ImproperlyConfigured`` then, a 500
for anyone who sends such a header. Here it falls back to the connecting address, the one address
nobody can forge, and logs a warning so a wrong count is noticed."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, or ``None`` when nothing trustworthy names one."""
    connecting = _clean(request.META.get("REMOTE_ADDR"))
    header = settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    if header:
        return _clean(request.headers.get(header)) or connecting
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for")
    if count > 0 and forwarded:
        addresses = forwarded.split(",")
        if len(addresses) < count:
            logger.warning(
                "X-Forwarded-For has %d address(es), fewer than TRUSTED_PROXY_COUNT=%d: using the connecting address",
                len(addresses),
                count,
            )
            return connecting
        return _clean(addresses[-count]) or connecting
    return connecting
