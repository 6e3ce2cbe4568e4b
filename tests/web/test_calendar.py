"""A person's calendar as iCalendar: who may read it, what is in it (parsed back with icalendar),
the private subscription address (made, used without a session, rotated, revoked) and its cost.

| page                          | anonymous | member (self) | member (other) | lead (team) | lead (other) | admin |
|-------------------------------|-----------|---------------|----------------|-------------|--------------|-------|
| /people/<pk>/calendar.ics     | login     | 200           | 403            | 200         | 403          | 200   |
| /calendar/ (own address)      | login     | 200           | –              | 200         | 200          | 200   |
| /calendar/feed/<key>.ics      | 200 with the key, 404 without; no session needed                      |
"""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.onboarding.models import Checklist, ChecklistItem, Kind
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment
from ops_skills.reports.models import Absence
from ops_skills.web.calendar import CalendarEvent, calendar_ics
from ops_skills.web.models import CalendarFeed
from tests.factories import make_person, make_skill, make_system

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def skill(team):
    return make_skill(
        make_system(team, slug="payments-api", name="Payments API"), slug="deploy", name="Deploy, roll back"
    )


def assign(skill, mentor, learner, lead, days=10, **extra):
    return Assignment.objects.create(
        skill=skill,
        mentor=mentor,
        learner=learner,
        due_on=TODAY() + timedelta(days=days),
        level_at_start=0,
        accepted_by=lead,
        **extra,
    )


def onboarding(person, team, lead, titles):
    checklist = Checklist.objects.create(person=person, team=team, started_on=TODAY(), started_by=lead)
    return [
        ChecklistItem.objects.create(
            checklist=checklist, position=i, kind=Kind.TEXT, title=title, due_days=i, due_on=TODAY() + timedelta(days=i)
        )
        for i, title in enumerate(titles, start=1)
    ]


