"""Daily reminders about items due soon or overdue go to the new hire and the buddy, once."""

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command

from ops_skills.onboarding import checklists, reminders
from ops_skills.onboarding.models import Kind, ReminderSent
from ops_skills.onboarding.tasks import send_onboarding_reminders
from tests.onboarding.conftest import item_of


def run(today, django_capture_on_commit_callbacks, within_days=3):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.reminders_send(today=today, within_days=within_days)


def test_new_hire_and_buddy_get_one_email_each_listing_the_items(
    checklist, new_hire, member, today, django_capture_on_commit_callbacks
):
    # Started ten days ago: read (day 2), access (1), meet (3), pair (5) are overdue; nothing is
    # due within three days; staging (20) and laptop (30) are later.
    count = run(today, django_capture_on_commit_callbacks)
    assert count == 8  # 4 overdue items × 2 people
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {new_hire.email, member.email}
    assert "4 overdue" in by_person[new_hire.email].subject
    assert "Pair on point-in-time recovery" in by_person[new_hire.email].body
    assert "On your onboarding checklist" in by_person[new_hire.email].body
    assert f"of {new_hire}" in by_person[member.email].body
    assert "http://127.0.0.1:8000" + checklist.get_absolute_url() in by_person[member.email].body


def test_reminders_are_sent_once(checklist, today, django_capture_on_commit_callbacks):
    run(today, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    assert run(today, django_capture_on_commit_callbacks) == 0
    assert run(today + timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == sent


def test_an_item_due_soon_then_overdue_gets_one_reminder_of_each(
    checklist, new_hire, today, django_capture_on_commit_callbacks
):
    for item in checklist.items.exclude(kind=Kind.EXECUTE_STAGING):
        checklists.item_tick(item=item, by=new_hire)
    staging = item_of(checklist, Kind.EXECUTE_STAGING)  # due in ten days
    assert run(today, django_capture_on_commit_callbacks) == 0
    assert run(staging.due_on - timedelta(days=2), django_capture_on_commit_callbacks) == 2
    assert run(staging.due_on - timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert run(staging.due_on + timedelta(days=1), django_capture_on_commit_callbacks) == 2
    assert sorted(ReminderSent.objects.values_list("kind", flat=True)) == ["due_soon", "due_soon", "overdue", "overdue"]
    assert "1 due soon" in mail.outbox[0].subject


def test_done_items_finished_checklists_and_departed_buddies_get_none(
    checklist, member, lead, today, django_capture_on_commit_callbacks
):
    member.departed_on = today - timedelta(days=1)
    member.save()
    checklists.item_tick(item=item_of(checklist, Kind.ACCESS), by=lead)
    assert run(today, django_capture_on_commit_callbacks) == 3  # the new hire only, three items
    for item in checklist.items.all():
        checklists.item_tick(item=item, by=lead)
    assert run(today + timedelta(days=60), django_capture_on_commit_callbacks) == 0


def test_mail_waits_for_the_commit(checklist, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.reminders_send(today=today)
    assert mail.outbox == []
    assert len(callbacks) == 2


def test_the_command_sends_and_its_dry_run_does_not(checklist, today):
    out = StringIO()
    call_command("send_onboarding_reminders", "--dry-run", stdout=out)
    assert "Would send 8 reminders" in out.getvalue()
    assert not ReminderSent.objects.exists()
    assert mail.outbox == []
    call_command("send_onboarding_reminders", stdout=out)
    assert ReminderSent.objects.count() == 8


def test_the_task_can_be_enqueued(checklist):
    result = send_onboarding_reminders.enqueue()  # the immediate backend in tests
    assert result.return_value == 8
    assert ReminderSent.objects.count() == 8
