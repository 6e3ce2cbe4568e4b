"""``manage.py slack_socket``: Socket Mode, for a server Slack cannot reach (behind a firewall).

It opens a WebSocket to Slack with the app-level token (``SLACK_APP_TOKEN``, scope
``connections:write``) and serves the same slash command, buttons and App Home as
``/slack/events/``; no public URL is needed. Run it as a service next to the web server."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops_skills.chat import slack


class Command(BaseCommand):
    help = "Connect to Slack in Socket Mode and serve the slash command, buttons and App Home."

    def handle(self, *args, **options):
        if not settings.SLACK_APP_TOKEN.startswith("xapp-"):
            raise CommandError("Set SLACK_APP_TOKEN to the app-level token (xapp-…) for Socket Mode.")
        if not slack.connected():
            raise CommandError("Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET as well.")
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(slack.build(socket_mode=True), settings.SLACK_APP_TOKEN)
        self.stdout.write("Connected to Slack in Socket Mode; Ctrl-C stops.")
        handler.start()
