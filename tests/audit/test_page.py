"""The /audit/ page: admins read the whole trail, a lead the entries about their team, members
nobody's; searchable by text, person, kind, origin and days; a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ops_skills.audit.models import AuditEntry
from ops_skills.people import audit
from ops_skills.reports.models import Absence
from tests.factories import make_assessment, make_person, make_skill, make_system

URL = "/audit/"


@pytest.fixture
def trail(cast, team, other_team):
    """A level for the member (team 1), an absence of the other lead (team 2)."""
    skill = make_skill(make_system(team, slug="pg"), slug="restore")
    make_assessment(cast["member"], skill, 3, author=cast["lead"])
    Absence.objects.create(person=cast["other_lead"], starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2))
    return skill


def shown(response) -> list[str]:
    return [entry.object_repr for entry, _ in response.context["rows"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("member", 403), ("new_hire", 403), ("lead", 200), ("other_lead", 200), ("admin", 200)],
)
def test_permission_matrix(client_for, cast, trail, who, status):
    response = client_for(cast.get(who)).get(URL)
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]


def test_a_lead_sees_only_entries_about_their_team(client_for, cast, trail):
    lead_sees = shown(client_for(cast["lead"]).get(URL))
    assert any("Max Member" in r for r in lead_sees)
    assert not any("Olu Otherlead" in r for r in lead_sees)
    other_sees = shown(client_for(cast["other_lead"]).get(URL))
    assert any("Olu Otherlead" in r for r in other_sees)
    assert not any("Max Member" in r for r in other_sees)
    assert len(shown(client_for(cast["admin"]).get(URL))) == AuditEntry.objects.count()


def test_a_lead_on_no_team_is_refused(client_for, db):
    lead = make_person(None, "lead", email="teamless@example.com")
    assert client_for(lead).get(URL).status_code == 403


def test_the_nav_links_it_for_leads_and_admins_only(client_for, cast, trail):
    assert 'href="/audit/"' in client_for(cast["lead"]).get("/").content.decode()
    assert 'href="/audit/"' in client_for(cast["admin"]).get("/").content.decode()
    assert 'href="/audit/"' not in client_for(cast["member"]).get("/").content.decode()


def test_post_is_not_allowed(client_for, cast):
    assert client_for(cast["admin"]).post(URL).status_code == 405


def test_changes_are_shown_in_words(client_for, cast, trail):
    response = client_for(cast["admin"]).get(URL, {"kind": "level"})
    [(entry, changes)] = response.context["rows"]
    shown_changes = {c.field: (c.old, c.new) for c in changes}
    assert shown_changes["person"] == ("—", "Max Member")
    assert shown_changes["level"] == ("—", "3 · independent")
    assert shown_changes["source"] == ("—", "Lead assessment")
    assert "Max Member" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "otherlead"}, {"absence", "person"}),
        ({"kind": "absence"}, {"absence"}),
        ({"kind": "level"}, {"assessment"}),
        ({"kind": "person"}, {"person"}),
        ({"origin": "api"}, set()),
    ],
)
def test_filters(client_for, cast, trail, params, expected):
    response = client_for(cast["admin"]).get(URL, params)
    assert response.status_code == 200
    assert {entry.content_type.model for entry, _ in response.context["rows"]} == expected


def test_person_filter_finds_what_they_did_and_what_was_done_to_them(client_for, cast, trail):
    rows = client_for(cast["admin"]).get(URL, {"person": cast["member"].pk}).context["rows"]
    assert {entry.content_type.model for entry, _ in rows} == {"person", "assessment"}
    rows = client_for(cast["admin"]).get(URL, {"person": cast["lead"].pk, "kind": "level"}).context["rows"]
    assert [entry.actor for entry, _ in rows] == [cast["lead"]]  # the lead set the member's level


def test_date_range(client_for, cast, trail):
    AuditEntry.objects.filter(content_type__model="absence").update(timestamp=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    rows = client_for(cast["admin"]).get(URL, {"since": today.isoformat(), "until": today.isoformat()}).context["rows"]
    assert "absence" not in {entry.content_type.model for entry, _ in rows}
    day = (today - timedelta(days=10)).isoformat()
    rows = client_for(cast["admin"]).get(URL, {"since": day, "until": day}).context["rows"]
    assert {entry.content_type.model for entry, _ in rows} == {"absence"}


@pytest.mark.parametrize(
    "params",
    [
        {"person": "²"},
        {"person": "99999999999999999999"},
        {"since": "2024-13-01"},
        {"since": "2024-02-01", "until": "2024-01-01"},
        {"kind": "nonsense"},
        {"q": "x" * 101},
        {"until": "9999-12-31"},
    ],
)
def test_bad_filters_are_a_form_error_not_a_500(client_for, cast, trail, params):
    response = client_for(cast["admin"]).get(URL, params)
    assert response.status_code == 200
    if params != {"until": "9999-12-31"}:
        assert response.context["form"].errors
        assert response.context["rows"] == []


def test_pages_go_older_newest_first(client_for, cast, trail):
    for i in range(60):
        audit.record(cast["member"], changes={"title": (str(i), str(i + 1))}, teams=[cast["member"].team_id])
    first = client_for(cast["lead"]).get(URL, {"kind": "person"})
    assert first.context["has_older"] and len(first.context["rows"]) == 50
    assert first.context["rows"][0][0].changes == {"title": ["59", "60"]}
    second = client_for(cast["lead"]).get(URL, {"kind": "person", "page": "2"})
    assert not second.context["has_older"]
    assert client_for(cast["lead"]).get(URL, {"page": "²"}).context["page"] == 1


def _grow(cast, team, n):
    for i in range(n):
        system = make_system(team, slug=f"s{i}")
        skill = make_skill(system, slug="deploy")
        person = make_person(team, email=f"p{i}@example.com", name=f"P {i}")
        make_assessment(person, skill, 2, author=cast["lead"])
        Absence.objects.create(person=person, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2))


@pytest.mark.parametrize("size", [1, 25])
@pytest.mark.parametrize("who", ["lead", "admin"])
def test_a_fixed_number_of_queries(client_for, cast, team, trail, django_assert_max_num_queries, size, who):
    _grow(cast, team, size)
    client = client_for(cast[who])
    client.get(URL)  # content types cached, as in a running server
    # session, viewer, unread notices (base.html), the viewer's team (heading), entries, the people,
    # teams and skills (with systems) their changes name, the person filter's choices
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert len(response.context["rows"]) >= min(size, 50)
