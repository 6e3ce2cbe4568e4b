"""What a runbook's page, its system's page and its skills' pages say about it: recent
executions, who has read it, review status; the execution form it opens; fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence import services
from tests.factories import make_execution, make_person, make_runbook, make_skill, make_system

TODAY = timezone.localdate()


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", name="postgres-main", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


@pytest.fixture
def runbook(system, skill, lead):
    runbook = make_runbook(system, [skill], owner=lead, title="Restore the main database", last_reviewed_on=TODAY)
    services.runbook_save(runbook=runbook, author=lead)
    return runbook


# The runbook page --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_sees_the_recent_executions(client_for, cast, runbook, who):
    make_execution(
        runbook, cast["member"], participants=[cast["new_hire"]], days_ago=3, link="https://t.example.com/INC-1"
    )
    alone = make_execution(runbook, cast["lead"], status="pending", days_ago=1)
    make_execution(runbook, cast["new_hire"], environment="staging", outcome="failed", status="disputed", days_ago=5)
    response = client_for(cast[who]).get(runbook.get_absolute_url())
    assert response.status_code == 200
    assert [e.performer for e in response.context["executions"]] == [cast["lead"], cast["member"], cast["new_hire"]]
    html = response.content.decode()
    assert alone.get_absolute_url() in html
    assert "Max Member, Nia Newhire" in html
    for text in ["Production", "Staging", "Success", "Failed", "confirmed", "waiting for confirmation", "disputed"]:
        assert text in html, text
    assert html.count('title="Production work is done by two people or more">alone</span>') == 1


def test_no_executions_yet_says_how_to_log_one(client_for, member, runbook):
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    assert "Nobody has logged a run of this runbook yet." in html
    assert f"{reverse('evidence:execution-create')}?runbook={runbook.pk}" in html


def test_the_page_shows_the_latest_executions_and_links_to_all(client_for, member, runbook):
    for n in range(12):
        make_execution(runbook, member, days_ago=n + 1)
    response = client_for(member).get(runbook.get_absolute_url())
    assert len(response.context["executions"]) == 10
    html = response.content.decode()
    assert "latest 10 of 12" in html
    listed = client_for(member).get(reverse("evidence:list"), {"show": "all", "runbook": runbook.pk})
    assert len(listed.context["page"].object_list) == 12
    assert listed.context["runbook"] == runbook


def test_the_evidence_list_for_an_unknown_runbook_is_404(client_for, member, db):
    assert client_for(member).get(reverse("evidence:list"), {"runbook": 999}).status_code == 404


def test_log_an_execution_opens_the_form_with_this_runbook_chosen(client_for, member, runbook):
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    form_url = f"{reverse('evidence:execution-create')}?runbook={runbook.pk}"
    assert f'href="{form_url}"' in html
    form = client_for(member).get(form_url)
    assert form.status_code == 200
    assert f'<option value="{runbook.pk}" selected>' in form.content.decode()


def test_who_has_read_it(client_for, member, new_hire, lead, runbook):
    services.runbook_mark_read(runbook=runbook, person=new_hire)
    services.runbook_save(runbook=runbook, author=lead)  # unchanged: still revision 1
    runbook.body += "\nA new step.\n"
    services.runbook_save(runbook=runbook, author=lead)
    services.runbook_mark_read(runbook=runbook, person=lead)
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    assert "2 people have read it." in html
    assert "Nia Newhire" in html and "read r1, since changed" in html
    assert "Mark as read" in html  # the member has not


def test_many_readers_show_the_latest_and_the_count(client_for, member, system, runbook):
    for _ in range(15):
        services.runbook_mark_read(runbook=runbook, person=make_person(system.team))
    response = client_for(member).get(runbook.get_absolute_url())
    assert len(response.context["readers"]) == 12
    assert "15 people have read it. The latest 12:" in response.content.decode()


@pytest.mark.parametrize(("who", "button"), [("lead", True), ("admin", True), ("member", False), ("other_lead", False)])
def test_overdue_for_review_with_the_action_for_owner_and_leads(client_for, cast, runbook, who, button):
    runbook.last_reviewed_on = TODAY - timedelta(days=runbook.review_interval_days + 1)
    runbook.save()
    html = client_for(cast[who]).get(runbook.get_absolute_url()).content.decode()
    assert "overdue for review" in html
    assert ("Mark as reviewed today" in html) is button


def test_a_member_who_owns_it_marks_it_reviewed(client_for, member, runbook):
    runbook.owner = member
    runbook.last_reviewed_on = None
    runbook.save()
    c = client_for(member)
    assert "Mark as reviewed today" in c.get(runbook.get_absolute_url()).content.decode()
    c.post(reverse("evidence:runbook-reviewed", args=[runbook.pk]))
    runbook.refresh_from_db()
    assert runbook.last_reviewed_on == TODAY and not runbook.is_overdue(TODAY)


@pytest.mark.parametrize("executions", [1, 40])
def test_the_runbook_page_runs_a_fixed_number_of_queries_whatever_the_executions(
    client_for, member, system, runbook, django_assert_max_num_queries, executions
):
    people = [make_person(system.team) for _ in range(4)]
    for n in range(executions):
        make_execution(runbook, people[n % 4], participants=people[:3], days_ago=n + 1)
        services.runbook_mark_read(runbook=runbook, person=people[n % 4])
    c = client_for(member)
    # session, viewer, the runbook (system, team, owner, latest revision, viewer's read, read and
    # execution counts), its skills, the latest revision, the latest executions with their
    # performers, their participants, the latest readers, the unread notices
    with django_assert_max_num_queries(9):
        response = c.get(runbook.get_absolute_url())
    assert response.context["runbook"].execution_count == executions


# The system and skill pages ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "member", "other_lead", "admin"])
def test_the_system_page_links_its_runbooks_and_marks_the_overdue(client_for, cast, system, runbook, who):
    stale = make_runbook(system, title="Fail over to the replica", last_reviewed_on=TODAY - timedelta(days=400))
    html = client_for(cast[who]).get(reverse("skills:system", args=[system.slug])).content.decode()
    assert runbook.get_absolute_url() in html and stale.get_absolute_url() in html
    assert html.count("overdue for review") == 1
    assert f"{reverse('evidence:runbooks')}?system=postgres-main" in html


def test_a_system_without_runbooks_offers_its_lead_to_write_one(client_for, lead, member, system):
    create = f"{reverse('evidence:runbook-create')}?system=postgres-main"
    assert create in client_for(lead).get(reverse("skills:system", args=[system.slug])).content.decode()
    html = client_for(member).get(reverse("skills:system", args=[system.slug])).content.decode()
    assert "No runbook for postgres-main yet." in html and create not in html


def test_the_skill_page_marks_an_overdue_runbook(client_for, member, system, skill):
    make_runbook(system, [skill], title="Old one", last_reviewed_on=TODAY - timedelta(days=400))
    html = client_for(member).get(skill.get_absolute_url()).content.decode()
    assert "Old one" in html and "overdue for review" in html


@pytest.mark.parametrize("runbooks", [1, 30])
def test_the_system_page_runs_a_fixed_number_of_queries_whatever_the_runbooks(
    client_for, member, lead, system, skill, django_assert_max_num_queries, runbooks
):
    for n in range(runbooks):
        make_runbook(system, [skill], owner=lead, title=f"Runbook {n}", last_reviewed_on=TODAY)
    c = client_for(member)
    # session, user, system, skills, their stored levels, people named, recent evidence (the
    # executions and sessions, with their people and skills), unread notices, the runbooks with
    # their owners
    with django_assert_max_num_queries(9):
        response = c.get(reverse("skills:system", args=[system.slug]))
    assert len(response.context["runbooks"]) == runbooks


@pytest.mark.parametrize("executions", [1, 30])
def test_the_executions_of_one_runbook_run_a_fixed_number_of_queries(
    client_for, member, new_hire, runbook, django_assert_max_num_queries, executions
):
    for n in range(executions):
        make_execution(runbook, member, participants=[new_hire], days_ago=n + 1)
    c = client_for(member)
    # session, user, the runbook, the executions' count, the page's dates and ids, its
    # executions (runbook, system, performer, team, logger, decider), their participants with
    # their teams, the unread notices; no pairing session is read
    with django_assert_max_num_queries(8):
        response = c.get(reverse("evidence:list"), {"show": "all", "runbook": runbook.pk})
    assert len(response.context["page"].object_list) == executions
