"""The lead's action loop: the inbox on the home page and in "Waiting for me", leaving a dispute
standing, and the organisation's risk on an admin's home."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.evidence.selectors import waiting_for
from ops_skills.levels.models import CurrentLevel
from ops_skills.onboarding.models import Checklist, ChecklistItem
from ops_skills.people.models import Notice, Person
from ops_skills.planner.models import Assignment
from ops_skills.web import inbox as inbox_module
from ops_skills.web.inbox import inbox
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
def loop(cast, team):
    """What waits for Platform's lead: a staging run between two members (the lead not there), a
    session the lead did not attend, a member's dispute, a dispute the lead made, a production run
    done alone, an overdue assignment and an overdue onboarding item."""
    lead, member, new_hire = cast["lead"], cast["member"], cast["new_hire"]
    system = make_system(team, slug="batch-jobs", tier=1)
    failover = make_skill(system, slug="failover", name="Payment-batch failover")
    restore = make_skill(system, slug="restore", name="Restore from snapshot")
    runbook = make_runbook(system, [failover], title="Fail the batch over")
    make_assessment(member, failover, 4, author=lead)
    staging = make_execution(
        runbook, member, [new_hire], environment="staging", status="pending", logged_by=new_hire, days_ago=2
    )
    session = make_session(member, [new_hire], [restore], status="pending", logged_by=member, days_ago=3)
    disputed = make_session(
        member,
        [new_hire],
        [failover],
        status="disputed",
        logged_by=member,
        decided_by=new_hire,
        dispute_reason="We only read the runbook together.",
        days_ago=4,
    )
    by_lead = make_session(
        member, [new_hire], [restore], status="disputed", logged_by=member, decided_by=lead, dispute_reason="No."
    )
    solo = make_execution(runbook, member, [], environment="production", days_ago=1)
    old_solo = make_execution(runbook, member, [], environment="production", days_ago=60)
    assignment = Assignment.objects.create(
        skill=failover,
        mentor=member,
        learner=new_hire,
        due_on=timezone.localdate() - timedelta(days=3),
        level_at_start=0,
        accepted_by=lead,
    )
    checklist = Checklist.objects.create(
        person=new_hire, team=team, started_on=timezone.localdate() - timedelta(days=20)
    )
    item = ChecklistItem.objects.create(
        checklist=checklist,
        kind="meet",
        title="Meet the payments on-call",
        due_on=timezone.localdate() - timedelta(days=5),
    )
    ChecklistItem.objects.create(
        checklist=checklist, kind="text", title="Done already", due_on=timezone.localdate(), done_at=timezone.now()
    )
    return {
        **cast,
        "system": system,
        "failover": failover,
        "restore": restore,
        "runbook": runbook,
        "staging": staging,
        "session": session,
        "disputed": disputed,
        "by_lead": by_lead,
        "solo": solo,
        "old_solo": old_solo,
        "assignment": assignment,
        "item": item,
    }


# --- what the inbox holds --------------------------------------------------------------------


def test_lead_is_asked_about_the_teams_evidence_disputes_solo_runs_and_overdue_work(loop):
    box = inbox(loop["lead"])
    # The lead took part in none of these: a staging run between two members, a session.
    assert box.to_confirm.lines == [loop["staging"], loop["session"]]
    assert box.to_confirm.count == 2
    # The member's dispute waits for a lead; the one the lead made does not.
    assert box.disputes.lines == [loop["disputed"]]
    assert box.solo_runs.lines == [loop["solo"]]  # the one 60 days ago is not recent
    assert box.overdue_assignments.lines == [loop["assignment"]]
    assert box.overdue_items.lines == [loop["item"]]
    assert box.total == 6


def test_lead_of_another_team_is_asked_about_none_of_it(loop):
    box = inbox(loop["other_lead"])
    assert box.total == 0
    assert box.for_lead


def test_member_is_asked_only_about_what_they_took_part_in_and_did_not_log(loop):
    box = inbox(loop["member"])
    assert box.to_confirm.lines == [loop["staging"]]  # the session they logged waits for others
    assert box.disputes.count == 0
    assert not box.for_lead
    box = inbox(loop["new_hire"])
    assert box.to_confirm.lines == [loop["session"]]  # they logged the staging run


def test_admin_on_no_team_has_no_team_inbox(loop):
    box = inbox(loop["admin"])
    assert box.total == 0
    assert not box.for_lead


def test_every_line_is_one_the_life_cycle_lets_the_lead_decide(loop):
    from ops_skills.evidence import lifecycle

    box = inbox(loop["lead"])
    for evidence in [*box.to_confirm.lines, *box.disputes.lines]:
        assert lifecycle.can_decide(loop["lead"], evidence)


def test_a_disputed_item_whose_disputer_was_deleted_still_waits(loop):
    PairingSession.objects.filter(pk=loop["disputed"].pk).update(decided_by=None)
    assert inbox(loop["lead"]).disputes.lines == [loop["disputed"]]


def test_counts_go_past_the_lines_shown(loop, monkeypatch):
    monkeypatch.setattr(inbox_module, "SHOWN", 1)
    box = inbox(loop["lead"])
    assert len(box.to_confirm.lines) == 1 and box.to_confirm.count == 2


def test_waiting_for_matches_who_may_decide(loop):
    from ops_skills.evidence import lifecycle

    for who in ("lead", "member", "new_hire", "other_lead", "admin"):
        person = loop[who]
        sessions, executions = waiting_for(person)
        waiting = {*sessions, *executions}
        for evidence in [*PairingSession.objects.all(), *RunbookExecution.objects.all()]:
            undecided = evidence.status == "pending" or (
                person.team_id and evidence.decided_by_id and not evidence.decided_by.is_lead
            )
            expected = (
                undecided
                and lifecycle.can_decide(person, evidence)
                and (evidence.status == "pending" or person.is_lead)
                and (not person.is_admin or person.pk in lifecycle.participants(evidence).ids)
            )
            assert (evidence in waiting) == bool(expected), (who, evidence)


# --- the home page ---------------------------------------------------------------------------


def test_anonymous_home_goes_to_login(client, loop):
    response = client.get(reverse("people:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_lead_home_shows_the_inbox_with_counts_and_links(client_for, loop):
    page = client_for(loop["lead"]).get(reverse("people:home")).content.decode()
    assert 'id="inbox"' in page
    assert loop["staging"].get_absolute_url() in page
    assert loop["session"].get_absolute_url() in page
    assert loop["disputed"].get_absolute_url() in page
    assert "We only read the runbook together." in page
    assert "Confirm or leave it" in page
    assert loop["solo"].get_absolute_url() in page
    assert loop["by_lead"].get_absolute_url() not in page
    assert f"{reverse('planner:assignments')}?team=platform" in page
    assert f"{loop['item'].checklist.get_absolute_url()}#item-{loop['item'].pk}" in page
    assert '<span class="value">2</span> to confirm' in page
    assert '<span class="value">1</span> disputed' in page


def test_other_lead_home_has_a_clear_empty_inbox(client_for, loop):
    page = client_for(loop["other_lead"]).get(reverse("people:home")).content.decode()
    assert "Nothing waits for you: no evidence to confirm" in page
    assert loop["staging"].get_absolute_url() not in page


def test_member_home_shows_what_waits_for_them_and_no_team_sections(client_for, loop):
    page = client_for(loop["member"]).get(reverse("people:home")).content.decode()
    assert loop["staging"].get_absolute_url() in page
    assert "Disputed by a member" not in page
    assert "done alone in production" not in page


def test_admin_home_shows_the_organisations_risk_not_an_empty_team(client_for, loop):
    page = client_for(loop["admin"]).get(reverse("people:home")).content.decode()
    assert "Where the organisation hangs on one person" in page
    # Failover hangs on the member, restore on nobody; both with "Fix this" for the admin.
    assert f"{reverse('planner:plan')}?skill={loop['failover'].pk}#fix" in page
    assert f"{reverse('planner:plan')}?skill={loop['restore'].pk}#fix" in page
    assert "truck factor 1" in page  # batch-jobs: restore is uncovered, the member leaving loses failover
    assert "What you could learn next" not in page
    # The planner panel has nothing to say to an admin on no team.
    assert client_for(loop["admin"]).get(reverse("planner:mine"), headers={"HX-Request": "true"}).content == b""


def test_lead_home_has_no_organisation_panel(client_for, loop):
    page = client_for(loop["lead"]).get(reverse("people:home")).content.decode()
    assert "Where the organisation hangs on one person" not in page


def test_fix_this_on_the_home_page_is_for_those_who_plan_the_team(client_for, loop):
    fix = f"{reverse('planner:plan')}?skill={loop['failover'].pk}#fix"
    assert fix in client_for(loop["lead"]).get(reverse("people:home")).content.decode()
    # The member is the single point: the home says so, but planning is the lead's.
    member_page = client_for(loop["member"]).get(reverse("people:home")).content.decode()
    assert "Only you can do these" in member_page and fix not in member_page


def _rich(team, lead, n):
    """``n`` more of each kind of thing in the inbox."""
    system = make_system(team)
    skills = [make_skill(system) for _ in range(3)]
    runbook = make_runbook(system, skills[:1])
    members = [make_person(team) for _ in range(max(3, n))]
    for i in range(n):
        a, b = members[i], members[(i + 1) % len(members)]
        make_execution(runbook, a, [b], environment="staging", status="pending", logged_by=a)
        make_session(a, [b], skills[1:], status="pending", logged_by=a)
        make_session(a, [b], skills[:1], status="disputed", logged_by=a, decided_by=b, dispute_reason="no")
        make_execution(runbook, a, [], environment="production")
        Assignment.objects.create(
            skill=skills[i % 3],
            mentor=a,
            learner=members[(i + 2) % len(members)],
            due_on=timezone.localdate() - timedelta(days=1 + i),
            level_at_start=0,
            accepted_by=lead,
        )
        new = make_person(team)
        checklist = Checklist.objects.create(
            person=new, team=team, started_on=timezone.localdate() - timedelta(days=30)
        )
        ChecklistItem.objects.create(
            checklist=checklist, kind="meet", title="x", due_on=timezone.localdate() - timedelta(days=2)
        )


@pytest.mark.parametrize("n", [1, 12])
def test_inbox_runs_a_fixed_number_of_queries(lead, team, django_assert_max_num_queries, n):
    _rich(team, lead, n)
    box = None
    # keys of sessions and executions (2); sessions shown, their learners, skills (3);
    # executions shown, their participants (2); solo runs, their count (2); overdue
    # assignments, their count (2); overdue onboarding items, their count (2); open git suggestions (1)
    with django_assert_max_num_queries(14):
        box = inbox(lead)
    assert box.to_confirm.count == 2 * n and box.disputes.count == n
    assert box.solo_runs.count == n and box.overdue_assignments.count == n and box.overdue_items.count == n


@pytest.mark.parametrize("n", [1, 12])
def test_lead_home_runs_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, n):
    _rich(team, lead, n)
    c = client_for(lead)
    # the home page's 12 (see tests/people/test_views.py) and the inbox's 14
    with django_assert_max_num_queries(26):
        response = c.get(reverse("people:home"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 12])
def test_admin_home_runs_a_fixed_number_of_queries(
    client_for, admin_user, team, lead, django_assert_max_num_queries, n
):
    _rich(team, lead, n)
    c = client_for(admin_user)
    # session, user, my levels (2), running onboardings, the inbox's evidence keys (2) and
    # records, the organisation's facts (people, systems, skills, covers: 4), unread notices
    with django_assert_max_num_queries(16):
        response = c.get(reverse("people:home"))
    assert b"Where the organisation hangs on one person" in response.content


# --- "Waiting for me" in the evidence list ----------------------------------------------------


WAITING = reverse("evidence:list") + "?show=to-confirm"


def test_anonymous_waiting_for_me_goes_to_login(client, loop):
    assert client.get(WAITING).status_code == 302


@pytest.mark.parametrize(
    "who, shown, hidden",
    [
        ("lead", ["staging", "session", "disputed"], ["by_lead", "solo"]),
        ("member", ["staging"], ["session", "disputed"]),
        ("other_lead", [], ["staging", "session", "disputed"]),
        ("admin", [], ["staging", "session", "disputed"]),
    ],
)
def test_waiting_for_me_lists_what_the_viewer_may_decide(client_for, loop, who, shown, hidden):
    page = client_for(loop[who]).get(WAITING).content.decode()
    for name in shown:
        assert loop[name].get_absolute_url() in page, name
    for name in hidden:
        assert loop[name].get_absolute_url() not in page, name


@pytest.mark.parametrize("n", [1, 12])
def test_waiting_for_me_runs_a_fixed_number_of_queries(client_for, lead, team, django_assert_max_num_queries, n):
    _rich(team, lead, n)
    c = client_for(lead)
    # session, user, ids waiting (2), keys (2), records and their learners, skills,
    # participants (5), unread notices
    with django_assert_max_num_queries(12):
        response = c.get(WAITING)
    assert response.status_code == 200


# --- deciding on a member's dispute -----------------------------------------------------------


def _leave(loop):
    return reverse("evidence:leave-disputed", args=["pairing", loop["disputed"].pk])


def test_anonymous_cannot_leave_a_dispute(client, loop):
    response = client.post(_leave(loop))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["member", "new_hire", "other_lead"])
def test_only_a_lead_of_the_team_or_an_admin_leaves_a_dispute(client_for, loop, who):
    assert client_for(loop[who]).post(_leave(loop)).status_code == 403
    loop["disputed"].refresh_from_db()
    assert loop["disputed"].decided_by == loop["new_hire"]


@pytest.mark.parametrize("who", ["lead", "admin"])
def test_lead_or_admin_leaves_a_dispute_standing_and_it_stops_waiting(client_for, loop, who):
    response = client_for(loop[who]).post(_leave(loop))
    assert response.status_code == 302
    loop["disputed"].refresh_from_db()
    assert loop["disputed"].status == "disputed"
    assert loop["disputed"].decided_by == loop[who]
    assert loop["disputed"].dispute_reason == "We only read the runbook together."
    assert inbox(loop["lead"]).disputes.count == 0
    # Whoever logged it is told.
    assert Notice.objects.filter(person=loop["member"], url=loop["disputed"].get_absolute_url()).exists()


def test_leave_a_dispute_is_post_only(client_for, loop):
    assert client_for(loop["lead"]).get(_leave(loop)).status_code == 405


def test_leaving_pending_evidence_is_refused_with_a_message(client_for, loop):
    url = reverse("evidence:leave-disputed", args=["pairing", loop["session"].pk])
    response = client_for(loop["lead"]).post(url, follow=True)
    assert b"there is no dispute to leave" in response.content
    loop["session"].refresh_from_db()
    assert loop["session"].status == "pending" and loop["session"].decided_by is None


def test_the_evidence_page_offers_the_lead_to_confirm_or_leave_a_dispute(client_for, loop):
    url = loop["disputed"].get_absolute_url()
    page = client_for(loop["lead"]).get(url).content.decode()
    assert _leave(loop) in page and "Leave it disputed" in page
    assert reverse("evidence:confirm", args=["pairing", loop["disputed"].pk]) in page
    for who in ("member", "other_lead"):
        assert _leave(loop) not in client_for(loop[who]).get(url).content.decode()


def test_lead_confirms_a_members_dispute_through_the_flow(client_for, loop):
    """Confirming from the inbox goes through ``flows.evidence_confirm``: the levels move."""
    url = reverse("evidence:confirm", args=["pairing", loop["disputed"].pk])
    assert client_for(loop["lead"]).post(url).status_code == 302
    loop["disputed"].refresh_from_db()
    assert loop["disputed"].status == "confirmed"
    level = CurrentLevel.objects.get(person=loop["new_hire"], skill=loop["failover"])
    assert level.level == 2  # a hands-on learner's floor
    assert inbox(loop["lead"]).disputes.count == 0


def test_a_dispute_by_a_departed_members_lead_role_change_still_counts_as_a_members(loop):
    """Who is a lead is read when the inbox is, not when the dispute was made."""
    Person.objects.filter(pk=loop["new_hire"].pk).update(role=Person.Role.LEAD)
    assert inbox(loop["lead"]).disputes.count == 0


def test_a_members_dispute_tells_the_leads_of_those_who_took_part(loop):
    from ops_skills import flows

    session = make_session(
        loop["member"], [loop["new_hire"]], [loop["failover"]], status="pending", logged_by=loop["member"]
    )
    flows.evidence_dispute(evidence=session, person=loop["new_hire"], reason="Not what we did.")
    told = Notice.objects.filter(url=session.get_absolute_url())
    # Whoever logged it, and the team's lead (once); not the other team's lead.
    assert sorted(told.values_list("person__email", flat=True)) == ["lead@example.com", "member@example.com"]
    assert "will not count until a lead confirms it" in told.get(person=loop["lead"]).text


def test_a_leads_dispute_tells_no_other_lead(loop):
    from ops_skills import flows

    session = make_session(
        loop["member"], [loop["new_hire"]], [loop["failover"]], status="pending", logged_by=loop["member"]
    )
    flows.evidence_dispute(evidence=session, person=loop["lead"], reason="Not what we did.")
    told = Notice.objects.filter(url=session.get_absolute_url())
    assert list(told.values_list("person__email", flat=True)) == ["member@example.com"]
