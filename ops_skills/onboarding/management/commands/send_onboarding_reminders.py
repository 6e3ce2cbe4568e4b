"""Daily onboarding reminders, for cron: ``manage.py send_onboarding_reminders``.

The same work as the ``ops_skills.onboarding.tasks.send_onboarding_reminders`` task, for
deployments that schedule with cron rather than a task queue. Running it twice a day is harmless:
every reminder sent is recorded and never sent again.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ops_skills.onboarding import reminders, rules
from ops_skills.onboarding.models import MAX_DUE_DAYS


class Command(BaseCommand):
    help = "Email new hires and their buddies about onboarding items due soon or overdue (once each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=rules.DUE_SOON_DAYS,
            help=f"Remind about items due within this many days (default {rules.DUE_SOON_DAYS}).",
        )
        parser.add_argument("--today", help="Date to run as, YYYY-MM-DD (default: today).")
        parser.add_argument("--dry-run", action="store_true", help="Count the reminders, send and record nothing.")

    def handle(self, *args, days, today=None, dry_run=False, **options):
        if not 0 <= days <= MAX_DUE_DAYS:  # today + billions of days overflowed the calendar
            raise CommandError(f"--days must be from 0 to {MAX_DUE_DAYS}.")
        try:
            on = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        with transaction.atomic():
            count = reminders.reminders_send(today=on, within_days=days)
            if dry_run:
                # Rolled back: nothing recorded, and the emails waiting for the commit never go.
                transaction.set_rollback(True)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"{verb} {count} reminder{'s' if count != 1 else ''}.")
