"""Checklists start from a template with due dates, tick by hand with who and when, finish with
their last item; onboarding planned with an invitation starts on signup."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ops_skills.onboarding import checklists
from ops_skills.onboarding.models import Checklist, Kind
from ops_skills.people.models import Person
from tests.factories import make_person
from tests.onboarding.conftest import item_of

# Starting


def test_starting_copies_the_items_with_due_dates_from_the_start_date(checklist, template, today):
    items = list(checklist.items.order_by("position"))
    assert [i.title for i in items] == [t.title for t in template.items.order_by("position")]
    assert items[0].due_on == today - timedelta(days=10) + timedelta(days=2)
    assert all(i.template_item_id for i in items)
    assert checklist.template_version == template.version
    assert not checklist.is_out_of_date


def test_a_person_gets_one_checklist(checklist, template, new_hire, member, lead, today):
    with pytest.raises(ValidationError, match="already has"):
        checklists.checklist_start(person=new_hire, template=template, buddy=member, started_on=today, by=lead)


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
        checklists.checklist_start(person=person, template=template, buddy=buddy, started_on=today, by=lead)
    assert not Checklist.objects.exists()


# By hand


def test_ticking_by_hand_records_who_and_when_and_untick_clears_it(checklist, member):
    item = item_of(checklist, Kind.ACCESS)
    checklists.item_tick(item=item, by=member)
    item.refresh_from_db()
    assert item.is_done and item.ticked_by == member and item.completed_by == "hand"
    assert timezone.now() - item.done_at < timedelta(minutes=1)
    checklists.item_untick(item=item, by=member)
    item.refresh_from_db()
    assert not item.is_done and item.ticked_by is None and item.completed_by == ""


def test_a_checklist_finishes_with_its_last_item_and_reopens_on_untick(checklist, lead):
    for item in checklist.items.all():
        checklists.item_tick(item=item, by=lead)
    checklist.refresh_from_db()
    assert checklist.is_finished
    checklists.item_untick(item=checklist.items.first(), by=lead)
    checklist.refresh_from_db()
    assert not checklist.is_finished


# Planned with an invitation


def test_a_planned_onboarding_starts_when_the_invitation_is_accepted(client, template, lead, member, team):
    from django.urls import reverse

    from ops_skills.people.models import Invitation

    invitation = Invitation.objects.create(email="noor@example.net", team=team, invited_by=lead)
    checklists.planned_onboarding_save(invitation=invitation, template=template, buddy=member, start_on=None, by=lead)
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
    checklists.planned_onboarding_save(invitation=invitation, template=template, buddy=member, start_on=today, by=lead)
    person = make_person(None, email="noor@example.net")  # no team: the template does not fit
    assert checklists.planned_onboarding_start(invitation=invitation, person=person) is None
    assert not Checklist.objects.filter(person=person).exists()


def test_a_planned_onboarding_uses_a_template_of_the_invitations_team(template, other_lead, other_team, member):
    from ops_skills.people.models import Invitation

    invitation = Invitation.objects.create(email="noor@example.net", team=other_team, invited_by=other_lead)
    with pytest.raises(ValidationError):
        checklists.planned_onboarding_save(
            invitation=invitation, template=template, buddy=member, start_on=None, by=other_lead
        )
