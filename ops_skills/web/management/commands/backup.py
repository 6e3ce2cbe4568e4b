"""Back up the database to a file, with the database's own tools (see ``web/backups.py``).

Safe while the app runs: SQLite copies a consistent snapshot through its online backup API,
PostgreSQL through ``pg_dump``. Schedule it with cron (README, "Backups").
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from ops_skills.web import backups


class Command(BaseCommand):
    help = (
        "Write a backup of the database to PATH: a SQLite database file, or a pg_dump custom-format "
        "archive on PostgreSQL (pg_dump must be on PATH). Restore it with `manage.py restore PATH`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="file to write (replaced if it exists)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, path, database, **options):
        path = Path(path)
        engine = backups.backup(path, alias=database)
        size = path.stat().st_size
        self.stdout.write(f"Wrote a {backups.ENGINE_NAMES[engine]} backup to {path} ({size:,} bytes).")