def parse(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(b"".join(response) if response.streaming else response.content)


def events(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


# --- who may read it -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client_for, member):
    for url in (reverse("web:person-calendar", args=[member.pk]), reverse("web:calendar")):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "who,status",
    [("member", 200), ("new_hire", 403), ("lead", 200), ("other_lead", 403), ("admin", 200)],
)
def test_a_calendar_is_for_the_person_their_lead_and_admins(client_for, cast, who, status):
    response = client_for(cast[who]).get(reverse("web:person-calendar", args=[cast["member"].pk]))
    assert response.status_code == status


def test_an_unknown_person_is_404(client_for, admin_user):
    assert client_for(admin_user).get(reverse("web:person-calendar", args=[999999])).status_code == 404


def test_calendar_is_read_only(client_for, member):
    assert client_for(member).post(reverse("web:person-calendar", args=[member.pk])).status_code == 405


@pytest.mark.parametrize("who", ["member", "lead", "other_lead", "admin"])
def test_everyone_manages_their_own_address(client_for, cast, who):
    assert client_for(cast[who]).get(reverse("web:calendar")).status_code == 200


def test_rotate_and_revoke_need_post(client_for, member):
    client = client_for(member)
    assert client.get(reverse("web:calendar-rotate")).status_code == 405
    assert client.get(reverse("web:calendar-revoke")).status_code == 405
    assert not CalendarFeed.objects.exists()


# --- what is in it ----------------------------------------------------------------------------------


def test_assignments_onboarding_and_absences_become_all_day_events(client_for, team, lead, member, new_hire, skill):
    teach = assign(skill, member, new_hire, lead, days=10)
    learn = assign(make_skill(skill.system, slug="restore", name="Restore"), lead, member, lead, days=20)
    assign(make_skill(skill.system, slug="old"), lead, member, lead, status=Assignment.Status.CANCELLED)
    away = Absence.objects.create(
        person=member,
        starts_on=date(2030, 8, 12),
        ends_on=date(2030, 8, 16),
        kind=Absence.Kind.TRAINING,
        note="Kubernetes course",
    )
    Absence.objects.create(person=new_hire, starts_on=date(2030, 8, 1), ends_on=date(2030, 8, 1))  # not theirs

    before = timezone.now().replace(microsecond=0)
    cal = parse(client_for(member).get(reverse("web:person-calendar", args=[member.pk])))

    assert str(cal["VERSION"]) == "2.0"
    found = events(cal)
    assert set(found) == {
        f"assignment-{teach.pk}@ops-skills",
        f"assignment-{learn.pk}@ops-skills",
        f"absence-{away.pk}@ops-skills",
    }
    teaching = found[f"assignment-{teach.pk}@ops-skills"]
    assert str(teaching["SUMMARY"]) == "Due: Teach Deploy, roll back (Payments API) to Nia Newhire"
    assert teaching.decoded("DTSTART") == teach.due_on  # a date: an all-day event
    assert teaching.decoded("DTEND") == teach.due_on + timedelta(days=1)
    assert str(teaching["TRANSP"]) == "TRANSPARENT"
    assert str(teaching["URL"]).endswith(reverse("planner:mine"))
    assert (
        str(found[f"assignment-{learn.pk}@ops-skills"]["SUMMARY"]) == "Due: Learn Restore (Payments API) from Lena Lead"
    )
    absence = found[f"absence-{away.pk}@ops-skills"]
    assert str(absence["SUMMARY"]) == "Max Member away: Training"
    assert str(absence["DESCRIPTION"]) == "Kubernetes course"
    assert absence.decoded("DTSTART") == date(2030, 8, 12)
    assert absence.decoded("DTEND") == date(2030, 8, 17)  # exclusive: the 16th is included
    assert str(absence["TRANSP"]) == "OPAQUE"
    stamp = teaching.decoded("DTSTAMP")
    assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= timezone.now()


def test_onboarding_items_still_to_do_are_due_dates(client_for, team, lead, new_hire):
    done, todo = onboarding(new_hire, team, lead, ["Get access to AWS", "Read the restore runbook"])
    ChecklistItem.objects.filter(pk=done.pk).update(done_at=timezone.now())
    cal = parse(client_for(lead).get(reverse("web:person-calendar", args=[new_hire.pk])))
    found = events(cal)
    assert list(found) == [f"onboarding-item-{todo.pk}@ops-skills"]
    event = found[f"onboarding-item-{todo.pk}@ops-skills"]
    assert str(event["SUMMARY"]) == "Onboarding due: Read the restore runbook"
    assert event.decoded("DTSTART") == todo.due_on
    assert str(event["URL"]).endswith(reverse("onboarding:checklist", args=[todo.checklist_id]))


def test_uids_stay_the_same_from_one_read_to_the_next(client_for, lead, member, new_hire, skill):
    assign(skill, member, new_hire, lead)
    first = events(parse(client_for(member).get(reverse("web:person-calendar", args=[member.pk]))))
    again = events(parse(client_for(member).get(reverse("web:person-calendar", args=[member.pk]))))
    assert list(first) == list(again) and len(first) == 1


def test_names_are_escaped_and_read_back_unchanged():
    tricky = 'Zoë "Z" O\'Neil, SRE; on-call\\backup'
    body = calendar_ics(
        name=f"ops-skills · {tricky}",
        events=[
            CalendarEvent(
                uid="assignment-1@ops-skills",
                summary=f"Due: Teach Restore, fail over; roll back to {tricky}",
                starts_on=date(2030, 1, 2),
                ends_on=date(2030, 1, 2),
                description="Line one\nLine two, with comma; and semicolon",
            )
        ],
        now=datetime(2030, 1, 1, 12, 30, tzinfo=UTC),
    )
    assert b"Restore\\, fail over\\; roll back" in body  # RFC 5545 escaping of TEXT values
    assert b"DTSTAMP:20300101T123000Z" in body
    assert b"DTSTART;VALUE=DATE:20300102" in body
    cal = icalendar.Calendar.from_ical(body)
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"Due: Teach Restore, fail over; roll back to {tricky}"
    assert str(event["DESCRIPTION"]) == "Line one\nLine two, with comma; and semicolon"
    assert str(cal["X-WR-CALNAME"]) == f"ops-skills · {tricky}"


def test_a_name_with_markup_stays_text(client_for, team, lead):
    person = make_person(team, name="<script>alert(1)</script>, Jr.")
    Absence.objects.create(person=person, starts_on=date(2030, 3, 2), ends_on=date(2030, 3, 2))
    cal = parse(client_for(lead).get(reverse("web:person-calendar", args=[person.pk])))
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == "<script>alert(1)</script>, Jr. away: Leave"


# --- the subscription address -----------------------------------------------------------------------


def make_address(client):
    response = client.post(reverse("web:calendar-rotate"))
    assert response.status_code == 200
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/calendar/feed/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_the_address_works_without_a_session_and_is_shown_once(client_for, lead, member, new_hire, skill):
    assign(skill, member, new_hire, lead)
    client = client_for(member)
    path = make_address(client)
    key = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    assert len(key) >= 43  # 32 random bytes
    feed = CalendarFeed.objects.get(person=member)
    assert key not in (feed.key_hash, feed.prefix) and feed.prefix == key[:8]  # only a hash is kept
    assert key not in client.get(reverse("web:calendar")).content.decode()  # never shown again

    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert len(events(parse(response))) == 1
    assert "no-cache" in response["Cache-Control"]
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_rotating_ends_the_old_address(client_for, member):
    client = client_for(member)
    old = make_address(client)
    new = make_address(client)
    assert old != new
    assert CalendarFeed.objects.filter(person=member).count() == 1
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_ends_the_address(client_for, member):
    client = client_for(member)
    path = make_address(client)
    response = client.post(reverse("web:calendar-revoke"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.filter(person=member).exists()
    client.logout()
    assert client.get(path).status_code == 404


def test_one_persons_revoke_leaves_the_others_address(client_for, member, lead):
    mine = make_address(client_for(member))
    client_for(lead).post(reverse("web:calendar-revoke"))
    assert client_for(None).get(mine).status_code == 200


@pytest.mark.parametrize("key", ["nope", "a" * 43, "x" * 5000])
def test_a_wrong_key_is_404(client_for, member, key):
    make_address(client_for(member))
    assert client_for(None).get(reverse("web:calendar-feed", args=[key])).status_code == 404


def test_someone_who_left_or_cannot_log_in_publishes_nothing(client_for, member):
    path = make_address(client_for(member))
    Person.objects.filter(pk=member.pk).update(is_active=False)
    assert client_for(None).get(path).status_code == 404
    Person.objects.filter(pk=member.pk).update(is_active=True, departed_on=TODAY() - timedelta(days=1))
    assert client_for(None).get(path).status_code == 404


# --- cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 12])
def test_the_calendar_costs_a_fixed_number_of_queries(
    client_for, team, lead, new_hire, django_assert_max_num_queries, size
):
    systems = make_system(team)
    mentors = [make_person(team) for _ in range(size)]
    for i, mentor in enumerate(mentors):
        assign(make_skill(systems), mentor, new_hire, lead, days=i + 1)
        Absence.objects.create(
            person=new_hire, starts_on=TODAY() + timedelta(days=i), ends_on=TODAY() + timedelta(days=i)
        )
    onboarding(new_hire, team, lead, [f"Item {i}" for i in range(size)])
    client = client_for(new_hire)
    # session, person (viewer), person (owner), assignments, onboarding items, absences
    with django_assert_max_num_queries(6):
        response = client.get(reverse("web:person-calendar", args=[new_hire.pk]))
    assert len(events(parse(response))) == 3 * size
    path = make_address(client)
    client.logout()
    # feed with its person, its last use, assignments, onboarding items, absences
    with django_assert_max_num_queries(5):
        response = client.get(path)
    assert len(events(parse(response))) == 3 * size


@pytest.mark.parametrize(
    "who,shown", [("member", True), ("new_hire", False), ("lead", True), ("other_lead", False), ("admin", True)]
)
def test_the_person_page_links_the_calendar_to_who_may_read_it(client_for, cast, who, shown):
    member = cast["member"]
    html = client_for(cast[who]).get(reverse("people:person", args=[member.pk])).content.decode()
    assert (f'href="{reverse("web:person-calendar", args=[member.pk])}"' in html) is shown


def test_the_secret_stays_out_of_the_request_log(client_for, member, caplog):
    path = make_address(client_for(member))
    key = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    with caplog.at_level("INFO", logger="ops_skills.request"):
        assert client_for(None).get(path).status_code == 200
    logged = [r.getMessage() for r in caplog.records if r.name == "ops_skills.request"]
    assert logged and "/calendar/feed/[redacted].ics" in logged[-1]
    assert all(key not in line for line in logged)
