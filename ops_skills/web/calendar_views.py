"""A person's calendar (``web.calendar``) as a download for whoever may read it, and as a private
subscription address that calendar apps read without a session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from ops_skills.people import permissions
from ops_skills.people.models import Person
from ops_skills.web import services
from ops_skills.web.calendar import calendar_ics, person_events
from ops_skills.web.models import CalendarFeed

MAX_KEY_LENGTH = 64  # a key is 43 characters; anything much longer is not one


def _calendar_response(request, person: Person) -> HttpResponse:
    events = person_events(person, absolute=request.build_absolute_uri)
    body = calendar_ics(name=f"ops-skills · {person}", events=events, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"ops-skills-{slugify(person.get_short_name()) or person.pk}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_safe
def person_calendar(request, pk):
    person = get_object_or_404(Person, pk=pk)
    if not permissions.can_read_calendar(request.user, person):
        raise PermissionDenied("A calendar is read by the person, a lead of their team and admins.")
    return _calendar_response(request, person)


@never_cache
@require_safe
def calendar_feed(request, key):
    """The subscription address: the secret in the URL is the only credential."""
    person = services.calendar_feed_person(key=key) if len(key) <= MAX_KEY_LENGTH else None
    if person is None:
        raise Http404("No such calendar.")
    return _calendar_response(request, person)


@never_cache
@login_required
@require_safe
def calendar_page(request):
    return render(request, "web/calendar.html", _page_context(request))


@never_cache
@login_required
@require_POST
def calendar_rotate(request):
    """Make (or replace) the subscription address; it is shown in this answer and nowhere else."""
    feed, key = services.calendar_feed_rotate(person=request.user)
    feed_url = request.build_absolute_uri(reverse("web:calendar-feed", args=[key]))
    return render(request, "web/calendar.html", {**_page_context(request), "feed": feed, "feed_url": feed_url})


@login_required
@require_POST
def calendar_revoke(request):
    if services.calendar_feed_revoke(person=request.user):
        messages.success(request, "Subscription address revoked: calendar apps using it get nothing more.")
    return redirect("web:calendar")


def _page_context(request) -> dict:
    return {"feed": CalendarFeed.objects.filter(person=request.user).first(), "feed_url": None}
