"""The "Fix this" links wherever a risk is shown: the home page, the report, the system drill-down and the
what-if open the transfer plan on that skill (or system), which keeps only its proposals."""

import re

import pytest
from django.urls import reverse

from ops_skills.planner.models import Assignment
from tests.factories import make_assessment, make_person, make_skill, make_system

PLAN = reverse("planner:plan")


@pytest.fixture
def org(cast, team, other_team):
    """Platform runs "api" (tier 1, target 3: deploy and rollback held by the lead and the member,
    dns by the lead alone, certs by nobody); Payments runs "ledger" (reconcile: the other lead)."""
    api = make_system(team, slug="api", tier=1, name="API")
    ledger = make_system(other_team, slug="ledger", tier=2, name="Ledger")
    skills = {name: make_skill(api, slug=name, name=name.title()) for name in ("deploy", "rollback", "dns", "certs")}
    skills["reconcile"] = make_skill(ledger, slug="reconcile", name="Reconcile")
    for person, names in (
        (cast["lead"], ["deploy", "rollback", "dns"]),
        (cast["member"], ["deploy", "rollback"]),
        (cast["other_lead"], ["reconcile"]),
    ):
        for name in names:
            make_assessment(person, skills[name], 4 if name == "dns" else 3, author=cast["lead"])
    make_assessment(cast["new_hire"], skills["dns"], 2, author=cast["lead"])
    return {"api": api, "ledger": ledger, **skills, **cast}


def fix(skill):
    return f"{PLAN}?skill={skill.pk}#fix"


def kept_rows(page):
    """The skill names of the plan rows whose Keep box is ticked."""
    return re.findall(r'name="keep-\d+" id="keep-\d+" checked aria-label="Keep ([^:]+):', page)


# --- the plan opened on one skill ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(PLAN, {"skill": org["dns"].pk})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("new_hire", 403), ("other_lead", 403), ("lead", 200), ("admin", 200)]
)
def test_the_plan_on_a_skill_is_for_the_teams_lead_and_admins(client_for, org, who, status):
    assert client_for(org[who]).get(PLAN, {"skill": org["dns"].pk}).status_code == status


def test_other_lead_opens_their_own_skill(client_for, org):
    page = client_for(org["other_lead"]).get(PLAN, {"skill": org["reconcile"].pk}).content.decode()
    assert "Fixing Ledger · Reconcile" in page


def test_the_plan_on_a_skill_keeps_only_its_proposals(client_for, org):
    whole = client_for(org["lead"]).get(PLAN).content.decode()
    assert {"Dns", "Deploy"} <= set(kept_rows(whole))  # every proposal kept
    page = client_for(org["admin"]).get(PLAN, {"skill": org["dns"].pk}).content.decode()
    assert "Fixing API · Dns" in page
    assert "Transfer plan · Platform" in page  # the skill's team, for an admin on no team
    assert set(kept_rows(page)) == {"Dns"}
    assert "teaches <strong>Nia Newhire</strong> Dns" in page  # the learner closest to it
    assert f'name="skill" value="{org["dns"].pk}"' in page  # planning again keeps the focus


def test_the_plan_on_a_system_keeps_its_skills_proposals(client_for, org):
    page = client_for(org["lead"]).get(PLAN, {"system": org["api"].pk}).content.decode()
    assert "Fixing API" in page
    assert set(kept_rows(page)) and set(kept_rows(page)) <= {"Deploy", "Rollback", "Dns"}


def test_a_skill_nobody_covers_says_why_there_is_no_proposal(client_for, org):
    page = client_for(org["lead"]).get(PLAN, {"skill": org["certs"].pk}).content.decode()
    assert "No assignment can be proposed for Certs now: nobody covers it" in page
    assert kept_rows(page) == []


def test_a_skill_at_its_target_says_there_is_nothing_to_plan(client_for, org, team):
    ledger_lead = org["other_lead"]
    page = client_for(org["admin"]).get(PLAN, {"skill": org["reconcile"].pk, "team": team.slug}).content.decode()
    assert "This is Payments Ops's, not Platform's" in page
    Assignment.objects.create(
        skill=org["reconcile"], mentor=ledger_lead, learner=org["member"], due_on="2099-01-01", level_at_start=0
    )
    # With its only mentor's room used up, nothing can be pre-filled either.
    page = client_for(ledger_lead).get(PLAN, {"skill": org["reconcile"].pk, "mentor_capacity": 1}).content.decode()
    assert "Nothing to plan for it" in page
    page = client_for(ledger_lead).get(PLAN, {"skill": org["reconcile"].pk}).content.decode()
    assert "The plan proposes nothing for it" in page


