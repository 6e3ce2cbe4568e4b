"""The page where a lead chooses which of the team's skills are critical for on-call: who may,
what it saves, that the rota's readiness follows, and its number of queries."""

import pytest
from django.urls import reverse

from ops_skills.skills.models import Skill
from tests.factories import make_skill, make_system
from tests.oncall import scenario


def url(team):
    return reverse("oncall:critical", args=[team.slug])


def field(skill):
    return f"skill-{skill.pk}"


@pytest.fixture
def skills(team, other_team):
    payments = make_system(team, slug="payments", name="payments", tier=1)
    batch = make_system(team, slug="batch", name="batch", tier=2)
    return {
        "deploy": make_skill(payments, slug="deploy", name="Deploy"),
        "docs": make_skill(payments, slug="docs", name="Docs", oncall_critical=False),
        "rerun": make_skill(batch, slug="rerun", name="Rerun"),
        "theirs": make_skill(make_system(other_team, slug="theirs", tier=3), slug="x", name="Theirs"),
    }


def flags():
    return dict(Skill.objects.values_list("slug", "oncall_critical"))


def posted(team, **changes):
    """The form as the page sends it: every skill of the team with its flag, ``changes`` (skill
    slug -> "", "yes" or "no") changed."""
    shown = {True: "yes", False: "no", None: ""}
    data = {field(s): shown[s.oncall_critical] for s in Skill.objects.for_team(team)}
    data.update({field(Skill.objects.get(slug=slug)): value for slug, value in changes.items()})
    return data


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("lead", 200), ("other_lead", 403), ("admin", 200)]
)
def test_who_sees_the_page(client_for, cast, team, skills, role, status):
    response = client_for(cast.get(role)).get(url(team))
    assert response.status_code == status
    if role is None:
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("member", 403), ("lead", 302), ("other_lead", 403), ("admin", 302)]
)
def test_who_may_change_the_flags(client_for, cast, team, skills, role, status):
    before = flags()
    response = client_for(cast.get(role)).post(url(team), posted(team, rerun="yes"))
    assert response.status_code == status
    assert flags() == ({**before, "rerun": True} if status == 302 and role else before)


def test_an_unknown_team_is_404(client_for, cast):
    assert client_for(cast["admin"]).get(reverse("oncall:critical", args=["nope"])).status_code == 404


def test_the_page_lists_the_teams_skills_with_what_their_tier_gives(client_for, cast, team, skills):
    page = client_for(cast["lead"]).get(url(team)).text
    assert 'for="id_skill-{}">Critical for on-call: payments · Deploy</label>'.format(skills["deploy"].pk) in page
    assert page.count("Tier default: critical") == 2  # the choices of deploy and docs (tier 1)
    assert page.count("Tier default: not critical") == 1  # rerun (tier 2)
    assert '<option value="no" selected>Not critical</option>' in page  # docs, flagged
    assert page.count('<option value="" selected>') == 2
    assert "Theirs" not in page  # another team's skill


def test_a_lead_flags_unflags_and_returns_skills_to_their_tier(client_for, cast, team, skills):
    client = client_for(cast["lead"])
    data = posted(team, deploy="no", docs="", rerun="yes")
    response = client.post(url(team), data, follow=True)
    assert response.redirect_chain == [(reverse("oncall:rota", args=[team.slug]), 302)]
    assert "3 skills changed" in response.text
    assert flags() == {"deploy": False, "docs": None, "rerun": True, "x": None}
    again = client.post(url(team), data, follow=True)
    assert "0 skills changed" in again.text


def test_another_teams_skill_and_a_bad_choice_change_nothing(client_for, cast, team, skills):
    client = client_for(cast["lead"])
    client.post(url(team), {**posted(team), field(skills["theirs"]): "yes"})
    assert flags()["x"] is None
    response = client.post(url(team), posted(team, deploy="always", rerun="yes"))
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert flags() == {"deploy": None, "docs": False, "rerun": None, "x": None}


def test_the_rota_counts_what_the_lead_chose(client_for, cast, team):
    """scenario: rerun (tier 2, flagged) is covered by nobody, so both shifts are at risk; docs
    (tier 2) is not critical."""
    scenario.build(team, cast["lead"], cast["member"])
    lead, rota = client_for(cast["lead"]), reverse("oncall:rota", args=[team.slug])
    page = lead.get(rota).text
    assert "At risk: 2" in page and "batch · Rerun" in page and f'href="{url(team)}"' in page
    lead.post(url(team), posted(team, rerun="no"))
    page = lead.get(rota).text
    assert "Ready with backup: 2" in page and "batch · Rerun" not in page
    lead.post(url(team), posted(team, docs="yes"))
    page = lead.get(rota).text
    assert "At risk: 2" in page and "<strong>batch · Docs</strong>" in page
    assert f'href="{url(team)}"' not in client_for(cast["member"]).get(rota).text


@pytest.mark.parametrize("n", [1, 8])
def test_the_page_costs_a_fixed_number_of_queries(client_for, cast, team, n, django_assert_max_num_queries):
    systems = [make_system(team, tier=1 + i % 3) for i in range(n)]
    made = [make_skill(system) for system in systems for _ in range(n)]
    client = client_for(cast["lead"])
    with django_assert_max_num_queries(5):  # session, person, team, the skills with their systems, notices
        page = client.get(url(team)).text
    assert page.count("<select") == n * n
    with django_assert_max_num_queries(5):  # session, person, team, the skills, the update
        client.post(url(team), {field(skill): "yes" for skill in made})
    assert set(Skill.objects.values_list("oncall_critical", flat=True)) == {True}
