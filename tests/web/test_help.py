"""The help page (what the numbers mean) and the "?" links beside the numbers that lead to it.

| page    | anonymous | member | lead (team) | lead (other) | admin |
|---------|-----------|--------|-------------|--------------|-------|
| /help/  | login     | 200    | 200         | 200          | 200   |
"""

import re

import pytest
from django.urls import reverse

from tests.factories import make_assessment, make_skill, make_system

pytestmark = pytest.mark.django_db

TOPICS = ["levels", "current-level", "covers", "fresh", "bus-factor", "target", "truck-factor", "what-if"]


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get(reverse("web:help"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "lead", "other_lead", "admin"])
def test_everyone_reads_the_help(client_for, cast, who):
    response = client_for(cast[who]).get(reverse("web:help"))
    assert response.status_code == 200
    html = response.content.decode()
    for topic in TOPICS:
        assert f'id="{topic}"' in html


def test_the_help_says_what_design_md_says(client_for, member):
    html = client_for(member).get(reverse("web:help")).content.decode()
    assert "<code>max(L, E, min(S, 2))</code>" in html
    assert "the number of active people who cover it" in html
    assert "leaves <em>more than half</em> of the system's skills uncovered" in html
    assert "within the skill's freshness window — 180 days" in html
    assert "at least 2 (3 for tier-1 systems)" in html
    assert "can do it alone in production" in html


def help_links(html: str) -> set[str]:
    return set(re.findall(r'class="help-link" href="/help/#([a-z-]+)"', html))


@pytest.fixture
def covered(team, lead, member):
    skill = make_skill(make_system(team, slug="api"), slug="deploy")
    make_assessment(member, skill, 3, author=lead)
    return skill


def test_help_links_sit_beside_the_numbers(client_for, lead, member, covered):
    client = client_for(lead)
    every_link = help_links(client.get(reverse("web:help")).content.decode()) | set(TOPICS)
    pages = {
        reverse("people:home"): {"bus-factor", "covers"},
        reverse("reports:index"): {"bus-factor", "truck-factor", "target", "fresh"},
        reverse("skills:matrix"): {"bus-factor", "fresh", "current-level"},
        reverse("people:person", args=[member.pk]): {"current-level", "fresh"},
    }
    for url, topics in pages.items():
        found = help_links(client.get(url).content.decode())
        assert topics <= found, url
        assert found <= every_link, url  # every "?" leads to a section that exists
