"""Systems, system page and the skill matrix: who may see and change what, and query counts."""

import pytest
from django.urls import reverse

from ops_skills.levels import store
from ops_skills.skills.models import Assessment
from tests.factories import (
    make_assessment,
    make_execution,
    make_person,
    make_runbook,
    make_session,
    make_skill,
    make_system,
)


@pytest.fixture
def system(team):
    return make_system(team, slug="payments-api", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="deploy")


READ_PAGES = ["skills:systems", "skills:matrix"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
@pytest.mark.parametrize("name", READ_PAGES)
def test_everyone_logged_in_reads_the_lists(client_for, cast, skill, who, name):
    assert client_for(cast[who]).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("who", ["lead", "member", "other_lead", "admin"])
def test_everyone_logged_in_reads_a_system(client_for, cast, skill, who):
    response = client_for(cast[who]).get(reverse("skills:system", args=[skill.system.slug]))
    assert response.status_code == 200
    assert b"Deploy" in response.content


def test_unknown_system_is_404(client_for, member):
    assert client_for(member).get(reverse("skills:system", args=["nope"])).status_code == 404


def test_system_page_shows_holders_and_bus_factor(client_for, member, lead, skill):
    make_assessment(member, skill, 3, author=lead)
    response = client_for(member).get(reverse("skills:system", args=[skill.system.slug]))
    assert response.context["skill_lines"][0].bus_factor == 1
    assert response.context["single_points"] == 1
    assert "Max Member" in response.content.decode()


def test_departed_holder_does_not_count(client_for, lead, team, skill):
    gone = make_person(team, name="Gone", departed_on="2020-01-01")
    make_assessment(gone, skill, 4, author=lead)
    response = client_for(lead).get(reverse("skills:system", args=[skill.system.slug]))
    assert response.context["skill_lines"][0].bus_factor == 0


# Setting a level from the matrix cell ------------------------------------------------------


def cell_url(person, skill):
    return reverse("skills:matrix-cell", args=[person.pk, skill.pk])


def test_anonymous_cannot_open_a_cell(client, member, skill):
    assert client.get(cell_url(member, skill)).status_code == 302
    assert client.post(cell_url(member, skill), {"level": 3}).status_code == 302
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who", ["lead", "member", "other_lead", "admin"])
def test_everyone_reads_a_cell_history(client_for, cast, skill, who):
    make_assessment(cast["member"], skill, 2, author=cast["lead"], note="paired on it")
    response = client_for(cast[who]).get(cell_url(cast["member"], skill))
    assert response.status_code == 200
    assert "paired on it" in response.content.decode()


def test_lead_sets_a_lead_assessment_for_their_team(client_for, lead, member, skill):
    response = client_for(lead).post(cell_url(member, skill), {"level": 3, "note": "did the deploy"})
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert (a.person, a.level, a.source, a.author, a.note) == (member, 3, "lead", lead, "did the deploy")


def test_admin_sets_a_lead_assessment_for_anyone(client_for, admin_user, other_lead, skill):
    client_for(admin_user).post(cell_url(other_lead, skill), {"level": 4})
    assert Assessment.objects.get().source == "lead"


def test_lead_of_another_team_cannot_set_a_level(client_for, other_lead, member, skill):
    assert client_for(other_lead).post(cell_url(member, skill), {"level": 3}).status_code == 403
    assert not Assessment.objects.exists()


def test_member_cannot_set_someone_elses_level(client_for, member, new_hire, skill):
    assert client_for(member).post(cell_url(new_hire, skill), {"level": 1}).status_code == 403
    assert not Assessment.objects.exists()


def test_member_sets_their_own_level_as_a_self_assessment(client_for, member, skill):
    client_for(member).post(cell_url(member, skill), {"level": 4})
    a = Assessment.objects.get()
    assert (a.source, a.level) == ("self", 4)


def test_a_lead_setting_their_own_level_makes_a_self_assessment(client_for, lead, skill):
    client_for(lead).post(cell_url(lead, skill), {"level": 4})
    assert Assessment.objects.get().source == "self"


def test_htmx_save_returns_the_panel_and_names_the_cell(client_for, lead, member, skill):
    response = client_for(lead).post(cell_url(member, skill), {"level": 3}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content  # a fragment, not a page
    assert b"Saved." in response.content
    trigger = response["HX-Trigger"]
    assert f'"person": {member.pk}' in trigger and '"level": 3' in trigger


@pytest.mark.parametrize("level", ["5", "-1", "x", ""])
def test_bad_level_is_a_form_error(client_for, lead, member, skill, level):
    response = client_for(lead).post(cell_url(member, skill), {"level": level}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not Assessment.objects.exists()


def test_cell_of_unknown_person_is_404(client_for, lead, skill):
    assert client_for(lead).get(reverse("skills:matrix-cell", args=[999999, skill.pk])).status_code == 404


def test_cell_rejects_other_methods(client_for, lead, member, skill):
    assert client_for(lead).put(cell_url(member, skill)).status_code == 405


# The matrix -------------------------------------------------------------------------------


def test_matrix_defaults_to_the_viewers_team(client_for, lead, member, other_lead, skill):
    response = client_for(lead).get(reverse("skills:matrix"))
    names = [row.person.name for row in response.context["grid"].rows]
    assert names == ["Lena Lead", "Max Member"]


def test_matrix_filters_by_system(client_for, lead, team, skill):
    other = make_skill(make_system(team, slug="batch-jobs"), slug="rerun")
    response = client_for(lead).get(reverse("skills:matrix"), {"team": "platform", "system": "batch-jobs"})
    assert [c.skill for c in response.context["grid"].columns] == [other]


def test_matrix_marks_self_assessed_and_stale_cells(client_for, lead, member, skill):
    make_assessment(member, skill, 4, source="self")
    make_assessment(lead, skill, 3, author=member, source="lead")
    html = client_for(lead).get(reverse("skills:matrix")).content.decode()
    assert f'class="l2 self" data-s="{skill.pk}"' in html  # self-claim counted as 2
    assert f'class="l3 stale" data-s="{skill.pk}"' in html  # covers, never practised


def test_matrix_bus_factor_counts_the_whole_organisation(client_for, lead, other_lead, skill):
    make_assessment(other_lead, skill, 3, author=other_lead)
    response = client_for(lead).get(reverse("skills:matrix"), {"team": "platform"})
    assert response.context["grid"].columns[0].bus_factor == 1


def test_matrix_is_a_grid_with_one_tab_stop_and_named_cells(client_for, lead, member, skill):
    make_assessment(member, skill, 4, source="self")
    make_assessment(lead, skill, 3, author=member, source="lead")
    html = client_for(lead).get(reverse("skills:matrix")).content.decode()
    assert 'role="grid"' in html and 'href="#matrix" data-skip-to-grid' in html
    # Every cell names person, skill and level; none is a tab stop of its own (matrix.js gives
    # the grid one, the roving tabindex).
    assert f'data-s="{skill.pk}" aria-label="Max Member, payments-api/Deploy: level 2 assisted, self-assessed"' in html
    assert f'data-s="{skill.pk}" aria-label="Lena Lead, payments-api/Deploy: level 3 independent, stale"' in html
    assert html.count('<td><button type="button" tabindex="-1"') == 2
    # The header names the skill in full and links to it, out of the tab order too.
    assert (
        f'<th scope="col" id="col-{skill.pk}" class="bf-1"><a href="{skill.get_absolute_url()}" tabindex="-1"' in html
    )
    assert f'<td id="bf-{skill.pk}" tabindex="-1" class="bf-1">1</td>' in html
    # the header colours are in the legend
    assert "nobody covers it (bus factor 0)" in html and "one person covers it (bus factor 1" in html


def test_matrix_cell_names_are_escaped(client_for, lead, team, skill):
    make_person(team, name="<b>Bold</b> Bea")
    make_skill(skill.system, slug="xss", name='Say "hi" <i>')
    html = client_for(lead).get(reverse("skills:matrix")).content.decode()
    assert 'aria-label="&lt;b&gt;Bold&lt;/b&gt; Bea, payments-api/Say &quot;hi&quot; &lt;i&gt;: level 0 none"' in html
    assert "<b>Bold" not in html and "<i>" not in html


def test_htmx_save_swaps_the_bus_factor_row_out_of_band(client_for, lead, member, skill):
    c = client_for(lead)
    make_assessment(lead, skill, 3, author=lead)  # one cover already: a single point
    response = c.post(cell_url(member, skill), {"level": 3}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert f'<td id="bf-{skill.pk}" tabindex="-1" hx-swap-oob="true">2</td>' in html
    assert f'<th scope="col" id="col-{skill.pk}" hx-swap-oob="true">' in html  # no longer amber
    assert html.count("<template>") == 2  # table cells only parse inside a template
    assert '"label": "Max Member, payments-api/Deploy: level 3 independent, stale"' in response["HX-Trigger"]

    response = c.post(cell_url(member, skill), {"level": 1}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert f'<td id="bf-{skill.pk}" tabindex="-1" class="bf-1" hx-swap-oob="true">1</td>' in html
    assert f'<th scope="col" id="col-{skill.pk}" class="bf-1" hx-swap-oob="true">' in html


def test_only_an_htmx_save_carries_out_of_band_cells(client_for, lead, member, skill):
    c = client_for(lead)
    assert b"hx-swap-oob" not in c.get(cell_url(member, skill), headers={"HX-Request": "true"}).content
    bad = c.post(cell_url(member, skill), {"level": 9}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and b"hx-swap-oob" not in bad.content
    assert c.post(cell_url(member, skill), {"level": 3}).status_code == 302  # no htmx: a redirect
    assert b"hx-swap-oob" not in c.get(cell_url(member, skill)).content


@pytest.mark.parametrize("who", ["member", "other_lead", "admin"])
def test_out_of_band_cells_follow_who_may_save(client_for, cast, skill, who):
    """Only a save that is allowed returns them: the member and the other team's lead get 403."""
    response = client_for(cast[who]).post(cell_url(cast["lead"], skill), {"level": 3}, headers={"HX-Request": "true"})
    assert response.status_code == (200 if who == "admin" else 403)
    assert (b"hx-swap-oob" in response.content) == (who == "admin")


def _org(team, people, skills):
    """People × skills with assessments everywhere and evidence for a third of the people."""
    system = make_system(team)
    skill_list = [make_skill(system) for _ in range(skills)]
    people_list = [make_person(team) for _ in range(people)]
    Assessment.objects.bulk_create(
        Assessment(person=p, skill=s, level=(i + j) % 5, source="lead" if j % 2 else "self", author=p)
        for i, p in enumerate(people_list)
        for j, s in enumerate(skill_list)
    )
    store.recompute_all()  # bulk_create goes around the services
    runbook = make_runbook(system, skill_list[:5])
    for i, p in enumerate(people_list[: max(1, people // 3)]):
        make_execution(runbook, p, participants=people_list[i + 1 : i + 2])
        make_session(p, people_list[i + 1 : i + 3] or [people_list[0]], skill_list[-3:])
    return people_list, skill_list


@pytest.mark.parametrize("people,skills", [(2, 3), (40, 60)])
def test_matrix_runs_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, people, skills):
    _org(team, people, skills)
    c = client_for(lead)
    # session, user, teams, people count, systems, page of people, people shown, skills, their
    # stored levels, the bus factors (stored covers), the skills' systems, unread notices
    with django_assert_max_num_queries(12):
        response = c.get(reverse("skills:matrix"), {"team": "platform"})
    assert len(response.context["grid"].rows) == people + 1


@pytest.mark.parametrize("people,skills", [(2, 3), (40, 60)])
def test_system_page_runs_a_fixed_number_of_queries(
    client_for, lead, team, django_assert_max_num_queries, people, skills
):
    _people, skill_list = _org(team, people, skills)
    c = client_for(lead)
    # session, user, system, skills, their stored levels, people named, recent evidence
    # (executions, participants, sessions, learners, skills, their systems), unread notices, the
    # runbooks with their owners
    with django_assert_max_num_queries(14):
        c.get(reverse("skills:system", args=[skill_list[0].system.slug]))
    # the same for one skill (fetched with its system), the runbooks that exercise it
    with django_assert_max_num_queries(13):
        response = c.get(skill_list[0].get_absolute_url())
    assert response.status_code == 200


def test_systems_list_searches_and_filters(client_for, member, team, other_team):
    make_system(team, slug="ecs-cluster", tier=1, description="containers")
    make_system(other_team, slug="status-page", tier=3)
    c = client_for(member)
    assert [s.slug for s in c.get(reverse("skills:systems"), {"q": "contain"}).context["page"]] == ["ecs-cluster"]
    assert [s.slug for s in c.get(reverse("skills:systems"), {"tier": "3"}).context["page"]] == ["status-page"]
    assert [s.slug for s in c.get(reverse("skills:systems"), {"team": "platform"}).context["page"]] == ["ecs-cluster"]


@pytest.mark.parametrize("who", ["lead", "member", "other_lead", "admin"])
def test_skill_page_shows_holders_last_practice_and_evidence(client_for, cast, skill, who):
    runbook = make_runbook(skill.system, [skill], title="Deploy payments-api")
    make_assessment(cast["member"], skill, 3, author=cast["lead"], days_ago=30)
    make_execution(runbook, cast["member"], participants=[cast["new_hire"]], days_ago=2)
    response = client_for(cast[who]).get(skill.get_absolute_url())
    assert response.status_code == 200
    holder = next(h for h in response.context["line"].holders if h.person == cast["member"])
    assert holder.fresh and holder.last_practised is not None
    html = response.content.decode()
    assert "Deploy payments-api" in html and "never on record" in html  # the new hire only watched


def test_skill_page_is_404_for_an_unknown_skill(client_for, member, skill):
    assert client_for(member).get(reverse("skills:skill", args=[skill.system.slug, "nope"])).status_code == 404


def test_anonymous_cannot_read_a_skill_page(client, skill):
    assert client.get(skill.get_absolute_url()).status_code == 302
