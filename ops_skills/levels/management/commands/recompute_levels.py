from django.core.management.base import BaseCommand, CommandError

from ops_skills.levels import store


class Command(BaseCommand):
    help = (
        "Recompute every stored current level from the assessments and confirmed evidence, and "
        "correct the rows that differ. The daily snapshot runs it too; with --check, only report."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; list the levels that differ and exit with status 1 when any do.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            found = store.differences()
            for (person_id, skill_id), (stored, wanted) in sorted(found.items()):
                self.stdout.write(
                    f"person {person_id}, skill {skill_id}: stored {_show(stored)}, should be {_show(wanted)}"
                )
            if found:
                raise CommandError(f"{len(found)} stored levels differ from the recomputed ones.")
            self.stdout.write("Every stored level matches.")
            return
        changes = store.recompute_all()
        self.stdout.write(
            f"Levels recomputed: {changes.added} added, {changes.changed} changed, {changes.removed} removed."
        )


def _show(value) -> str:
    if value is None:
        return "nothing (level 0)"
    level, _basis, reason, practised_at, fresh_until = value
    if practised_at is None:
        return f"level {level} ({reason})"
    return f"level {level} ({reason}), practised {practised_at:%Y-%m-%d %H:%M}, fresh until {fresh_until}"
