from django.core.management.base import BaseCommand, CommandError

from ops_skills.reports import services
from ops_skills.reports.tasks import recompute_levels_checked


class Command(BaseCommand):
    help = (
        "Recompute the stored levels, then take today's bus-factor snapshot (organisation and each "
        "team). Idempotent: run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Take it for this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args, date=None, **options):
        from datetime import date as Date

        day = None
        if date:
            try:
                day = Date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD).") from None
        changes = recompute_levels_checked()
        if changes.total:
            self.stderr.write(
                f"Corrected {changes.total} stored levels that were out of date "
                f"({changes.added} added, {changes.changed} changed, {changes.removed} removed)."
            )
        taken = services.snapshot_take(today=day)
        self.stdout.write(f"{len(taken)} snapshots for {taken[0].taken_on}.")
