"""Onboarding reminders go out from a command or a task, outside any request: their links are on
``SITE_URL`` (``people.links.absolute_url``; the other emails: tests/people/test_email_links.py)."""

import re
from io import StringIO

from django.core import mail
from django.core.management import call_command


def test_reminders_from_the_command_link_to_site_url(settings, checklist, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://ops.example.org:8443/"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_onboarding_reminders", stdout=StringIO())
    assert len(mail.outbox) == 2  # the new hire and the buddy
    for message in mail.outbox:
        assert re.findall(r"https?://\S+", message.body) == [
            "https://ops.example.org:8443" + checklist.get_absolute_url()
        ]
