"""The top bar's search: people, systems, skills and runbooks, grouped, capped, paginated.

Everyone logged in reads every person, system, skill and runbook page, so everyone finds them all:

| page      | anonymous | member | lead (team) | lead (other) | admin |
|-----------|-----------|--------|-------------|--------------|-------|
| /search/  | login     | 200    | 200         | 200          | 200   |
"""

import pytest
from django.urls import reverse

from ops_skills.web import search
from tests.factories import make_person, make_runbook, make_skill, make_system

pytestmark = pytest.mark.django_db

URL = "/search/"


@pytest.fixture
def world(team, other_team, lead, member):
    payments = make_system(other_team, slug="payments-api", name="Payments API", tier=1)
    restore = make_skill(payments, slug="restore-database", name="Restore the database")
    make_skill(make_system(team, slug="ecs-cluster", name="ECS cluster"), slug="drain-a-node", name="Drain a node")
    runbook = make_runbook(payments, [restore], title="Restore payments from a snapshot", owner=lead)
    alice = make_person(other_team, email="alice@example.com", name="Alice Moreau", title="Payments SRE")
    return {"payments": payments, "restore": restore, "runbook": runbook, "alice": alice}


def test_url_name():
    assert reverse("web:search") == URL


def test_anonymous_is_sent_to_login(client_for, world):
    response = client_for(None).get(URL, {"q": "payments"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "lead", "other_lead", "admin"])
def test_everyone_finds_every_kind(client_for, cast, world, who):
    response = client_for(cast[who]).get(URL, {"q": "payments"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{world["alice"].get_absolute_url()}"' in html  # title "Payments SRE"
    assert f'href="{world["payments"].get_absolute_url()}"' in html
    assert f'href="{world["runbook"].get_absolute_url()}"' in html
    found = {g.group.kind: g.results for g in response.context["overview"]}
    assert found["people"] == [world["alice"]]
    assert found["systems"] == [world["payments"]]
    assert found["skills"] == []
    assert found["runbooks"] == [world["runbook"]]


def test_skills_link_to_their_page(client_for, member, world):
    html = client_for(member).get(URL, {"q": "restore"}).content.decode()
    assert f'href="{world["restore"].get_absolute_url()}"' in html
    assert "Drain a node" not in html


def test_search_is_read_only(client_for, member):
    assert client_for(member).post(URL, {"q": "payments"}).status_code == 405


def test_matches_that_start_with_the_words_come_first(client_for, member, team):
    system = make_system(team)
    later = make_skill(system, slug="after-a-restore", name="Check after a restore")
    first = make_skill(system, slug="restore-x", name="Restore x")
    found = {g.group.kind: g.results for g in client_for(member).get(URL, {"q": "restore"}).context["overview"]}
    assert found["skills"] == [first, later]


def test_people_who_left_are_found_and_marked(client_for, member, team):
    from datetime import date

    make_person(team, name="Gone Person", departed_on=date(2020, 1, 1))
    html = client_for(member).get(URL, {"q": "gone"}).content.decode()
    assert "Gone Person" in html and "left</span>" in html


# --- bad input -------------------------------------------------------------------------------------


def test_without_a_query_the_page_says_what_to_type(client_for, member):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client_for(member).get(URL, params)
        assert response.status_code == 200
        assert "Type at least 2 characters" in response.content.decode()
        assert response.context["overview"] == []


def test_a_short_query_is_refused_with_a_message(client_for, member, world):
    response = client_for(member).get(URL, {"q": "p"})
    assert response.status_code == 400
    assert "Type at least 2 characters to search." in response.content.decode()
    assert response.context["overview"] == []


def test_a_long_query_is_refused_with_a_message(client_for, member, world):
    response = client_for(member).get(URL, {"q": "x" * 101})
    assert response.status_code == 400
    assert "Search for at most 100 characters." in response.content.decode()
    assert client_for(member).get(URL, {"q": "x" * 100}).status_code == 200


def test_an_unknown_kind_shows_the_overview(client_for, member, world):
    response = client_for(member).get(URL, {"q": "payments", "kind": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert response.context["group"] is None and len(response.context["overview"]) == 4


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999999", "1e9"])
def test_a_bad_page_number_is_not_an_error(client_for, member, world, page):
    response = client_for(member).get(URL, {"q": "payments", "kind": "systems", "page": page})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        "' onmouseover='alert(1)",
        "%' OR 1=1 --",
        "a\x00b",
    ],
)
def test_the_query_is_escaped_everywhere(client_for, member, world, payload):
    response = client_for(member).get(URL, {"q": payload})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "' onmouseover='" not in html


def test_a_name_with_markup_is_shown_as_text(client_for, member, team):
    make_person(team, name="<b>Bold</b> Bob")
    html = client_for(member).get(URL, {"q": "bob"}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Bob" in html and "<b>Bold</b>" not in html


def test_the_top_bar_keeps_the_query_escaped(client_for, member):
    html = client_for(member).get(URL, {"q": '"><b>x</b>'}).content.decode()
    assert 'value="&quot;&gt;&lt;b&gt;x&lt;/b&gt;"' in html


# --- caps, "more" and pagination --------------------------------------------------------------------


def test_each_group_is_capped_with_a_link_to_more(client_for, member, team):
    system = make_system(team, slug="many")
    skills = [
        make_skill(system, slug=f"rotate-{i:02d}", name=f"Rotate key {i:02d}") for i in range(search.PER_GROUP + 3)
    ]
    response = client_for(member).get(URL, {"q": "rotate"})
    found = {g.group.kind: g for g in response.context["overview"]}
    assert found["skills"].results == skills[: search.PER_GROUP] and found["skills"].more
    assert not found["people"].more
    html = response.content.decode()
    assert 'href="/search/?q=rotate&amp;kind=skills"' in html

    more = client_for(member).get(URL, {"q": "rotate", "kind": "skills"})
    assert more.status_code == 200
    assert list(more.context["page"]) == skills


def test_a_group_on_its_own_is_paginated(client_for, member, team):
    system = make_system(team, slug="many")
    for i in range(search.PAGE_SIZE + 2):
        make_skill(system, slug=f"rotate-{i:02d}", name=f"Rotate key {i:02d}")
    first = client_for(member).get(URL, {"q": "rotate", "kind": "skills"}).context["page"]
    second = client_for(member).get(URL, {"q": "rotate", "kind": "skills", "page": 2}).context["page"]
    assert len(first) == search.PAGE_SIZE and len(second) == 2


# --- cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 40])
def test_search_costs_a_fixed_number_of_queries(client_for, member, team, django_assert_max_num_queries, size):
    for i in range(size):
        system = make_system(team, slug=f"match-sys-{i}")
        skill = make_skill(system, slug=f"match-skill-{i}")
        make_runbook(system, [skill], title=f"Match runbook {i}", owner=member)
        make_person(team, name=f"Match Person {i}")
    client = client_for(member)
    # session, person, one query per group (people, systems, skills, runbooks), unread notices
    with django_assert_max_num_queries(7):
        response = client.get(URL, {"q": "match"})
    assert sum(len(g.results) for g in response.context["overview"]) == 4 * min(size, search.PER_GROUP)
    # a group on its own: session, person, count, page, unread notices
    with django_assert_max_num_queries(5):
        client.get(URL, {"q": "match", "kind": "runbooks"})
