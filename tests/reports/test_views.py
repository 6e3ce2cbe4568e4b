"""Report pages, absences and exports: permissions, contents and fixed query counts.

Permission matrix (team = Platform, the team of "lead" and "member"):

| page                     | anonymous | member           | lead (Platform) | lead (other) | admin |
|--------------------------|-----------|------------------|-----------------|--------------|-------|
| report, islands, trend   | login     | own team only    | all teams       | all teams    | all   |
| system drill-down        | login     | own team's only  | all             | all          | all   |
| what-if, people search   | login     | 403              | 200             | 200          | 200   |
| exports (csv/json)       | login     | own team only    | all             | all          | all   |
| absences list            | login     | own              | team's          | team's       | all   |
| absence create/delete    | login     | own              | team's          | team's       | all   |
"""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.reports.models import Absence
from tests.factories import make_assessment, make_skill, make_system

pytestmark = pytest.mark.django_db

PAGES = ["reports:index", "reports:islands", "reports:trend", "reports:export-json", "reports:export-csv"]


@pytest.mark.parametrize("name", [*PAGES, "reports:what-if", "reports:absences", "reports:absence-create"])
def test_anonymous_is_sent_to_login(client_for, org, name):
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_system_and_delete_redirect(client_for, org):
    absence = Absence.objects.create(person=org["member"], starts_on=date(2026, 8, 10), ends_on=date(2026, 8, 14))
    for url in (reverse("reports:system", args=["api"]), reverse("reports:absence-delete", args=[absence.pk])):
        assert client_for(None).get(url).status_code == 302


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "who,team_slug,status",
    [
        ("member", "", 200),
        ("member", "platform", 200),
        ("member", "payments", 403),
        ("lead", "payments", 200),
        ("other_lead", "platform", 200),
        ("admin", "", 200),
        ("admin", "payments", 200),
    ],
)
def test_report_pages_permissions(client_for, org, name, who, team_slug, status):
    response = client_for(org[who]).get(reverse(name), {"team": team_slug} if team_slug else {})
    assert response.status_code == status


def test_member_sees_own_team_only(client_for, org):
    body = client_for(org["member"]).get(reverse("reports:index")).content.decode()
    assert "API" in body and "Ledger" not in body


