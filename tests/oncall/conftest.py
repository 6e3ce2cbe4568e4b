"""Rota feeds served by a real HTTP server on loopback (pytest-httpserver)."""

import pytest

from ops_skills.oncall.models import Schedule


def calendar(*events: str, extra: str = "") -> bytes:
    """A VCALENDAR around ``events`` (each the lines inside one VEVENT; a UID of its own unless it
    names one), with CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ops-skills tests//EN", *extra.split("\n")]
    for n, event in enumerate(events):
        body = [line.strip() for line in event.strip().split("\n")]
        uid = [] if any(line.startswith("UID:") for line in body) else [f"UID:shift-{n}@example.com"]
        lines += ["BEGIN:VEVENT", *uid, "DTSTAMP:20261101T000000Z", *body]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(line for line in lines if line) + "\r\n").encode()


@pytest.fixture
def feed(httpserver):
    """``feed(body, path="/rota.ics", **respond)`` serves ``body`` and gives its address."""

    def serve(body: bytes, path: str = "/rota.ics", **respond) -> str:
        httpserver.expect_request(path).respond_with_data(body, content_type="text/calendar", **respond)
        return httpserver.url_for(path)

    return serve


@pytest.fixture
def make_schedule(team):
    def make(url="", *, systems=(), **extra) -> Schedule:
        schedule = Schedule.objects.create(
            team=extra.pop("team", team), name=extra.pop("name", "Primary"), url=url, **extra
        )
        schedule.systems.set(systems)
        return schedule

    return make
