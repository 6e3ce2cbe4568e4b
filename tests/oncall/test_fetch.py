"""Fetching rotas: iCalendar feeds (recurrences, exceptions, overrides, time zones and daylight
saving, all-day events) and PagerDuty, from a real server on loopback; and the feeds that go wrong."""

import json
import time
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Response

from ops_skills.oncall import services
from ops_skills.oncall.models import Shift
from tests.factories import make_person
from tests.oncall.conftest import calendar

NOW = datetime(2027, 3, 15, 12, tzinfo=UTC)  # a Monday; Berlin moves its clocks on 28 March

WEEKLY_BERLIN = calendar(
    """
    UID:weekly@example.com
    DTSTART;TZID=Europe/Berlin:20270308T090000
    DTEND;TZID=Europe/Berlin:20270315T090000
    RRULE:FREQ=WEEKLY;COUNT=8
    EXDATE;TZID=Europe/Berlin:20270405T090000
    SUMMARY:Primary on call
    ATTENDEE;CN=Ana:mailto:Ana@Example.com
    """,
    # The 22 March week handed to Bo (an override of one occurrence).
    """
    UID:weekly@example.com
    RECURRENCE-ID;TZID=Europe/Berlin:20270322T090000
    DTSTART;TZID=Europe/Berlin:20270322T090000
    DTEND;TZID=Europe/Berlin:20270329T090000
    SUMMARY:Override
    ORGANIZER:mailto:bo@example.com
    """,
)


def times(schedule):
    return [(s.email, s.start, s.end) for s in Shift.objects.filter(schedule=schedule).order_by("start")]


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_rotation_with_an_exception_an_override_and_a_daylight_saving_change(feed, make_schedule, team):
    ana = make_person(team, email="ana@example.com")
    url = feed(WEEKLY_BERLIN)
    schedule = make_schedule(url)
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error == ""
    assert times(schedule)[:5] == [
        ("ana@example.com", utc(2027, 3, 15, 8), utc(2027, 3, 22, 8)),  # 09:00 in Berlin, winter time
        ("bo@example.com", utc(2027, 3, 22, 8), utc(2027, 3, 29, 7)),  # the override; 09:00 summer time
        ("ana@example.com", utc(2027, 3, 29, 7), utc(2027, 4, 5, 7)),
        # 5 April is an EXDATE: no shift that week
        ("ana@example.com", utc(2027, 4, 12, 7), utc(2027, 4, 19, 7)),
        ("ana@example.com", utc(2027, 4, 19, 7), utc(2027, 4, 26, 7)),
    ]
    assert set(Shift.objects.filter(schedule=schedule).values_list("person", flat=True)) == {ana.pk, None}
    schedule.refresh_from_db()
    assert schedule.unmatched == ["bo@example.com"]
    assert schedule.fetched_at == NOW and schedule.feed.startswith("BEGIN:VCALENDAR")


def test_all_day_events_and_an_email_in_the_summary(feed, make_schedule, settings):
    settings.TIME_ZONE = "Europe/London"
    body = calendar(
        """
        DTSTART;VALUE=DATE:20270320
        DTEND;VALUE=DATE:20270322
        SUMMARY:On call: cy@example.com
        """,
        """
        DTSTART;VALUE=DATE:20270401
        SUMMARY:Nobody named
        """,
    )
    schedule = make_schedule(feed(body))
    services.schedule_fetch(schedule=schedule, now=NOW)
    # All-day: from midnight to midnight of the app's time zone (London is on summer time by April);
    # an all-day event without an end lasts its one day.
    assert times(schedule) == [
        ("cy@example.com", utc(2027, 3, 20), utc(2027, 3, 22)),
        ("", utc(2027, 3, 31, 23), utc(2027, 4, 1, 23)),
    ]
    schedule.refresh_from_db()
    assert schedule.unmatched == ["cy@example.com", "(an event naming nobody)"]


def test_a_malformed_feed_keeps_the_last_good_copy_and_says_why(httpserver, make_schedule):
    httpserver.expect_ordered_request("/rota.ics").respond_with_data(WEEKLY_BERLIN)
    httpserver.expect_ordered_request("/rota.ics").respond_with_data(b"<html>Sign in to see this calendar</html>")
    schedule = make_schedule(httpserver.url_for("/rota.ics"))
    services.schedule_fetch(schedule=schedule, now=NOW)
    good = times(schedule)
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error.startswith("This is not an iCalendar feed")
    schedule.refresh_from_db()
    assert schedule.last_error == fetched.error and schedule.last_error_at == NOW
    assert schedule.feed.startswith("BEGIN:VCALENDAR") and times(schedule) == good


@pytest.mark.parametrize(
    ("respond", "error"),
    [
        ({"status": 404}, "The server answered 404 NOT FOUND."),
        ({"status": 500}, "The server answered 500 INTERNAL SERVER ERROR."),
    ],
)
def test_an_http_error_is_said_plainly(feed, make_schedule, respond, error):
    schedule = make_schedule(feed(b"", **respond))
    assert services.schedule_fetch(schedule=schedule, now=NOW).error == error


def test_an_unreachable_server_and_a_bad_scheme(make_schedule):
    schedule = make_schedule("http://127.0.0.1:9/rota.ics")
    assert services.schedule_fetch(schedule=schedule, now=NOW).error.startswith("Could not reach the server")
    schedule.url = "file:///etc/passwd"
    assert (
        services.schedule_fetch(schedule=schedule, now=NOW).error == "The address must start with http:// or https://."
    )


