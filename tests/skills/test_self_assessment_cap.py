"""A self assessment counts at most 2 (DESIGN.md, "Current level"): the form says so before, and
someone who said 3 or 4 of themselves is told after saving why their level shows 2."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ops_skills.levels.forms import self_cap_note
from tests.factories import make_assessment, make_skill, make_system


@pytest.fixture
def skill(team):
    return make_skill(make_system(team, slug="payments-api"), slug="deploy")


def cell_url(person, skill):
    return reverse("skills:matrix-cell", args=[person.pk, skill.pk])


def test_the_own_cell_form_says_3_and_4_count_as_2(client_for, member, skill):
    response = client_for(member).get(cell_url(member, skill))
    labels = dict(response.context["form"].fields["level"].choices)
    assert labels[2] == "2 · assisted"
    assert labels[3] == "3 · independent (counts as 2)"
    assert labels[4] == "4 · expert (counts as 2)"
    assert "A self assessment counts up to 2" in response.content.decode()


def test_a_lead_sees_the_plain_levels_for_their_member(client_for, lead, member, skill):
    labels = dict(client_for(lead).get(cell_url(member, skill)).context["form"].fields["level"].choices)
    assert labels[3] == "3 · independent"


@pytest.mark.parametrize("claimed", [3, 4])
def test_after_an_htmx_save_of_3_or_4_the_panel_says_why_it_shows_2(client_for, member, skill, claimed):
    response = client_for(member).post(cell_url(member, skill), {"level": claimed}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.context["level"].level == 2
    page = " ".join(response.content.decode().split())
    assert f"You said {claimed}" in page
    assert "your level shows 2 (assisted): a self assessment counts at most 2" in page


def test_after_a_page_save_of_3_the_message_says_why_it_shows_2(client_for, member, skill):
    client = client_for(member)
    response = client.post(cell_url(member, skill), {"level": 3})
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "You said 3 (independent); your level shows 2 (assisted)" in message


def test_a_self_assessment_within_the_cap_says_nothing_more(client_for, member, skill):
    response = client_for(member).post(cell_url(member, skill), {"level": 2}, headers={"HX-Request": "true"})
    assert "Saved." in response.content.decode()
    assert "You said" not in response.content.decode()


def test_no_note_when_a_lead_already_made_it_3(client_for, lead, member, skill):
    make_assessment(member, skill, 3, author=lead)
    response = client_for(member).post(cell_url(member, skill), {"level": 3}, headers={"HX-Request": "true"})
    assert response.context["level"].level == 3
    assert "You said" not in response.content.decode()


def test_a_lead_setting_4_for_a_member_gets_no_cap_note(client_for, lead, member, skill):
    response = client_for(lead).post(cell_url(member, skill), {"level": 4}, headers={"HX-Request": "true"})
    assert response.context["level"].level == 4
    assert "You said" not in response.content.decode()


@pytest.mark.parametrize(
    ("claimed", "current", "said"),
    [(0, 0, False), (2, 2, False), (3, 2, True), (4, 2, True), (4, 3, True), (3, 3, False), (3, 4, False)],
)
def test_self_cap_note(claimed, current, said):
    assert bool(self_cap_note(claimed=claimed, current=current)) is said


def test_the_cell_page_of_its_own_posts_as_a_plain_form(client_for, member, skill):
    """On its own page (no matrix dialog to swap into) the form has no htmx target, which made
    the browser send nothing; in the dialog it saves through htmx."""
    client = client_for(member)
    page = client.get(cell_url(member, skill)).content.decode()
    assert 'method="post"' in page
    assert "hx-post" not in page
    panel = client.get(cell_url(member, skill), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-target="#cell-panel"' in panel