def test_a_skill_at_its_target_gets_a_prefilled_transfer_that_can_be_accepted(client_for, org, team):
    """What-if: the skill is fine today, but the lead wants a third cover before someone leaves."""
    backups = make_skill(make_system(team, slug="backups", tier=2, name="Backups"), slug="restore", name="Restore")
    for person in (org["lead"], org["member"]):
        make_assessment(person, backups, 3, author=org["lead"])
    c = client_for(org["lead"])
    page = c.get(PLAN, {"skill": backups.pk}).content.decode()
    assert "The plan proposes nothing for it" in page
    assert kept_rows(page) == ["Restore"]
    assert "pre-filled" in page
    index = re.search(r'name="keep-(\d+)" id="keep-\d+" checked', page).group(1)
    mentor = re.search(rf'name="mentor-{index}" id="mentor-{index}">\s*<option value="(\d+)"', page).group(1)
    learner = re.search(rf'name="learner-{index}" id="learner-{index}">\s*<option value="(\d+)"', page).group(1)
    assert int(mentor) in (org["lead"].pk, org["member"].pk)
    assert f'name="rows" value="{int(index) + 1}"' in page
    response = c.post(
        reverse("planner:accept"),
        {
            "team": team.slug,
            "rows": int(index) + 1,
            "due_on": "2099-01-01",
            f"keep-{index}": "on",
            f"skill-{index}": backups.pk,
            f"mentor-{index}": mentor,
            f"learner-{index}": learner,
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(skill=backups, mentor_id=mentor, learner_id=learner, status="active").exists()


def test_an_unknown_skill_is_404_and_a_bad_id_is_ignored(client_for, org):
    c = client_for(org["lead"])
    assert c.get(PLAN, {"skill": 999999}).status_code == 404
    assert c.get(PLAN, {"system": 999999}).status_code == 404
    response = c.get(PLAN, {"skill": "²"})
    assert response.status_code == 200 and b"Fixing" not in response.content


# --- the links --------------------------------------------------------------------------------


def test_home_links_each_single_point_to_the_plan_for_the_lead(client_for, org):
    page = client_for(org["lead"]).get(reverse("people:home")).content.decode()
    assert fix(org["dns"]) in page and fix(org["certs"]) in page
    assert fix(org["deploy"]) not in page  # two holders: not shown as a risk on the home page


@pytest.mark.parametrize("who", ["member", "new_hire"])
def test_members_see_the_risks_without_fix_this(client_for, org, who):
    page = client_for(org[who]).get(reverse("people:home")).content.decode()
    assert "?skill=" not in page


@pytest.mark.parametrize(
    ("who", "shown"),
    [("member", False), ("new_hire", False), ("lead", True), ("other_lead", False), ("admin", True)],
)
def test_report_rows_and_drill_down_fix_this_for_who_plans_the_team(client_for, org, team, who, shown):
    c = client_for(org[who])
    report = c.get(reverse("reports:index"), {"team": team.slug}).content.decode()
    assert (f"{PLAN}?system={org['api'].pk}#fix" in report) is shown
    drill = c.get(reverse("reports:system", args=["api"]))
    if who in ("member", "new_hire", "lead", "admin"):
        assert drill.status_code == 200
        page = drill.content.decode()
        assert (fix(org["dns"]) in page) is shown
        assert (f"{PLAN}?system={org['api'].pk}#fix" in page) is shown
    else:
        # A lead of another team reads the report but does not plan for Platform.
        assert drill.status_code == 200 and fix(org["dns"]) not in drill.content.decode()


def test_the_report_links_to_the_plan(client_for, org, team):
    page = client_for(org["lead"]).get(reverse("reports:index")).content.decode()
    assert f'href="{PLAN}?team={team.slug}">Transfer plan' in page
    page = client_for(org["member"]).get(reverse("reports:index")).content.decode()
    assert "Transfer plan" not in page


def test_what_if_transfers_fix_this_and_link_to_the_plan(client_for, org, team):
    page = client_for(org["lead"]).get(reverse("reports:what-if"), {"people": org["lead"].pk}).content.decode()
    assert "Transfers needed first" in page
    assert fix(org["dns"]) in page
    assert f"{PLAN}?team={team.slug}\">Platform's transfer plan" in page
    other = client_for(org["other_lead"]).get(reverse("reports:what-if"), {"people": org["lead"].pk}).content.decode()
    assert fix(org["dns"]) not in other


# --- reports default to the lead's team, and "whole organisation" sticks ------------------------


def test_lead_reads_their_team_by_default_and_the_organisation_on_request(client_for, org):
    c = client_for(org["lead"])
    own = c.get(reverse("reports:index")).content.decode()
    assert "Bus-factor report · Platform" in own and "Ledger" not in own
    whole = c.get(reverse("reports:index"), {"team": ""}).content.decode()
    assert "Ledger" in whole
    # The tabs keep the choice: the islands tab of the organisation's report is the organisation's.
    assert f'href="{reverse("reports:islands")}?team="' in whole
    assert f'href="{reverse("reports:islands")}?team=platform"' in own


@pytest.mark.parametrize("people", [4, 30])
def test_the_plan_on_one_skill_runs_a_fixed_number_of_queries(
    client_for, org, team, django_assert_max_num_queries, people
):
    system = make_system(team, tier=3)
    skills = [make_skill(system) for _ in range(5)]
    mentors = [make_person(team) for _ in range(people)]
    for i, skill in enumerate(skills):
        for mentor in mentors[i % 2 :: 2][:2]:  # two covers each: at target, so pre-filled
            make_assessment(mentor, skill, 4, author=org["lead"])
    c = client_for(org["lead"])
    # the plan page's 12 (tests/planner/test_views.py), the skill and its system and team; the
    # plan's data again for the pre-filled row (active people, systems, skills, levels, interests,
    # open assignments, people's statuses, absences that week)
    with django_assert_max_num_queries(21):
        page = c.get(PLAN, {"skill": skills[0].pk}).content.decode()
    assert "pre-filled" in page