def test_a_server_that_does_not_answer_in_time(httpserver, make_schedule, settings):
    settings.ONCALL_TIMEOUT_SECONDS = 1

    def slow(request):
        time.sleep(2)
        return Response(WEEKLY_BERLIN)

    httpserver.expect_request("/rota.ics").respond_with_handler(slow)
    schedule = make_schedule(httpserver.url_for("/rota.ics"))
    started = time.monotonic()
    assert services.schedule_fetch(schedule=schedule, now=NOW).error == "The server did not answer within 1 seconds."
    assert time.monotonic() - started < 1.9


def test_a_50_mb_feed_is_refused_by_its_length_before_it_is_read(feed, make_schedule):
    body = b"X" * (50 * 1024 * 1024)
    schedule = make_schedule(feed(body))
    assert (
        services.schedule_fetch(schedule=schedule, now=NOW).error
        == "The feed is 50.0 MB, more than the 5.0 MB allowed."
    )


def test_a_50_mb_feed_without_a_length_is_cut_off_after_the_cap(httpserver, make_schedule, settings):
    sent = []

    def endless(request):
        def chunks():
            for _ in range(50):
                sent.append(1)
                yield b"X" * (1024 * 1024)

        return Response(chunks(), content_type="text/calendar")  # no Content-Length: chunked

    httpserver.expect_request("/rota.ics").respond_with_handler(endless)
    schedule = make_schedule(httpserver.url_for("/rota.ics"))
    assert services.schedule_fetch(schedule=schedule, now=NOW).error == "The feed is more than the 5.0 MB allowed."
    assert len(sent) < 50


def test_a_feed_with_too_many_shifts_is_refused(feed, make_schedule, settings):
    settings.ONCALL_MAX_SHIFTS = 100
    body = calendar("DTSTART:20270301T000000Z\nDTEND:20270301T000100Z\nRRULE:FREQ=MINUTELY\nSUMMARY:x@example.com")
    schedule = make_schedule(feed(body))
    assert (
        services.schedule_fetch(schedule=schedule, now=NOW).error
        == "The feed has more than 100 shifts in the weeks ahead."
    )


def pagerduty_page(oncalls, more=False):
    return json.dumps({"oncalls": oncalls, "more": more, "limit": 100, "offset": 0})


def test_pagerduty_oncalls_with_the_token_and_pages(httpserver, make_schedule, settings, team):
    settings.PAGERDUTY_API_URL = httpserver.url_for("/")
    settings.PAGERDUTY_API_TOKEN = "y_NbAkKc66ryYTWUXYEu"
    make_person(team, email="ana@example.com")
    first = {"user": {"email": "Ana@example.com"}, "start": "2027-03-15T09:00:00Z", "end": "2027-03-22T09:00:00Z"}
    second = {
        "user": {"email": "bo@example.com"},
        "start": "2027-03-22T09:00:00+01:00",
        "end": "2027-03-29T09:00:00+02:00",
    }
    asked = []

    def oncalls(request):
        asked.append((request.headers.get("Authorization"), request.args.to_dict()))
        offset = request.args["offset"]
        return Response(pagerduty_page([first, first], more=True) if offset == "0" else pagerduty_page([second]))

    httpserver.expect_request("/oncalls", method="GET").respond_with_handler(oncalls)
    schedule = make_schedule(kind="pagerduty", pagerduty_schedule_id="PI7DH85")
    fetched = services.schedule_fetch(schedule=schedule, now=NOW)
    assert fetched.error == ""
    assert times(schedule) == [
        ("ana@example.com", utc(2027, 3, 15, 9), utc(2027, 3, 22, 9)),
        ("bo@example.com", utc(2027, 3, 22, 8), utc(2027, 3, 29, 7)),
    ]
    assert fetched.unmatched == ("bo@example.com",)
    query = {"schedule_ids[]": "PI7DH85", "include[]": "users", "limit": "100", "since": NOW.isoformat()}
    # The same on-call twice on the first page (two escalation levels) is one shift; the second
    # page starts after the first's two rows.
    assert [(auth, {k: args[k] for k in query}, args["offset"]) for auth, args in asked] == [
        ("Token token=y_NbAkKc66ryYTWUXYEu", query, "0"),
        ("Token token=y_NbAkKc66ryYTWUXYEu", query, "2"),
    ]


def test_pagerduty_without_a_token_or_with_a_bad_answer(httpserver, make_schedule, settings):
    settings.PAGERDUTY_API_URL = httpserver.url_for("/")
    settings.PAGERDUTY_API_TOKEN = ""
    schedule = make_schedule(kind="pagerduty", pagerduty_schedule_id="PI7DH85")
    assert services.schedule_fetch(schedule=schedule, now=NOW).error.startswith("PAGERDUTY_API_TOKEN is not set")
    settings.PAGERDUTY_API_TOKEN = "t"
    httpserver.expect_request("/oncalls").respond_with_data('{"error": {"message": "Invalid Input"}}')
    assert services.schedule_fetch(schedule=schedule, now=NOW).error.startswith("PagerDuty's answer could not be read")


def test_the_command_fetches_each_schedule_and_fails_when_one_failed(feed, make_schedule, team, capsys, time_machine):
    time_machine.move_to(NOW)
    make_schedule(feed(WEEKLY_BERLIN), name="Primary")
    make_schedule(feed(b"nonsense", path="/bad.ics"), name="Secondary")
    with pytest.raises(CommandError, match="1 schedule"):
        call_command("oncall_fetch", "--team", team.slug)
    out, err = capsys.readouterr()
    assert "platform/Primary:" in out and "shifts; nobody here is ana@example.com, bo@example.com" in out
    assert "platform/Secondary: This is not an iCalendar feed" in err
    with pytest.raises(CommandError, match="No team"):
        call_command("oncall_fetch", "--team", "nope")