def test_a_lead_reads_their_own_team_first_as_the_matrix_does(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:index"))
    assert response.context["scope"].team.slug == "platform"
    assert [r.system.slug for r in response.context["summary"].systems] == ["api"]
    # The filters' "all teams" (team=) is kept by the links of the page.
    response = client_for(org["lead"]).get(reverse("reports:index"), {"team": ""})
    assert response.context["scope"].team is None
    assert response.context["query"] == {"team": ""}


def test_lead_sees_whole_organisation_ranked_by_risk(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:index"), {"team": ""})
    rows = response.context["summary"].systems
    # ledger: tier 2, one single point, truck factor 1: 2 x (1 + (2 - 1)) = 4;
    # api: tier 1, one single point (dns), truck factor 2: 3 x (1 + 0) = 3.
    assert [(r.system.slug, r.risk) for r in rows] == [("ledger", 4), ("api", 3)]
    body = response.content.decode()
    assert "<svg" in body and 'class="bar tier-1"' in body and "style=" not in body


def test_the_ranked_table_is_paginated_the_figures_count_everything(client_for, org):
    for i in range(55):
        make_skill(make_system(org["lead"].team, slug=f"extra-{i:02}", tier=3))  # uncovered: all at risk
    client = client_for(org["lead"])
    first = client.get(reverse("reports:index"), {"team": ""})
    assert len(first.context["summary"].systems) == 57
    assert len(first.context["page"].object_list) == 50
    body = first.content.decode()
    assert "Page 1 of 2 · 57 in all" in body and "page=2" in body
    second = client.get(reverse("reports:index"), {"team": "", "page": 2})
    assert [r.system.slug for r in second.context["page"].object_list] == [
        r.system.slug for r in first.context["summary"].systems[50:]
    ]


@pytest.mark.parametrize(
    "who,slug,status",
    [
        ("member", "api", 200),
        ("member", "ledger", 403),
        ("lead", "ledger", 200),
        ("other_lead", "api", 200),
        ("admin", "api", 200),
    ],
)
def test_system_drill_down_permissions(client_for, org, who, slug, status):
    assert client_for(org[who]).get(reverse("reports:system", args=[slug])).status_code == status


def test_system_drill_down_explains_truck_factor(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:system", args=["api"]))
    row = response.context["row"]
    # 3 skills: losing 2 loses the system; the lead alone holds dns, lead+member hold the rest.
    assert row.truck.value == 2
    assert [p.email for p in row.key_people] == ["lead@example.com", "member@example.com"]
    body = response.content.decode()
    assert "Lena Lead</strong> leaves" in body and "uncovers" in body
    assert "holder-chip stale" in body  # a lead assessment alone is no practice


@pytest.mark.parametrize("who,status", [("member", 403), ("lead", 200), ("other_lead", 200), ("admin", 200)])
def test_what_if_permissions(client_for, org, who, status):
    assert client_for(org[who]).get(reverse("reports:what-if")).status_code == status


def test_what_if_shows_newly_uncovered_and_transfers(client_for, org):
    response = client_for(org["other_lead"]).get(reverse("reports:what-if"), {"team": "", "people": [org["lead"].pk]})
    result = response.context["result"]
    assert [s.skill.slug for s in result.newly_uncovered] == ["dns"]
    assert [s.skill.slug for s in result.new_single_points] == ["deploy", "rollback"]
    dns = next(t for t in result.transfers if t.skill.skill.slug == "dns")
    assert dns.learner.email == "newhire@example.com" and dns.learner_level == 2
    assert [(b.truck.value, a.truck.value) for b, a in result.drops] == [(2, 1)]
    body = response.content.decode()
    assert "Transfers needed first" in body and "Nia Newhire" in body  # the closest learner


def test_islands_are_sole_holders_of_several_skills(client_for, org):
    make_assessment(org["lead"], make_skill(org["api"], slug="certs"), 3)
    response = client_for(org["admin"]).get(reverse("reports:islands"))
    islands = response.context["page"].object_list
    # The other lead is the only holder of one skill (reconcile): not an island.
    assert [(i.person.email, [s.skill.slug for s in i.sole]) for i in islands] == [
        ("lead@example.com", ["certs", "dns"])
    ]
    assert "What if they left?" in response.content.decode()


def test_what_if_rejects_unknown_person(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:what-if"), {"people": ["999999"]})
    assert response.status_code == 200 and response.context["result"] is None
    assert response.context["form"].errors


def test_bad_filters_are_clear_errors(client_for, org):
    client = client_for(org["lead"])
    assert client.get(reverse("reports:index"), {"team": "nope"}).status_code == 400
    assert client.get(reverse("reports:index"), {"tier": "7"}).status_code == 400
    response = client.get(reverse("reports:index"), {"on": "12 August"})
    assert response.status_code == 400 and b"YYYY-MM-DD" in response.content
    assert client.get(reverse("reports:index"), {"week": "2026-W99"}).status_code == 400


def test_tier_filter(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:index"), {"team": "", "tier": "2"})
    assert [r.system.slug for r in response.context["summary"].systems] == ["ledger"]


# As of a date or a week ----------------------------------------------------------------------


def test_absent_people_count_as_gone_on_the_day_and_in_the_week(client_for, org):
    Absence.objects.create(person=org["lead"], starts_on=date(2026, 8, 12), ends_on=date(2026, 8, 12))
    client = client_for(org["admin"])
    url = reverse("reports:system", args=["api"])

    def holders(**query):
        row = client.get(url, query).context["row"]
        return {s.skill.slug: [p.email for p in s.holders] for s in row.skills}

    assert holders()["dns"] == ["lead@example.com"]
    assert holders(on="2026-08-12")["dns"] == []
    assert holders(on="2026-08-13")["dns"] == ["lead@example.com"]
    # One day of the week's five: still counted as present for the week (10–16 August 2026).
    assert holders(week="2026-W33")["dns"] == ["lead@example.com"]
    body = client.get(url, {"week": "2026-W33"}).content.decode()
    assert "the week of 10 August" in body and "Lena Lead</a>: away 1 of 5 days" in body
    assert "still counted as present" in body and "Only working days count" in body
    # Two more working days (and the weekend, which does not count): 3 of 5, away for the week.
    Absence.objects.create(person=org["lead"], starts_on=date(2026, 8, 13), ends_on=date(2026, 8, 16))
    during = holders(week="2026-W33")
    assert during == {"deploy": ["member@example.com"], "rollback": ["member@example.com"], "dns": []}
    assert holders(week="2026-W34")["dns"] == ["lead@example.com"]
    body = client.get(url, {"week": "2026-W33"}).content.decode()
    assert "Lena Lead</a>: away 3 of 5 days — <strong>counted as away</strong>" in body


def test_a_weekend_away_is_no_day_of_the_week(client_for, org):
    Absence.objects.create(person=org["lead"], starts_on=date(2026, 8, 15), ends_on=date(2026, 8, 16))
    response = client_for(org["admin"]).get(reverse("reports:system", args=["api"]), {"week": "2026-W33"})
    row = response.context["row"]
    assert {s.skill.slug: [p.email for p in s.holders] for s in row.skills}["dns"] == ["lead@example.com"]
    assert "away 0 of 5 days" in response.content.decode()


# Exports -------------------------------------------------------------------------------------


def test_json_export_has_the_design_schema(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:export-json"))
    data = json.loads(response.content)
    assert set(data) == {"skills", "systems"}
    assert data["skills"][0].keys() == {"system", "skill", "bus_factor", "fresh_bus_factor", "holders"}
    api = next(s for s in data["systems"] if s["system"] == "api")
    assert api == {
        "system": "api",
        "tier": 1,
        "skills": 3,
        "uncovered": 0,
        "single_points": 1,
        "truck_factor": 2,
        "truck_factor_method": "exact",
        "key_people": ["lead@example.com", "member@example.com"],
    }


def test_json_export_what_if_and_unknown_email(client_for, org):
    client = client_for(org["lead"])
    data = json.loads(client.get(reverse("reports:export-json"), {"what_if": "lead@example.com"}).content)
    dns = next(s for s in data["skills"] if s["skill"] == "dns")
    assert dns["bus_factor"] == 0 and dns["holders"] == []
    response = client.get(reverse("reports:export-json"), {"what_if": "ghost@example.com"})
    assert response.status_code == 400 and b"ghost@example.com" in response.content
    assert (
        client_for(org["member"]).get(reverse("reports:export-json"), {"what_if": "lead@example.com"}).status_code
        == 403
    )


def test_csv_export_rows(client_for, org):
    response = client_for(org["member"]).get(reverse("reports:export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["skill"] for r in rows} == {"deploy", "rollback", "dns"}  # member: own team only
    dns = next(r for r in rows if r["skill"] == "dns")
    assert dns["bus_factor"] == "1" and dns["holders"] == "lead@example.com" and dns["deficit"] == "2"
    # Nobody practised (lead assessments only), so no cover is fresh: the fresh truck factor is 0.
    assert (dns["truck_factor"], dns["fresh_truck_factor"]) == ("2", "0")


# Query counts --------------------------------------------------------------------------------

QUERY_PAGES = [
    ("reports:index", {}),
    ("reports:index", {"week": "2026-W33", "tier": "1"}),
    ("reports:islands", {}),
    ("reports:trend", {}),
    ("reports:export-json", {}),
    ("reports:export-csv", {}),
    ("reports:absences", {}),
]


def _count(client, django_assert_max_num_queries, name, query, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name), query).status_code == 200


@pytest.mark.parametrize("name,query", QUERY_PAGES)
def test_report_pages_fixed_queries_small(client_for, org, django_assert_max_num_queries, name, query):
    # session, user, teams, people, systems, skills, levels (assessments, evidence…), absences
    _count(client_for(org["lead"]), django_assert_max_num_queries, name, query, 14)


@pytest.mark.parametrize("name,query", QUERY_PAGES)
def test_report_pages_fixed_queries_larger(client_for, bigger_org, django_assert_max_num_queries, name, query):
    Absence.objects.create(person=bigger_org["member"], starts_on=date(2026, 8, 10), ends_on=date(2026, 8, 20))
    _count(client_for(bigger_org["lead"]), django_assert_max_num_queries, name, query, 14)


def test_system_and_what_if_fixed_queries(client_for, bigger_org, django_assert_max_num_queries):
    client = client_for(bigger_org["lead"])
    with django_assert_max_num_queries(14):
        client.get(reverse("reports:system", args=["api"]), {"on": "2026-08-12"})
    # session, user, teams, the chosen people, people, systems, skills, covers, the levels below
    # the covers they hold, unread notices: nobody else is listed (tests/reports/test_what_if_search.py)
    with django_assert_max_num_queries(10):
        client.get(reverse("reports:what-if"), {"people": [bigger_org["lead"].pk, bigger_org["member"].pk]})


# Absences ------------------------------------------------------------------------------------


def _future(days=5, length=3):
    start = timezone.localdate() + timedelta(days=days)
    return start, start + timedelta(days=length - 1)


def test_member_records_own_absence(client_for, org):
    start, end = _future()
    client = client_for(org["member"])
    response = client.post(
        reverse("reports:absence-create"),
        {"person": org["member"].pk, "kind": "leave", "starts_on": start, "ends_on": end, "note": "Holiday"},
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.person, absence.created_by) == (org["member"], org["member"])
    assert "Holiday" in client.get(reverse("reports:absences")).content.decode()


def test_member_cannot_record_for_someone_else(client_for, org):
    start, end = _future()
    response = client_for(org["member"]).post(
        reverse("reports:absence-create"),
        {"person": org["lead"].pk, "kind": "leave", "starts_on": start, "ends_on": end},
    )
    assert response.status_code == 200 and "person" in response.context["form"].errors
    assert not Absence.objects.exists()


@pytest.mark.parametrize(
    "who,target,ok", [("lead", "member", True), ("other_lead", "member", False), ("admin", "other_lead", True)]
)
def test_leads_record_for_their_team_admins_for_anyone(client_for, org, who, target, ok):
    start, end = _future()
    client_for(org[who]).post(
        reverse("reports:absence-create"),
        {"person": org[target].pk, "kind": "training", "starts_on": start, "ends_on": end},
    )
    assert Absence.objects.filter(person=org[target]).exists() is ok


@pytest.mark.parametrize("who,target,link", [("member", "member", True), ("member", "lead", False),
                                             ("lead", "member", True), ("other_lead", "member", False)])  # fmt: skip
def test_the_person_page_links_to_recording_their_absence(client_for, org, who, target, link):
    url = f"{reverse('reports:absence-create')}?person={org[target].pk}"
    page = client_for(org[who]).get(reverse("people:person", args=[org[target].pk])).content.decode()
    assert (url in page) is link
    if link:
        form = client_for(org[who]).get(url).context["form"]
        assert str(form["person"].value()) == str(org[target].pk)


@pytest.mark.parametrize("who", ["member", "lead", "admin"])
@pytest.mark.parametrize("asked", [None, "other_lead", "gone"])
def test_the_absence_form_starts_on_whoever_fills_it_in(client_for, org, who, asked):
    """Themself, also when a link asks for someone they may not choose (not an empty choice)."""
    if asked == "gone":
        org["new_hire"].departed_on = timezone.localdate() - timedelta(days=1)
        org["new_hire"].save()
    query = {"person": org["new_hire" if asked == "gone" else asked].pk} if asked else {}
    form = client_for(org[who]).get(reverse("reports:absence-create"), query).context["form"]
    expected = org["other_lead"] if who == "admin" and asked == "other_lead" else org[who]
    assert str(form["person"].value()) == str(expected.pk)
    assert f'<option value="{expected.pk}" selected>' in str(form["person"])


def test_absences_list_keeps_the_team_filter_and_counts_working_days(client_for, org):
    # Friday 11 December 2026 to Tuesday 15 December: 3 working days, in ISO week 50.
    Absence.objects.create(person=org["other_lead"], starts_on=date(2026, 12, 11), ends_on=date(2026, 12, 15))
    Absence.objects.create(person=org["member"], starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 14))
    client = client_for(org["admin"])
    html = client.get(reverse("reports:absences"), {"upcoming": "0"}).content.decode()
    # Without a filter, each link asks for the absent person's own team.
    assert "?team=payments&amp;week=2026-W50" in html and "?team=platform&amp;week=2026-W51" in html
    assert "<td>3</td>" in html
    response = client.get(reverse("reports:absences"), {"upcoming": "0", "team": "platform"})
    assert [a.person for a in response.context["page"].object_list] == [org["member"]]
    html = response.content.decode()
    assert "?team=platform&amp;week=2026-W51" in html and "payments" not in html.split("<table")[1]
    assert "upcoming=1&amp;team=platform" in html  # the switch keeps the filter
    # The report's tabs carry the team to the absences list.
    report = client.get(reverse("reports:index"), {"team": "platform"}).content.decode()
    assert f'href="{reverse("reports:absences")}?team=platform"' in report


def test_end_before_start_is_refused(client_for, org):
    start, end = _future()
    response = client_for(org["member"]).post(
        reverse("reports:absence-create"),
        {"person": org["member"].pk, "kind": "leave", "starts_on": end, "ends_on": start},
    )
    assert "cannot be before" in str(response.context["form"].errors)
    assert not Absence.objects.exists()


def test_absence_list_scope(client_for, org):
    start, end = _future()
    for who in ("member", "lead", "other_lead"):
        Absence.objects.create(person=org[who], starts_on=start, ends_on=end, note=f"note-{who}")

    def notes(person):
        return {a.note for a in client_for(person).get(reverse("reports:absences")).context["page"].object_list}

    assert notes(org["member"]) == {"note-member"}
    assert notes(org["lead"]) == {"note-member", "note-lead"}
    assert notes(org["other_lead"]) == {"note-other_lead"}
    assert notes(org["admin"]) == {"note-member", "note-lead", "note-other_lead"}


@pytest.mark.parametrize(
    "who,owner,status",
    [
        ("member", "member", 302),
        ("member", "lead", 403),
        ("lead", "member", 302),
        ("other_lead", "member", 403),
        ("admin", "member", 302),
    ],
)
def test_absence_delete_asks_first_and_checks_permission(client_for, org, who, owner, status):
    start, end = _future()
    absence = Absence.objects.create(person=org[owner], starts_on=start, ends_on=end)
    client = client_for(org[who])
    url = reverse("reports:absence-delete", args=[absence.pk])
    confirm = client.get(url)
    assert confirm.status_code == (200 if status == 302 else 403)
    if status == 302:
        assert b"Delete this absence?" in confirm.content
    assert client.post(url).status_code == status
    assert Absence.objects.filter(pk=absence.pk).exists() is (status != 302)
