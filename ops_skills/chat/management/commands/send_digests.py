"""``manage.py send_digests [--team SLUG] [--dry-run]``: this week's digest of each team with chat
settings, to its Slack channel and/or webhook, once a week each (run it daily or weekly)."""

from django.core.management.base import BaseCommand, CommandError

from ops_skills.chat import digest, slack
from ops_skills.chat.models import TeamChat


class Command(BaseCommand):
    help = "Send each team's weekly digest where it has not gone yet this week."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Only this team (its slug).")
        parser.add_argument("--dry-run", action="store_true", help="Print the digest as text; send nothing.")

    def handle(self, *args, **options):
        chats = TeamChat.objects.select_related("team").order_by("team__name")
        if options["team"]:
            chats = chats.filter(team__slug=options["team"])
            if not chats.exists():
                raise CommandError(f"No chat settings for a team with slug {options['team']!r}.")
        if options["dry_run"]:
            for chat in chats:
                self.stdout.write(digest.text(digest.build(chat.team)) + "\n")
            return
        client = slack.client() if slack.connected() else None
        for chat in chats:
            sent = digest.send(chat.team, client=client)
            self.stdout.write(f"{chat.team.slug}: {', '.join(sent) if sent else 'nothing to send'}")
