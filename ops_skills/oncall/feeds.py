"""Reading a rota from the outside world: an iCalendar feed (expanded with recurring-ical-events:
RRULE, EXDATE, overrides by RECURRENCE-ID, time zones and all-day events) or PagerDuty's
``GET /oncalls``. Everything that can go wrong becomes a ``FeedError`` whose message is shown
to the lead as it is, so it says what happened in words, never a traceback.

A lead types a feed's address, and the server fetches it: unless private addresses are allowed
(``ONCALL_FEEDS_ALLOW_PRIVATE``, for a rota tool on the local network, and for the tests), every
connection, a redirect's included, goes only to public addresses, checked on the addresses the
host name resolves to at that moment and then connected to as checked, so that a feed cannot
reach the cloud's metadata service or the servers beside this one.

Nothing here touches the database: ``services.schedule_fetch`` stores what this returns."""

from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from urllib.parse import urlencode, urlsplit

import icalendar
import recurring_ical_events

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
CHUNK = 64 * 1024
WINDOW = timedelta(weeks=1)


class FeedError(Exception):
    """A feed that could not be fetched or read; the message is for the lead."""


@dataclass(frozen=True, slots=True)
class FeedShift:
    email: str  # lower case; empty when the event names nobody
    start: datetime  # aware
    end: datetime  # aware


