"""The what-if page's people picker: the search its box asks as one types (``reports:people-search``)
and the page that takes what it picks (``people`` ids) or what is typed without JavaScript
(``what_if`` emails), without listing everyone.

Permission matrix of the search (the same as the what-if page's):

| anonymous | member | lead (Platform) | lead (other team)  | admin |
|-----------|--------|-----------------|--------------------|-------|
| login     | 403    | 200, anyone     | 200, anyone        | 200   |
"""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.reports.views import PEOPLE_SEARCH_LIMIT
from tests.factories import make_person, make_skill, make_system

pytestmark = pytest.mark.django_db

SEARCH = "reports:people-search"


def _found(client, text, **extra):
    response = client.get(reverse(SEARCH), {"what_if": text, **extra})
    assert response.status_code == 200
    return [p.email for p in response.context["people"]]


def _departed(team, **extra):
    return make_person(team, departed_on=timezone.localdate() - timedelta(days=1), is_active=False, **extra)


# The search: who may ask, and about whom --------------------------------------------------------


def test_anonymous_is_sent_to_login(client_for, org):
    response = client_for(None).get(reverse(SEARCH), {"what_if": "max"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_members_may_not_search_as_they_may_not_ask(client_for, org):
    assert client_for(org["member"]).get(reverse(SEARCH), {"what_if": "lena"}).status_code == 403


def test_only_reads(client_for, org):
    assert client_for(org["lead"]).post(reverse(SEARCH), {"what_if": "max"}).status_code == 405


@pytest.mark.parametrize("who", ["lead", "other_lead", "admin"])
def test_leads_of_any_team_and_admins_find_anyone_active(client_for, org, who):
    # The what-if page accepts anyone active from a lead or an admin: its search offers the same.
    client = client_for(org[who])
    assert _found(client, "max") == ["member@example.com"]  # Platform
    assert _found(client, "olu") == ["otherlead@example.com"]  # Payments
    assert _found(client, "ada") == ["admin@example.com"]  # on no team


def test_matches_name_or_email_whatever_the_case(client_for, org):
    client = client_for(org["lead"])
    assert _found(client, "MAX MEM") == ["member@example.com"]
    assert _found(client, "NewHire@Example") == ["newhire@example.com"]
    assert _found(client, "  olu  ") == ["otherlead@example.com"]


def test_those_whose_name_or_email_starts_with_it_come_first(client_for, org):
    make_person(org["lead"].team, email="ann@example.com", name="Leadbetter Ann")
    make_person(org["lead"].team, email="aaron@example.com", name="Aaron Mislead")
    assert _found(client_for(org["lead"]), "lead") == [
        "ann@example.com",  # her name starts with it
        "lead@example.com",  # Lena Lead: her email does
        "aaron@example.com",  # then by name
        "otherlead@example.com",
    ]


def test_never_departed_people(client_for, org):
    _departed(org["lead"].team, email="gone@example.com", name="Gary Gone")
    soon = make_person(org["lead"].team, email="leaving@example.com", name="Gail Going")
    soon.departed_on = timezone.localdate() + timedelta(days=10)  # still here today
    soon.save()
    client = client_for(org["lead"])
    assert _found(client, "ga") == ["leaving@example.com"]
    assert _found(client, "gone") == []


def test_at_most_ten_and_says_there_are_more(client_for, org):
    for i in range(PEOPLE_SEARCH_LIMIT + 5):
        make_person(org["lead"].team, email=f"sam{i:02}@example.com", name=f"Sam {i:02}")
    response = client_for(org["lead"]).get(reverse(SEARCH), {"what_if": "sam"})
    assert PEOPLE_SEARCH_LIMIT == 10
    assert [p.email for p in response.context["people"]] == [f"sam{i:02}@example.com" for i in range(10)]
    body = response.content.decode()
    assert body.count('role="option" id=') == 10 and "More people match" in body
    assert (
        "More people match" not in client_for(org["lead"]).get(reverse(SEARCH), {"what_if": "sam 1"}).content.decode()
    )


def test_leaves_out_those_already_chosen(client_for, org):
    client = client_for(org["lead"])
    assert _found(client, "example.com", people=[org["member"].pk, org["admin"].pk, "junk"]) == [
        "lead@example.com",
        "newhire@example.com",
        "otherlead@example.com",
    ]


def test_answers_with_the_listbox_the_page_swaps(client_for, org):
    body = client_for(org["lead"]).get(reverse(SEARCH), {"what_if": "max"}).content.decode()
    assert 'id="whatif-options"' in body and 'role="listbox"' in body and 'data-for="max"' in body
    assert f'data-id="{org["member"].pk}" data-label="Max Member"' in body
    assert "member@example.com · Platform" in body
    nobody = client_for(org["lead"]).get(reverse(SEARCH), {"what_if": "<b>zz"}).content.decode()
    assert "No active person matches “&lt;b&gt;zz”." in nobody and "<b>zz" not in nobody


def test_an_empty_box_asks_the_database_nothing(client_for, org, django_assert_num_queries):
    client = client_for(org["lead"])
    with django_assert_num_queries(2):  # session, user
        response = client.get(reverse(SEARCH), {"what_if": "  "})
    assert response.context["people"] == [] and 'role="option"' not in response.content.decode()


@pytest.mark.parametrize("size", ["small", "larger"])
def test_search_fixed_queries(client_for, org, request, django_assert_max_num_queries, size):
    if size == "larger":
        request.getfixturevalue("bigger_org")
        for i in range(40):
            make_person(org["lead"].team if i % 2 else org["other_lead"].team, name=f"Extra {i}")
            _departed(org["lead"].team, name=f"Extra gone {i}")
    client = client_for(org["lead"])
    with django_assert_max_num_queries(3):  # session, user, the people (with their teams)
        found = _found(client, "e", people=[org["member"].pk])
    assert len(found) == (PEOPLE_SEARCH_LIMIT if size == "larger" else 4)


# The page: no list of everyone, chips, emails typed without JavaScript ---------------------------


def test_the_page_lists_nobody_and_offers_the_search_box(client_for, bigger_org):
    response = client_for(bigger_org["lead"]).get(reverse("reports:what-if"))
    body = response.content.decode()
    assert "<option" not in body and "<select" not in body
    assert "newhire@example.com" not in body and "Nia Newhire" not in body
    assert '<label for="id_what_if">' in body and 'name="what_if" id="id_what_if"' in body
    assert f'hx-get="{reverse(SEARCH)}"' in body and 'hx-trigger="input changed delay:250ms, search"' in body
    assert 'hx-target="#whatif-options"' in body and 'role="listbox"' in body
    assert "js/people-picker.js" in body
    assert "style=" not in body and "<script>" not in body  # CSP: no inline style or script


def test_picked_people_come_back_as_removable_chips(client_for, org):
    lead, member = org["lead"], org["member"]
    response = client_for(org["admin"]).get(
        reverse("reports:what-if"), {"people": [member.pk, lead.pk], "team": "platform", "tier": "1"}
    )
    assert [p.email for p in response.context["result"].gone] == ["lead@example.com", "member@example.com"]
    body = response.content.decode()
    assert f'<input type="hidden" name="people" value="{member.pk}"><span data-chip-label>Max Member</span>' in body
    # Taking one out keeps the filters and the others.
    remove = dict(response.context["chips"])
    assert parse_qs(remove[member]) == {"team": ["platform"], "tier": ["1"], "people": [str(lead.pk)]}
    assert f'href="?{remove[member].replace("&", "&amp;")}"' in body and 'aria-label="Take Max Member out"' in body


def test_an_email_typed_without_javascript_is_resolved(client_for, org):
    response = client_for(org["other_lead"]).get(
        reverse("reports:what-if"), {"team": "", "what_if": " Lead@Example.com "}
    )
    result = response.context["result"]
    assert [p.email for p in result.gone] == ["lead@example.com"]
    assert [s.skill.slug for s in result.newly_uncovered] == ["dns"]
    body = response.content.decode()
    assert 'name="what_if" id="id_what_if" value=""' in body  # now a chip, the box is empty
    assert f'name="people" value="{org["lead"].pk}"' in body


def test_several_emails_and_picks_together(client_for, org):
    response = client_for(org["lead"]).get(
        reverse("reports:what-if"),
        [("people", org["member"].pk), ("what_if", "lead@example.com, otherlead@example.com"), ("what_if", "")],
    )
    gone = {p.email for p in response.context["result"].gone}
    assert gone == {"member@example.com", "lead@example.com", "otherlead@example.com"}
    assert [p.email for p in response.context["form"].chosen] == [
        "member@example.com",
        "lead@example.com",
        "otherlead@example.com",
    ]


@pytest.mark.parametrize("typed", ["ghost@example.com", "gone@example.com", "nia"])
def test_an_unknown_or_departed_email_is_a_clear_form_error(client_for, org, typed):
    _departed(org["lead"].team, email="gone@example.com")
    response = client_for(org["lead"]).get(reverse("reports:what-if"), {"what_if": typed, "people": org["member"].pk})
    assert response.status_code == 200 and response.context["result"] is None
    assert response.context["form"].errors["what_if"] == [
        f"No active person has the email {typed}. Type their whole email, or pick them from the list as you type."
    ]
    body = response.content.decode()
    assert f'value="{typed}"' in body and 'aria-invalid="true"' in body  # kept, to be corrected
    assert 'aria-describedby="whatif-help id_what_if_error"' in body and 'id="id_what_if_error"' in body
    assert "data-chip-label>Max Member<" in body  # the good one stays chosen


def test_a_departed_pick_is_a_form_error(client_for, org):
    gone = _departed(org["lead"].team)
    response = client_for(org["lead"]).get(reverse("reports:what-if"), {"people": [gone.pk, org["member"].pk]})
    assert response.context["result"] is None and "has left" in str(response.context["form"].errors["people"])


def test_simulate_with_nobody_asks_for_someone(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:what-if"), {"what_if": ""})
    assert response.context["result"] is None
    assert "Type the email of someone who leaves" in response.content.decode()
    # The page itself, and a chip's link that took the last one out, show no error.
    assert not client_for(org["lead"]).get(reverse("reports:what-if"), {"team": "platform"}).context["form"].errors


def test_exports_and_pages_keep_every_person_chosen(client_for, org):
    for i in range(55):
        make_skill(make_system(org["lead"].team, slug=f"extra-{i:02}", tier=3))  # 57 systems: two pages
    client = client_for(org["lead"])
    response = client.get(
        reverse("reports:what-if"), [("people", org["lead"].pk), ("what_if", "member@example.com"), ("tier", "3")]
    )
    # The lead's own team by default: the links keep it.
    expected = {"team": ["platform"], "tier": ["3"], "people": [str(org["lead"].pk), str(org["member"].pk)]}
    assert parse_qs(response.context["what_if_query"]) == expected
    body = response.content.decode()
    export = body.split('href="/reports/export.json?')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(export) == expected
    following = body.split('class="pagination"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(following).query) == {**expected, "page": ["2"]}
    data = json.loads(client.get(reverse("reports:export-json") + "?" + export).content)
    assert data["what_if"] == ["lead@example.com", "member@example.com"]


def test_an_empty_email_in_an_export_link_is_ignored(client_for, org):
    response = client_for(org["lead"]).get(reverse("reports:export-json"), {"what_if": "", "people": org["lead"].pk})
    assert response.status_code == 200 and json.loads(response.content)["what_if"] == ["lead@example.com"]


@pytest.mark.parametrize("size", ["small", "larger"])
def test_page_fixed_queries(client_for, org, request, django_assert_max_num_queries, size):
    if size == "larger":
        request.getfixturevalue("bigger_org")
        for i in range(40):
            make_person(org["lead"].team, name=f"Extra {i}")
    client = client_for(org["lead"])
    with django_assert_max_num_queries(4):  # session, user, teams, unread notices: nobody listed
        client.get(reverse("reports:what-if"))
    with django_assert_max_num_queries(5):  # + the people named
        client.get(reverse("reports:what-if"), {"what_if": "ghost@example.com"})
    # + people, systems, skills, covers (the org facts), the levels below the covers they hold
    with django_assert_max_num_queries(10):
        client.get(reverse("reports:what-if"), {"people": org["lead"].pk, "what_if": "member@example.com"})
