"""Import runbooks kept as Markdown files in a repository.

Teams that review runbooks as pull requests keep them in git; this brings a folder of them into
the app (creating or updating, a changed text becoming a new revision) so that they can be linked
to skills, read, reviewed and executed here. The file format is in examples/runbooks/README.md.
A runbook whose skills change moves the levels of those who ran it, so each file is saved through
``flows.runbook_save``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops_skills import flows
from ops_skills.evidence import runbook_import


class Command(BaseCommand):
    help = (
        "Create or update runbooks from the .md files in DIR (front matter: system, title, skills, owner, "
        "review_interval_days, last_reviewed). A bad file is reported as path:line:column: message (never "
        "quoting the file) and skipped; the others are imported. Links leading out of DIR and files over "
        "RUNBOOK_IMPORT_MAX_BYTES are refused. Exits non-zero when a file was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="folder of runbook .md files (README.md is skipped)")
        parser.add_argument("--dry-run", action="store_true", help="check every file and say what would change")

    def handle(self, *args, directory, dry_run, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        counts = dict.fromkeys(
            [runbook_import.CREATED, runbook_import.UPDATED, runbook_import.UNCHANGED, runbook_import.SKIPPED], 0
        )
        for result in runbook_import.import_directory(root, dry_run=dry_run, save=flows.runbook_save):
            counts[result.action] += 1
            if result.error is not None:
                error = result.error
                self.stderr.write(f"{result.path}:{error.line}:{error.column}: {error.message}")
                continue
            if options["verbosity"] >= 1 and result.action != runbook_import.UNCHANGED:
                revision = f" (revision {result.revision_number})" if result.revision_number else ""
                self.stdout.write(f"{result.action} {result.path}{revision}")
            if result.missing:
                self.stdout.write(
                    self.style.WARNING(f"{result.path}: warning: no section for {', '.join(result.missing)}")
                )
        summary = ", ".join(f"{action} {n}" for action, n in counts.items())
        self.stdout.write(f"{summary}{' (dry run: nothing was written)' if dry_run else ''}")
        skipped = counts[runbook_import.SKIPPED]
        if skipped:
            raise CommandError(f"{skipped} file{'s' if skipped != 1 else ''} skipped: see the messages above.")
