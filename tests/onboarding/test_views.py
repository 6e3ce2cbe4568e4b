"""Onboarding pages: the permission matrix of every view, what each page shows, query counts,
and guidance Markdown rendered harmless."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from ops_skills.onboarding import checklists, template_services
from ops_skills.onboarding.models import Checklist, ChecklistItem, Kind, OnboardingTemplate, TemplateItem
from tests.evidence.xss_payloads import PAYLOADS, assert_harmless
from tests.factories import make_person
from tests.onboarding.conftest import item_of

LOGIN = "/accounts/login/"


@pytest.fixture
def bystander(team):
    """A member of the team who is neither the new hire nor the buddy."""
    return make_person(team, email="bystander@example.com")


@pytest.fixture
def viewers(cast, bystander):
    # In these tests the member is the new hire's buddy.
    return {**cast, "buddy": cast["member"], "bystander": bystander, "anonymous": None}


def status_of(client_for, viewers, who, method, url, data=None):
    client = client_for(viewers[who])
    response = client.get(url) if method == "get" else client.post(url, data or {})
    if response.status_code == 302 and response.url.startswith(LOGIN):
        return "login"
    return response.status_code


# Permission matrix: anonymous, new hire, buddy, another member, lead, lead of another team, admin.

LEAD_PAGES = ["overview", "template-create", "template", "template-edit", "item-create", "item-edit", "start"]


def lead_page_url(name, template, checklist, bystander):
    item = template.items.first()
    return {
        "overview": reverse("onboarding:overview"),
        "template-create": reverse("onboarding:template-create"),
        "template": reverse("onboarding:template", args=[template.pk]),
        "template-edit": reverse("onboarding:template-edit", args=[template.pk]),
        "item-create": reverse("onboarding:item-create", args=[template.pk]),
        "item-edit": reverse("onboarding:item-edit", args=[template.pk, item.pk]),
        "start": reverse("onboarding:start", args=[bystander.pk]),
    }[name]


@pytest.mark.parametrize("page", LEAD_PAGES)
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", "login"),
        ("new_hire", 403),
        ("buddy", 403),
        ("bystander", 403),
        ("lead", 200),
        ("other_lead", 404),
        ("admin", 200),
    ],
)
def test_lead_pages_permissions(client_for, viewers, template, checklist, bystander, page, who, expected):
    if page in {"overview", "template-create"} and who == "other_lead":
        expected = 200  # their own team's overview and templates: nothing of ours shows (below)
    url = lead_page_url(page, template, checklist, bystander)
    assert status_of(client_for, viewers, who, "get", url) == expected


def test_another_teams_lead_sees_nothing_of_ours_on_their_overview(client_for, other_lead, checklist, template):
    html = client_for(other_lead).get(reverse("onboarding:overview")).content.decode()
    assert str(checklist.person) not in html
    assert template.name not in html


@pytest.mark.parametrize("page", ["checklist", "summary"])
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", "login"),
        ("new_hire", 200),
        ("buddy", 200),
        ("bystander", 404),
        ("lead", 200),
        ("other_lead", 404),
        ("admin", 200),
    ],
)
def test_checklist_pages_permissions(client_for, viewers, checklist, page, who, expected):
    url = reverse(f"onboarding:{page}", args=[checklist.pk])
    assert status_of(client_for, viewers, who, "get", url) == expected


@pytest.mark.parametrize(
    "who, manual, evidence",
    [
        ("anonymous", "login", "login"),
        ("new_hire", 302, 403),
        ("buddy", 302, 403),
        ("bystander", 404, 404),
        ("lead", 302, 302),
        ("other_lead", 404, 404),
        ("admin", 302, 302),
    ],
)
@pytest.mark.parametrize("action", ["item-tick", "item-untick"])
def test_tick_permissions(client_for, viewers, checklist, who, manual, evidence, action):
    for kind, expected in [(Kind.ACCESS, manual), (Kind.PAIR_SKILL, evidence)]:
        url = reverse(f"onboarding:{action}", args=[checklist.pk, item_of(checklist, kind).pk])
        assert status_of(client_for, viewers, who, "post", url) == expected


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", "login"),
        ("new_hire", 403),
        ("buddy", 403),
        ("bystander", 404),
        ("lead", 302),
        ("other_lead", 404),
        ("admin", 302),
    ],
)
def test_apply_to_a_checklist_permissions(client_for, viewers, checklist, who, expected):
    url = reverse("onboarding:checklist-apply", args=[checklist.pk])
    assert status_of(client_for, viewers, who, "post", url) == expected


@pytest.mark.parametrize("action", ["template-copy", "template-apply", "item-delete"])
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", "login"),
        ("new_hire", 403),
        ("buddy", 403),
        ("lead", 302),
        ("other_lead", 404),
        ("admin", 302),
    ],
)
def test_template_writes_permissions(client_for, viewers, template, action, who, expected):
    args = [template.pk] + ([template.items.first().pk] if action == "item-delete" else [])
    data = {"name": f"Copy by {who}"} if action == "template-copy" else {}
    assert status_of(client_for, viewers, who, "post", reverse(f"onboarding:{action}", args=args), data) == expected


@pytest.mark.parametrize(
    "url_name, args",
    [("item-tick", 2), ("item-untick", 2), ("checklist-apply", 1), ("template-copy", 1), ("template-apply", 1)],
)
def test_writes_refuse_get(client_for, lead, checklist, template, url_name, args):
    pk = template.pk if url_name.startswith("template") else checklist.pk
    url = reverse(f"onboarding:{url_name}", args=[pk, checklist.items.first().pk][:args])
    assert client_for(lead).get(url).status_code == 405


# What the pages do


def test_new_hire_ticks_a_manual_item_and_the_page_says_who(client_for, new_hire, checklist):
    item = item_of(checklist, Kind.MEET)
    c = client_for(new_hire)
    c.post(reverse("onboarding:item-tick", args=[checklist.pk, item.pk]))
    html = c.get(checklist.get_absolute_url()).content.decode()
    assert f"Ticked by {new_hire}" in html
    item.refresh_from_db()
    assert item.ticked_by == new_hire


def test_the_buddy_cannot_untick_what_evidence_ticked(client_for, member, lead, checklist):
    item = item_of(checklist, Kind.READ_RUNBOOK)
    from ops_skills.evidence.services import runbook_mark_read

    runbook_mark_read(runbook=item.runbook, person=checklist.person)
    url = reverse("onboarding:item-untick", args=[checklist.pk, item.pk])
    assert client_for(member).post(url).status_code == 403
    assert client_for(lead).post(url).status_code == 302
    item.refresh_from_db()
    assert not item.is_done


def test_lead_creates_a_template_and_adds_an_item_of_each_kind(client_for, lead, team, skill, runbook):
    c = client_for(lead)
    response = c.post(reverse("onboarding:template-create"), {"name": "Night shift", "role": "member"})
    template = OnboardingTemplate.objects.get(name="Night shift")
    assert response.url == template.get_absolute_url() and template.team == team
    for kind, _ in Kind.choices:
        data = {"kind": kind, "title": f"Do {kind}", "due_days": 3, "guidance": "", "position": 0}
        data["runbook"] = runbook.pk if kind in {"read_runbook", "execute_staging"} else ""
        data["skill"] = skill.pk if kind == "pair_skill" else ""
        assert c.post(reverse("onboarding:item-create", args=[template.pk]), data).status_code == 302
    assert template.items.count() == 6
    assert list(template.items.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_an_item_without_its_runbook_is_refused_clearly(client_for, lead, template):
    data = {"kind": "read_runbook", "title": "Read it", "due_days": 3, "position": 0}
    response = client_for(lead).post(reverse("onboarding:item-create", args=[template.pk]), data)
    assert response.status_code == 400
    assert "Choose the runbook" in response.content.decode()


def test_a_lead_cannot_make_a_template_for_another_team(client_for, lead, other_team):
    data = {"name": "Sneaky", "role": "member", "team": other_team.pk}
    client_for(lead).post(reverse("onboarding:template-create"), data)
    assert OnboardingTemplate.objects.get(name="Sneaky").team == lead.team


def test_template_page_lists_out_of_date_checklists_and_applying_updates_them(client_for, lead, checklist, template):
    meet = template.items.get(kind=Kind.MEET)
    meet.title = "Meet the whole team"
    template_services.template_item_save(item=meet, by=lead)
    c = client_for(lead)
    html = c.get(template.get_absolute_url()).content.decode()
    assert "Apply changes to 1 checklist" in html
    assert "template changed" in c.get(reverse("onboarding:overview")).content.decode()
    c.post(reverse("onboarding:template-apply", args=[template.pk]))
    assert checklist.items.filter(title="Meet the whole team").exists()


def test_lead_starts_an_onboarding_from_the_person_page_form(client_for, lead, template, member, bystander, today):
    response = client_for(lead).post(
        reverse("onboarding:start", args=[bystander.pk]),
        {"template": template.pk, "buddy": member.pk, "started_on": today.isoformat()},
    )
    checklist = Checklist.objects.get(person=bystander)
    assert response.url == checklist.get_absolute_url()
    assert checklist.items.count() == template.items.count()


def test_starting_for_someone_who_has_one_goes_to_it(client_for, lead, checklist):
    response = client_for(lead).get(reverse("onboarding:start", args=[checklist.person_id]))
    assert response.url == checklist.get_absolute_url()


def test_start_form_offers_only_the_persons_team(client_for, lead, template, bystander, other_lead, other_team):
    OnboardingTemplate.objects.create(team=other_team, name="Payments onboarding")
    form = client_for(lead).get(reverse("onboarding:start", args=[bystander.pk])).context["form"]
    assert list(form.fields["template"].queryset) == [template]
    assert other_lead not in form.fields["buddy"].queryset
    assert bystander not in form.fields["buddy"].queryset


def test_overview_lists_overdue_onboardings_first_and_finished_ones(client_for, lead, team, template, member, today):
    calm = make_person(team, name="Calm Carla")
    late = make_person(team, name="Late Larry")
    done = make_person(team, name="Done Dora")
    checklists.checklist_start(person=calm, template=template, buddy=member, started_on=today, by=lead)
    checklists.checklist_start(
        person=late, template=template, buddy=member, started_on=today - timedelta(days=40), by=lead
    )
    finished = checklists.checklist_start(
        person=done, template=template, buddy=member, started_on=today - timedelta(days=90), by=lead
    )
    for item in finished.items.all():
        checklists.item_tick(item=item, by=lead)
    response = client_for(lead).get(reverse("onboarding:overview"))
    running = [row.checklist.person for row in response.context["running"]]
    assert running == [late, calm]
    assert [row.checklist.person for row in response.context["finished"]] == [done]
    summary = client_for(lead).get(reverse("onboarding:summary", args=[finished.pk]))
    assert "6/6" in summary.content.decode()


# Home panels


def test_new_hire_home_shows_progress_next_items_and_runbooks(client_for, new_hire, checklist, runbook):
    html = client_for(new_hire).get(reverse("people:home")).content.decode()
    assert "Your onboarding" in html
    assert '<progress value="0" max="6"' in html
    assert "Pair on point-in-time recovery" in html
    assert runbook.get_absolute_url() in html
    assert "onboarding.css" in html


def test_buddy_home_lists_whom_they_are_buddy_for(client_for, member, checklist):
    html = client_for(member).get(reverse("people:home")).content.decode()
    assert "You are buddy for" in html
    assert checklist.get_absolute_url() in html


def test_lead_home_links_to_the_overview(client_for, lead, checklist):
    html = client_for(lead).get(reverse("people:home")).content.decode()
    assert "1 running onboarding" in html and reverse("onboarding:overview") in html


def test_nobody_else_gets_an_onboarding_panel(client_for, bystander, checklist):
    html = client_for(bystander).get(reverse("people:home")).content.decode()
    main = html[html.index("<main") : html.index("</main>")]  # the head links every stylesheet
    assert "onboarding" not in main.lower()


# Query counts


def _big_checklist(template, lead, team, items):
    for n in range(items):
        TemplateItem.objects.create(template=template, kind=Kind.TEXT, title=f"Extra {n}", due_days=n, guidance="*x*")
    return template


@pytest.mark.parametrize("extra_items", [0, 40])
def test_checklist_page_runs_a_fixed_number_of_queries(
    client_for, new_hire, lead, member, team, template, today, extra_items, django_assert_max_num_queries
):
    _big_checklist(template, lead, team, extra_items)
    checklist = checklists.checklist_start(person=new_hire, template=template, buddy=member, started_on=today, by=lead)
    for item in checklist.items.all()[:10]:
        checklists.item_tick(item=item, by=lead)
    c = client_for(new_hire)
    # session, user, checklist with person, buddy, template and team, items with their runbooks,
    # skills, systems, tickers and evidence, unread notices
    with django_assert_max_num_queries(5):
        c.get(checklist.get_absolute_url())
    with django_assert_max_num_queries(5):
        c.get(reverse("onboarding:summary", args=[checklist.pk]))


@pytest.mark.parametrize("hires", [1, 15])
def test_overview_runs_a_fixed_number_of_queries(
    client_for, lead, member, team, template, today, hires, django_assert_max_num_queries
):
    _big_checklist(template, lead, team, 10)
    for n in range(hires):
        person = make_person(team)
        checklists.checklist_start(
            person=person, template=template, buddy=member, started_on=today - timedelta(days=n), by=lead
        )
        if n % 3 == 0:
            checklist = person.onboarding
            for item in checklist.items.all():
                checklists.item_tick(item=item, by=lead)
    c = client_for(lead)
    # session, user, running checklists with people and templates, finished ones (count, page),
    # all their items, templates with counts, unread notices, the lead's team (page title)
    with django_assert_max_num_queries(9):
        c.get(reverse("onboarding:overview"))


@pytest.mark.parametrize("hires", [1, 12])
def test_home_panel_runs_a_fixed_number_of_queries(
    member, lead, team, template, today, hires, django_assert_max_num_queries
):
    from ops_skills.onboarding.home import panel

    for _ in range(hires):
        checklists.checklist_start(person=make_person(team), template=template, buddy=member, started_on=today, by=lead)
    with django_assert_max_num_queries(2):  # running checklists, their items
        assert len(panel(member)["buddy_rows"]) == hires
    with django_assert_max_num_queries(1):  # running checklists of the team: only a count is shown
        assert panel(lead)["running"] == hires


# Markdown guidance is sanitised


def guidance_regions(html: str) -> list[str]:
    regions = re.findall(r'<div class="markdown ob-guidance">(.*?)</div><!-- /guidance -->', html, re.S)
    assert regions, "the page shows no guidance"
    return regions


@pytest.mark.parametrize("payload", PAYLOADS[::3])
def test_guidance_renders_harmless(client_for, new_hire, checklist, payload):
    ChecklistItem.objects.filter(checklist=checklist).update(guidance=payload)
    html = client_for(new_hire).get(checklist.get_absolute_url()).content.decode()
    for region in guidance_regions(html):
        assert_harmless(region)


def test_guidance_markdown_still_renders(client_for, new_hire, checklist):
    html = client_for(new_hire).get(checklist.get_absolute_url()).content.decode()
    assert "Guidance for <em>Meet the lead</em>" in html


def test_template_description_renders_harmless(client_for, lead, template):
    template.description = "<script>alert(1)</script>**Welcome**"
    template.save()
    html = client_for(lead).get(template.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<strong>Welcome</strong>" in html


def test_person_page_helper_offers_start_to_the_lead_and_shows_the_checklist_to_whom_may_see_it(
    cast, bystander, checklist, django_assert_max_num_queries
):
    from ops_skills.onboarding.selectors import person_onboarding

    with django_assert_max_num_queries(1):  # the person's checklist
        assert person_onboarding(cast["lead"], bystander) == {"checklist": None, "can_start": True}
    assert person_onboarding(cast["other_lead"], bystander)["can_start"] is False
    assert person_onboarding(cast["member"], bystander)["can_start"] is False
    new_hire = cast["new_hire"]
    for who in ["lead", "member", "new_hire", "admin"]:
        assert person_onboarding(cast[who], new_hire) == {"checklist": checklist, "can_start": False}
    assert person_onboarding(cast["other_lead"], new_hire)["checklist"] is None
    assert person_onboarding(bystander, new_hire)["checklist"] is None


def test_a_duplicate_template_name_is_refused_clearly(client_for, lead, template):
    response = client_for(lead).post(reverse("onboarding:template-create"), {"name": template.name, "role": "member"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_editing_a_template_keeps_its_team_and_checklists_up_to_date(client_for, lead, template, checklist):
    data = {"name": "SRE onboarding 2027", "role": "member", "description": "New *words*"}
    assert client_for(lead).post(reverse("onboarding:template-edit", args=[template.pk]), data).status_code == 302
    template.refresh_from_db()
    checklist.refresh_from_db()
    assert template.name == "SRE onboarding 2027" and template.team == lead.team
    assert not checklist.is_out_of_date  # the description is read from the template; items did not change


def test_finished_onboardings_are_paginated(lead, member, team, template, today):
    from ops_skills.onboarding.selectors import overview

    for _ in range(3):
        checklist = checklists.checklist_start(
            person=make_person(team), template=template, buddy=member, started_on=today, by=lead
        )
        for item in checklist.items.all():
            checklists.item_tick(item=item, by=lead)
    first = overview(lead, today=today, page_size=2)
    assert (len(first["finished"]), first["page"].paginator.count) == (2, 3)
    assert len(overview(lead, today=today, finished_page=2, page_size=2)["finished"]) == 1


def test_starting_without_a_template_says_what_is_missing(client_for, lead, bystander, member, today):
    response = client_for(lead).post(
        reverse("onboarding:start", args=[bystander.pk]), {"buddy": member.pk, "started_on": today.isoformat()}
    )
    assert response.status_code == 400
    assert "template" in response.context["form"].errors
    assert not Checklist.objects.exists()


def test_lead_edits_and_removes_template_items(client_for, lead, template, checklist):
    c = client_for(lead)
    item = template.items.get(kind=Kind.MEET)
    data = {"kind": "meet", "title": "Meet the team", "due_days": 4, "guidance": "", "position": item.position}
    assert c.post(reverse("onboarding:item-edit", args=[template.pk, item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.title == "Meet the team"
    assert c.post(reverse("onboarding:item-delete", args=[template.pk, item.pk])).status_code == 302
    assert not template.items.filter(pk=item.pk).exists()
    assert checklist.items.filter(title="Meet the lead").exists()  # until applied


# The person page and the navigation --------------------------------------------------------------


def test_the_person_page_links_to_the_checklist_or_to_starting_one(client_for, lead, member, new_hire, checklist):
    start = reverse("onboarding:start", args=[member.pk])
    lead_view = client_for(lead).get(reverse("people:person", args=[new_hire.pk])).content.decode()
    assert checklist.get_absolute_url() in lead_view
    assert start in client_for(lead).get(reverse("people:person", args=[member.pk])).content.decode()
    # The buddy sees the checklist of the person they are buddy for, and starts nothing.
    buddy_view = client_for(member).get(reverse("people:person", args=[new_hire.pk])).content.decode()
    assert checklist.get_absolute_url() in buddy_view and "Start onboarding" not in buddy_view


@pytest.mark.parametrize("who,shown", [("member", False), ("lead", True), ("admin_user", True)])
def test_leads_and_admins_get_the_plan_and_onboarding_in_the_navigation(client_for, request, who, shown):
    html = client_for(request.getfixturevalue(who)).get(reverse("people:home")).content.decode()
    nav = html[html.index('<ul class="nav-links">') : html.index("</ul>")]
    assert (reverse("onboarding:overview") in nav) is shown
    assert (reverse("planner:plan") in nav) is shown
    assert reverse("reports:index") in nav