def refused(address: str) -> str | None:
    """Why a feed may not be fetched from the IP ``address``: the kind of network it is in
    (loopback, link-local, multicast, private, reserved…), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 address may carry a "%zone"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    kinds = {
        "loopback": ip.is_loopback,
        "unspecified": ip.is_unspecified,
        "link-local": ip.is_link_local,  # 169.254.169.254: the cloud's metadata service
        "multicast": ip.is_multicast,
        "private": ip.is_private,
        "reserved": ip.is_reserved,
        "non-public": not ip.is_global,  # shared address space (100.64.0.0/10), documentation…
    }
    return next((kind for kind, found in kinds.items() if found), None)


def _public_connection(address, timeout, source_address) -> socket.socket:
    """``socket.create_connection`` to public addresses only: the host is resolved once, refused
    when any of its addresses is not public, and connected to at the addresses checked (a second
    lookup could answer otherwise)."""
    host, port = address
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise FeedError(f"Could not find the server {host}: {e.strerror}.") from None
    for *_, sockaddr in found:
        kind = refused(sockaddr[0])
        if kind is not None:
            raise FeedError(
                f"Refused: {host} is at {sockaddr[0]}, a {kind} address. A feed must be on the public "
                "internet (an admin can allow private addresses with ONCALL_FEEDS_ALLOW_PRIVATE)."
            )
    error = OSError(f"no address for {host}")
    for *_, sockaddr in found:
        try:
            return socket.create_connection((sockaddr[0], port), timeout, source_address)
        except OSError as e:
            error = e
    raise error


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection  # then wrapped in TLS for the host name as usual


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


def _opener(*, allow_private: bool) -> urllib.request.OpenerDirector:
    """http and https only, redirects followed (each through the same handlers, so each target is
    checked again) and no ftp:// or file:// (a redirect there is an error). A proxy from the
    environment only when private addresses are allowed: the check must see the server's address."""
    opener = urllib.request.OpenerDirector()
    web = (
        (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler())
        if allow_private
        else (_PublicHTTPHandler(), _PublicHTTPSHandler())
    )
    for handler in (
        *web,
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


def http_get(
    url: str, *, timeout: float, max_bytes: int, allow_private: bool = False, headers: dict[str, str] | None = None
) -> bytes:
    """The body at ``url``, read within ``timeout`` seconds in all (not per read: a server that
    trickles a byte a second is cut off too) and never more than ``max_bytes + 1`` bytes of it;
    from public addresses only unless ``allow_private``."""
    if url.startswith("webcal://"):
        url = "https://" + url.removeprefix("webcal://")
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FeedError("The address must start with http:// or https://.")
    request = urllib.request.Request(url, headers={"User-Agent": "ops-skills on-call", **(headers or {})})  # noqa: S310
    deadline = time.monotonic() + timeout
    try:
        with _opener(allow_private=allow_private).open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FeedError(f"The feed is {_size(int(length))}, more than the {_size(max_bytes)} allowed.")
            body = bytearray()
            while len(body) <= max_bytes:
                if time.monotonic() > deadline:
                    raise FeedError(f"The feed did not arrive within {timeout:g} seconds.")
                chunk = response.read(min(CHUNK, max_bytes + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
    except urllib.error.HTTPError as e:
        raise FeedError(f"The server answered {e.code} {e.reason}.") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError | socket.timeout):
            raise FeedError(f"The server did not answer within {timeout:g} seconds.") from None
        raise FeedError(f"Could not reach the server: {e.reason}.") from None
    except TimeoutError:
        raise FeedError(f"The server did not answer within {timeout:g} seconds.") from None
    except (OSError, ValueError) as e:
        raise FeedError(f"Could not read the feed: {e}.") from None
    if len(body) > max_bytes:
        raise FeedError(f"The feed is more than the {_size(max_bytes)} allowed.")
    return bytes(body)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"


def _aware(value: date | datetime, tz: tzinfo) -> datetime:
    """An event's start or end as an aware datetime: a date (an all-day event) is midnight, and a
    floating time is local time, both in ``tz`` (the app's time zone)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, dtime.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def _holder(event) -> str:
    """Who an event puts on call: its attendee's email, else its organiser's, else an email
    written in its summary (PagerDuty and Opsgenie feeds write "On call: ana@example.com")."""
    for prop in ("ATTENDEE", "ORGANIZER"):
        values = event.get(prop)
        for value in values if isinstance(values, list) else [values] if values is not None else []:
            text = str(value)
            if text.lower().startswith("mailto:") and EMAIL.fullmatch(text[7:].strip()):
                return text[7:].strip().lower()
    found = EMAIL.search(str(event.get("SUMMARY", "")))
    return found.group(0).lower() if found else ""


def ical_shifts(body: bytes, start: datetime, end: datetime, *, tz: tzinfo, max_shifts: int) -> list[FeedShift]:
    """The shifts of an iCalendar feed that overlap ``start``..``end``, earliest first."""
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except ValueError as e:
        raise FeedError(f"This is not an iCalendar feed: {str(e)[:150]}") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise FeedError("This is not an iCalendar feed: it holds no VCALENDAR.")
    # Read a week at a time (``between``; ``after`` took seconds on a weekly rule) so that a rule
    # repeating every minute is stopped by the cap within a week's worth of events.
    found: set[FeedShift] = set()
    try:
        query = recurring_ical_events.of(calendar)
        window = start
        while window < end:
            for event in query.between(window, min(window + WINDOW, end)):
                event_start, event_end = _aware(event.DTSTART, tz), _aware(event.end, tz)
                if event_end > event_start and event_end > start and event_start < end:
                    found.add(FeedShift(_holder(event), event_start.astimezone(UTC), event_end.astimezone(UTC)))
            if len(found) > max_shifts:
                raise FeedError(f"The feed has more than {max_shifts} shifts in the weeks ahead.")
            window += WINDOW
    except FeedError:
        raise
    except Exception as e:  # the parser's own errors are many and undocumented: a bad feed, said plainly
        raise FeedError(f"The feed could not be read: {type(e).__name__}: {str(e)[:150]}") from None
    return sorted(found, key=lambda s: (s.start, s.end, s.email))


def pagerduty_shifts(
    api_url: str, token: str, schedule_id: str, start: datetime, end: datetime, *, timeout: float, max_bytes: int
) -> tuple[list[FeedShift], bytes]:
    """Who ``GET /oncalls`` says is on call for the schedule, page by page, and the pages read
    (a JSON list: the copy kept)."""
    if not token:
        raise FeedError("PAGERDUTY_API_TOKEN is not set: ask an admin to configure it.")
    headers = {"Authorization": f"Token token={token}", "Accept": "application/vnd.pagerduty+json;version=2"}
    shifts: set[FeedShift] = set()
    pages = []
    offset = 0
    while True:
        query = urlencode(
            {
                "schedule_ids[]": schedule_id,
                "since": start.isoformat(),
                "until": end.isoformat(),
                "include[]": "users",
                "limit": 100,
                "offset": offset,
            }
        )
        # PAGERDUTY_API_URL is the admin's setting, not an address a lead typed: no check.
        body = http_get(
            f"{api_url.rstrip('/')}/oncalls?{query}",
            timeout=timeout,
            max_bytes=max_bytes,
            allow_private=True,
            headers=headers,
        )
        try:
            page = json.loads(body)
            oncalls = page["oncalls"]
            for oncall in oncalls:
                # An open end (always on call) is cut at the window's edge.
                shift_start = _parse_time(oncall.get("start")) or start
                shift_end = _parse_time(oncall.get("end")) or end
                email = str((oncall.get("user") or {}).get("email", "")).strip().lower()
                if shift_end > shift_start:
                    shifts.add(FeedShift(email, shift_start, shift_end))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise FeedError(f"PagerDuty's answer could not be read: {type(e).__name__} {str(e)[:100]}") from None
        pages.append(page)
        if not page.get("more") or not oncalls or len(pages) >= 50:
            break
        offset += len(oncalls)
    return sorted(shifts, key=lambda s: (s.start, s.end, s.email)), json.dumps(pages).encode()


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"a time without a time zone: {value}")
    return parsed.astimezone(UTC)
