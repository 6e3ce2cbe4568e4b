"""Restore a backup written by ``manage.py backup`` (see ``web/backups.py``).

Meant for an empty database (a new SQLite file, or a new PostgreSQL database): it refuses one that
has tables unless ``--force``, and a backup of the other engine always.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from ops_skills.web import backups


class Command(BaseCommand):
    help = (
        "Restore the backup at PATH into the configured database. Refuses a database that already has "
        "tables unless --force (its contents are then replaced), and a backup of another database engine."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="a file written by `manage.py backup`")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--force", action="store_true", help="replace what a non-empty database holds")
        parser.add_argument("--dry-run", action="store_true", help="check the file and the database, change nothing")

    def handle(self, *args, path, database, force, dry_run, **options):
        path = Path(path)
        if dry_run:
            engine = backups.check_backup_file(path, alias=database)
            tables = backups.existing_tables(database)
            state = (
                f"has {len(tables)} tables{' (--force would replace them)' if force else ''}" if tables else "is empty"
            )
            self.stdout.write(
                f"{path} is a {backups.ENGINE_NAMES[engine]} backup; the database {state}. Nothing was changed."
            )
            return
        backups.restore(path, alias=database, force=force)
        self.stdout.write(self.style.SUCCESS(f"Restored {path}."))
