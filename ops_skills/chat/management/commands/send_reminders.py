"""``manage.py send_reminders``: confirmation requests and assignment reminders in Slack (daily)."""

from django.core.management.base import BaseCommand, CommandError

from ops_skills.chat import reminders, slack


class Command(BaseCommand):
    help = "Ask for pending evidence and remind people of assignments due soon, in Slack direct messages."

    def handle(self, *args, **options):
        if not slack.connected():
            raise CommandError("Slack is not connected: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.")
        client = slack.client()
        asked = reminders.ask_everyone(client)
        reminded = reminders.remind_assignments(client)
        self.stdout.write(f"{asked} confirmation requests, {reminded} assignment reminders sent.")
