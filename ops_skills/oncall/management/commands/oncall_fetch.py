"""``manage.py oncall_fetch [--team SLUG] [--dry-run]``: read every on-call schedule's feed (or
PagerDuty) and keep its shifts; run it hourly, or enqueue ``oncall.tasks.fetch_schedules``.
A feed that fails keeps its last good copy and says why on the rota page."""

from django.core.management.base import BaseCommand, CommandError

from ops_skills.oncall import services
from ops_skills.oncall.models import Schedule
from ops_skills.people.models import Team


class Command(BaseCommand):
    help = "Fetch the on-call schedules' feeds and store their shifts."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Only this team's schedules (its slug).")
        parser.add_argument("--dry-run", action="store_true", help="List the schedules; fetch nothing.")

    def handle(self, *args, **options):
        schedules = Schedule.objects.select_related("team").order_by("team__name", "name")
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                raise CommandError(f"No team with slug {options['team']!r}.")
            schedules = schedules.filter(team=team)
        if options["dry_run"]:
            for schedule in schedules:
                self.stdout.write(f"{schedule.team.slug}/{schedule.name}: {schedule.get_kind_display()}")
            return
        failed = 0
        for fetched in services.schedules_fetch(schedules=schedules):
            where = f"{fetched.schedule.team.slug}/{fetched.schedule.name}"
            if fetched.error:
                failed += 1
                self.stderr.write(f"{where}: {fetched.error} (the last good copy stays)")
                continue
            unmatched = f"; nobody here is {', '.join(fetched.unmatched)}" if fetched.unmatched else ""
            self.stdout.write(f"{where}: {fetched.shifts} shifts{unmatched}")
        if failed:
            raise CommandError(f"{failed} schedule(s) could not be fetched.")
