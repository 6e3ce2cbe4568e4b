"""Items tick from the evidence they name, by hand with who and when; template changes reach
running checklists only when applied; onboarding planned with an invitation starts on signup."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ops_skills.evidence import services as evidence_services
from ops_skills.evidence.models import RunbookRead
from ops_skills.onboarding import services
from ops_skills.onboarding.models import Checklist, ChecklistItem, Kind, TemplateItem
from ops_skills.people.models import Person
from tests.factories import make_execution, make_person, make_runbook, make_session, make_skill
from tests.onboarding.conftest import item_of

# Copying a template


def test_starting_copies_the_items_with_due_dates_from_the_start_date(checklist, template, today):
    items = list(checklist.items.order_by("position"))
    assert [i.title for i in items] == [t.title for t in template.items.order_by("position")]
    assert items[0].due_on == today - timedelta(days=10) + timedelta(days=2)
    assert all(i.template_item_id for i in items)
    assert checklist.template_version == template.version
    assert not checklist.is_out_of_date


def test_a_person_gets_one_checklist(checklist, template, new_hire, member, lead, today):
    with pytest.raises(ValidationError, match="already has"):
        services.checklist_start(person=new_hire, template=template, buddy=member, started_on=today, by=lead)


@pytest.mark.parametrize("problem", ["other team", "self buddy", "departed buddy", "departed"])
def test_starting_refuses_what_does_not_fit(template, new_hire, member, other_team, lead, today, problem):
    person, buddy = new_hire, member
    if problem == "other team":
        person = make_person(other_team)
    elif problem == "self buddy":
        buddy = new_hire
    elif problem == "departed buddy":
        buddy = make_person(template.team, departed_on=today - timedelta(days=1))
    else:
        person = make_person(template.team, departed_on=today - timedelta(days=1))
    with pytest.raises(ValidationError):
        services.checklist_start(person=person, template=template, buddy=buddy, started_on=today, by=lead)
    assert not Checklist.objects.exists()


# Ticking by evidence


def test_marking_the_runbook_read_ticks_the_read_item(checklist, runbook, new_hire):
    read = evidence_services.runbook_mark_read(runbook=runbook, person=new_hire)
    item = item_of(checklist, Kind.READ_RUNBOOK)
    assert item.is_done and item.completed_by == "read" and item.read == read
    assert item.ticked_by is None


def test_someone_else_reading_ticks_nothing(checklist, runbook, member):
    evidence_services.runbook_mark_read(runbook=runbook, person=member)
    assert not item_of(checklist, Kind.READ_RUNBOOK).is_done


def test_a_confirmed_pairing_session_as_learner_ticks_the_pair_item(checklist, skill, new_hire, member):
    session = evidence_services.pairing_session_log(
        author=new_hire, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=60
    )
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done  # pending
    evidence_services.evidence_confirm(evidence=session, person=member)
    item = item_of(checklist, Kind.PAIR_SKILL)
    assert item.is_done and item.completed_by == "pairing" and item.session == session
    assert item.done_at == session.occurred_at


def test_a_disputed_session_ticks_nothing(checklist, skill, new_hire, member):
    session = evidence_services.pairing_session_log(
        author=new_hire, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=60
    )
    evidence_services.evidence_dispute(evidence=session, person=member, reason="Never happened")
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


def test_mentoring_or_another_skill_ticks_nothing(checklist, skill, system, new_hire, member, lead):
    as_mentor = evidence_services.pairing_session_log(
        author=member, mentor=new_hire, learners=[member], skills=[skill], duration_minutes=30
    )
    evidence_services.evidence_confirm(evidence=as_mentor, person=new_hire)
    other = evidence_services.pairing_session_log(
        author=new_hire, mentor=member, learners=[new_hire], skills=[make_skill(system)], duration_minutes=30
    )
    evidence_services.evidence_confirm(evidence=other, person=member)
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


def test_a_confirmed_successful_staging_run_ticks_the_execute_item(checklist, runbook, new_hire, member):
    execution = evidence_services.execution_log(
        author=new_hire, runbook=runbook, performer=new_hire, participants=[member], environment="staging",
        outcome="success",
    )  # fmt: skip
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done  # pending
    evidence_services.evidence_confirm(evidence=execution, person=member)
    item = item_of(checklist, Kind.EXECUTE_STAGING)
    assert item.is_done and item.completed_by == "execution" and item.execution == execution


@pytest.mark.parametrize(
    "environment, outcome, performer",
    [("production", "success", "new_hire"), ("staging", "failed", "new_hire"), ("staging", "success", "member")],
)
def test_production_failed_or_someone_elses_runs_tick_nothing(
    checklist, runbook, new_hire, member, lead, environment, outcome, performer
):
    performer = {"new_hire": new_hire, "member": member}[performer]
    other = member if performer == new_hire else new_hire
    execution = evidence_services.execution_log(
        author=performer, runbook=runbook, performer=performer, participants=[other], environment=environment,
        outcome=outcome,
    )  # fmt: skip
    evidence_services.evidence_confirm(evidence=execution, person=lead)
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done


def test_evidence_since_the_start_date_counts_when_the_checklist_starts(
    template, new_hire, member, lead, skill, runbook, today
):
    started = today - timedelta(days=10)
    make_session(member, [new_hire], [skill], days_ago=5)  # confirmed, after the start
    make_execution(runbook, new_hire, [member], environment="staging", status="pending", days_ago=4)
    make_execution(runbook, new_hire, [member], environment="staging", days_ago=20)  # before the start
    RunbookRead.objects.create(runbook=runbook, person=new_hire, revision_number=1, read_at=timezone.now())
    checklist = services.checklist_start(person=new_hire, template=template, buddy=member, started_on=started, by=lead)
    assert item_of(checklist, Kind.PAIR_SKILL).completed_by == "pairing"
    assert item_of(checklist, Kind.READ_RUNBOOK).completed_by == "read"
    assert not item_of(checklist, Kind.EXECUTE_STAGING).is_done  # pending, and the other is too old


def test_evidence_before_the_start_date_does_not_count(checklist, skill, new_hire, member):
    session = make_session(member, [new_hire], [skill], status="pending", days_ago=30)
    evidence_services.evidence_confirm(evidence=session, person=new_hire)
    assert not item_of(checklist, Kind.PAIR_SKILL).is_done


# By hand


def test_ticking_by_hand_records_who_and_when_and_untick_clears_it(checklist, member):
    item = item_of(checklist, Kind.ACCESS)
    services.item_tick(item=item, by=member)
    item.refresh_from_db()
    assert item.is_done and item.ticked_by == member and item.completed_by == "hand"
    assert timezone.now() - item.done_at < timedelta(minutes=1)
    services.item_untick(item=item, by=member)
    item.refresh_from_db()
    assert not item.is_done and item.ticked_by is None and item.completed_by == ""


def test_a_checklist_finishes_with_its_last_item_and_reopens_on_untick(checklist, lead):
    for item in checklist.items.all():
        services.item_tick(item=item, by=lead)
    checklist.refresh_from_db()
    assert checklist.is_finished
    services.item_untick(item=checklist.items.first(), by=lead)
    checklist.refresh_from_db()
    assert not checklist.is_finished


# Template changes


def test_template_edits_do_not_touch_running_checklists_until_applied(checklist, template, lead, skill):
    meet = template.items.get(kind=Kind.MEET)
    meet.title = "Meet the lead and the team"
    services.template_item_save(item=meet, by=lead)
    services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.TEXT, title="Read the on-call handbook", due_days=12), by=lead
    )
    services.template_item_delete(item=template.items.get(kind=Kind.TEXT, title="Set up your laptop"), by=lead)
    checklist.refresh_from_db()

    assert checklist.is_out_of_date
    assert set(checklist.items.values_list("title", flat=True)) == {
        "Read the restore runbook",
        "Pair on point-in-time recovery",
        "Restore staging",
        "Get access to AWS",
        "Meet the lead",
        "Set up your laptop",
    }


def test_applying_adds_updates_removes_unticked_and_keeps_ticks(checklist, template, lead, today):
    services.item_tick(item=item_of(checklist, Kind.MEET), by=lead)
    services.item_tick(item=checklist.items.get(title="Set up your laptop"), by=lead)
    meet = template.items.get(kind=Kind.MEET)
    meet.title, meet.due_days = "Meet the lead and the team", 4
    services.template_item_save(item=meet, by=lead)
    services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.TEXT, title="Read the on-call handbook", due_days=12), by=lead
    )
    services.template_item_delete(item=template.items.get(title="Set up your laptop"), by=lead)
    services.template_item_delete(item=template.items.get(kind=Kind.ACCESS), by=lead)

    assert services.template_apply(template=template, by=lead) == 1
    checklist.refresh_from_db()
    assert not checklist.is_out_of_date
    items = {i.title: i for i in checklist.items.all()}
    assert items["Meet the lead and the team"].is_done  # updated, still ticked
    assert items["Meet the lead and the team"].due_on == checklist.started_on + timedelta(days=4)
    assert "Read the on-call handbook" in items  # added
    assert items["Set up your laptop"].is_done  # gone from the template, but ticked: kept
    assert "Get access to AWS" not in items  # gone and unticked: removed


def test_applying_ticks_new_items_from_existing_evidence(checklist, template, lead, new_hire, system):
    other = make_runbook(system, title="Fail over")
    RunbookRead.objects.create(runbook=other, person=new_hire, revision_number=1)
    services.template_item_save(
        item=TemplateItem(template=template, kind=Kind.READ_RUNBOOK, title="Read fail over", runbook=other, due_days=3),
        by=lead,
    )
    services.checklist_apply_template(checklist=checklist, by=lead)
    assert checklist.items.get(title="Read fail over").completed_by == "read"


def test_an_evidence_item_needs_its_runbook_or_skill(template, lead):
    with pytest.raises(ValidationError):
        services.template_item_save(item=TemplateItem(template=template, kind=Kind.PAIR_SKILL, title="x"), by=lead)


def test_copying_a_template_copies_its_items_not_its_checklists(checklist, template, lead, team):
    copy = services.template_copy(template=template, team=team, name="SRE onboarding (nights)", by=lead)
    assert [i.title for i in copy.items.all()] == [i.title for i in template.items.all()]
    assert not copy.checklists.exists()
    with pytest.raises(ValidationError):
        services.template_copy(template=template, team=team, name="SRE onboarding", by=lead)


# Planned with an invitation


def test_a_planned_onboarding_starts_when_the_invitation_is_accepted(client, template, lead, member, team):
    from django.urls import reverse

    from ops_skills.people.models import Invitation

    invitation = Invitation.objects.create(email="noor@example.net", team=team, invited_by=lead)
    services.planned_onboarding_save(invitation=invitation, template=template, buddy=member, start_on=None, by=lead)
    client.get(reverse("people:accept-invitation", args=[invitation.key]))
    password = "correct-Horse-battery-9"
    client.post(
        reverse("account_signup"),
        {"email": "noor@example.net", "name": "Noor", "password1": password, "password2": password},
    )
    person = Person.objects.get(email="noor@example.net")
    checklist = person.onboarding
    assert (checklist.template, checklist.buddy, checklist.started_on) == (template, member, timezone.localdate())
    assert checklist.items.count() == template.items.count()
    invitation.refresh_from_db()
    assert invitation.planned_onboarding.checklist == checklist


def test_a_planned_onboarding_that_no_longer_fits_does_not_break_signup(template, lead, member, team, today):
    from ops_skills.people.models import Invitation

    invitation = Invitation.objects.create(email="noor@example.net", team=team, invited_by=lead)
    services.planned_onboarding_save(invitation=invitation, template=template, buddy=member, start_on=today, by=lead)
    person = make_person(None, email="noor@example.net")  # no team: the template does not fit
    assert services.planned_onboarding_start(invitation=invitation, person=person) is None
    assert not Checklist.objects.filter(person=person).exists()


def test_a_planned_onboarding_uses_a_template_of_the_invitations_team(template, other_lead, other_team, member):
    from ops_skills.people.models import Invitation

    invitation = Invitation.objects.create(email="noor@example.net", team=other_team, invited_by=other_lead)
    with pytest.raises(ValidationError):
        services.planned_onboarding_save(
            invitation=invitation, template=template, buddy=member, start_on=None, by=other_lead
        )


def test_items_keep_their_evidence_links(checklist, skill, new_hire, member):
    session = make_session(member, [new_hire], [skill], status="pending", days_ago=1)
    evidence_services.evidence_confirm(evidence=session, person=new_hire)
    assert ChecklistItem.objects.get(session=session).kind == Kind.PAIR_SKILL
