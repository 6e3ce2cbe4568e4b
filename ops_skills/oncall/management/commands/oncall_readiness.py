"""``manage.py oncall_readiness [--team SLUG] [--weeks N] [--json]``: is each upcoming shift's
person on call able to handle what may break? The same rows as the rota page."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops_skills.oncall import selectors
from ops_skills.people.models import Team

MAX_WEEKS = 52


class Command(BaseCommand):
    help = "The readiness of each upcoming on-call shift: ready, ready with backup, or at risk."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Only this team's schedules (its slug).")
        parser.add_argument("--weeks", type=int, default=settings.ONCALL_WEEKS, help="How many weeks ahead.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        weeks = options["weeks"]
        if not 1 <= weeks <= MAX_WEEKS:
            raise CommandError(f"--weeks must be from 1 to {MAX_WEEKS}.")
        teams = None
        if options["team"]:
            teams = list(Team.objects.filter(slug=options["team"]))
            if not teams:
                raise CommandError(f"No team with slug {options['team']!r}.")
        rows = selectors.upcoming(teams=teams, weeks=weeks)
        if options["json"]:
            self.stdout.write(json.dumps({"shifts": [row.as_json() for row in rows]}, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row.start:%Y-%m-%d %H:%M} {row.schedule}: {row.email or 'nobody'} — {row.label}")
            for gap in row.gaps:
                backups = ", ".join(b.email for b in gap.backups) or "nobody available"
                self.stdout.write(f"    {gap.system}/{gap.skill} ({gap.why}): {backups}")
