"""Reading what a request sends: ids, dates and date-times, each parsed in one place, and
refusing a NUL character before any view sees it."""

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import BadRequest
from django.utils import timezone


def is_htmx(request) -> bool:
    """True for a request htmx made (it asks for a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


MAX_ID = 2**63 - 1  # the largest primary key the databases hold


def parse_id(value) -> int | None:
    """A row id written in a query string or form: ASCII digits within the range of a primary key,
    else None. (``str.isdigit`` accepts "²", which ``int`` refuses, and a 20-digit number
    overflows the database's integer.)"""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class BadInput(BadRequest):
    """A request whose input cannot be read; its message is shown to the sender (a 400 page,
    or JSON under /api/)."""


DATE_TIME_EXAMPLE = "2026-11-28T14:30:00+01:00"


def parse_moment(value) -> datetime:
    """An ISO 8601 date-time written in a form, a query string or a JSON body, made aware (the
    site's time zone when it has no offset). ``ValueError`` with a message saying what is wrong:
    not a date-time, or outside what the databases store (``0001-01-01T00:00+14:00`` is before
    year 1 in UTC, which Python refuses to convert)."""
    text = str(value if value is not None else "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Expected an ISO 8601 date-time, e.g. {DATE_TIME_EXAMPLE}.") from None
    return in_range(moment)


def in_range(moment: datetime) -> datetime:
    """``moment``, aware, when it converts to UTC (the databases store UTC), else ``ValueError``."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("Out of range: expected a date-time between the years 1 and 9999.") from None
    return moment


def parse_date(value) -> date:
    """An ISO 8601 date (YYYY-MM-DD); ``ValueError`` with a message otherwise."""
    text = str(value if value is not None else "").strip()
    try:
        if not (len(text) == 10 and text.isascii()):  # fromisoformat also takes 20261128 and 2026-W48-1
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a date (YYYY-MM-DD).") from None


def parse_week(value) -> tuple[date, date]:
    """An ISO week (YYYY-Www, e.g. 2026-W33) as its Monday and its Sunday; ``ValueError`` with a
    message otherwise, including a week whose Sunday is past year 9999."""
    text = str(value if value is not None else "").strip()
    year, sep, number = text.partition("-W")
    try:
        if not (sep and len(year) == 4 and len(number) == 2 and (year + number).isascii()):
            raise ValueError
        monday = date.fromisocalendar(int(year), int(number), 1)
        return monday, monday + timedelta(days=6)
    except (ValueError, OverflowError):
        raise ValueError(f"“{text[:40]}” is not a week (YYYY-Www, e.g. 2026-W33).") from None


def nul_in_request(request, multipart: bool = False) -> str | None:
    """Where a NUL character was sent (query string or form), or None. PostgreSQL refuses to
    store or even compare text with NUL, so such input would be a 500 wherever it is used.
    A multipart form (one with a file) is read only when ``multipart``."""
    if any("\x00" in v for key, values in request.GET.lists() for v in [key, *values]):
        return "The address contains a NUL character (%00); remove it."
    forms = ["application/x-www-form-urlencoded", *(["multipart/form-data"] if multipart else [])]
    if request.method == "POST" and request.content_type in forms:
        for key, values in request.POST.lists():  # the form's fields; not the files' contents
            if any("\x00" in v for v in [key, *values]):
                return f"The field “{key.replace(chr(0), '')[:40]}” contains a NUL character; remove it."
    return None


class RefuseNulMiddleware:
    """A 400 with a message for a NUL character in the query string or in a form, whatever the
    view (a search box, a team slug, a hidden field read directly), rather than PostgreSQL's
    "cannot contain NUL" 500. JSON bodies are checked by the API's inputs.

    A multipart form is checked once the view is known, and only for a view that the CSRF check
    covers: that check reads the form anyway, so nothing is parsed that would not be. A view
    exempt from it may stream its upload itself (its upload handlers must be set before the
    form is read), so its form is left to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = nul_in_request(request)
        if message:
            raise BadInput(message)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.content_type == "multipart/form-data" and not getattr(view_func, "csrf_exempt", False):
            message = nul_in_request(request, multipart=True)
            if message:
                raise BadInput(message)
        return None
