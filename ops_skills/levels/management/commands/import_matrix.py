"""Import a skill-matrix spreadsheet from the shell.

Most teams start from a spreadsheet: this loads it with the same checks, preview and
all-or-nothing write as the web import, for a first bulk load or a script.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.db.models import Q

from ops_skills.levels import matrix_csv
from ops_skills.people import permissions
from ops_skills.people.models import Person


class Command(BaseCommand):
    help = (
        "Import a skill matrix CSV (email,name,team,<system>/<skill>,…) as lead assessments by --as. "
        "All or nothing: any error is printed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, or - for standard input")
        parser.add_argument(
            "--as",
            dest="author",
            metavar="EMAIL",
            help="who imports: a lead (own team only) or an admin; default: the first admin",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")

    def handle(self, *args, file, author, dry_run, **options):
        person = self._author(author)
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
        try:
            text = matrix_csv.decode(data)
        except matrix_csv.UnreadableFile as exc:
            raise CommandError(f"{file}: {exc}") from None

        try:
            result = matrix_csv.matrix_import(
                author=person, text=text, filename="standard input" if file == "-" else file, dry_run=dry_run
            )
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise CommandError(f"The database is busy ({exc}); nothing was written, try again in a moment.") from None
        plan = result.plan
        self.stdout.write(f"rows: {plan.rows}")
        if plan.teams_to_create or plan.systems_to_create:  # an admin's first import
            self.stdout.write(f"teams to create: {len(plan.teams_to_create)}")
            self.stdout.write(f"systems to create: {len(plan.systems_to_create)}")
        self.stdout.write(f"people to create: {len(plan.people_to_create)}")
        self.stdout.write(f"people to update: {len(plan.people_to_update)}")
        self.stdout.write(f"skills to create: {len(plan.skills_to_create)}")
        self.stdout.write(f"level changes: {len(plan.changes)}")
        self.stdout.write(f"levels unchanged: {plan.unchanged}")
        if options["verbosity"] >= 2:
            for team in plan.teams_to_create:
                self.stdout.write(f"  line {team.line}: new team {team.slug} ({team.name})")
            for system in plan.systems_to_create:
                self.stdout.write(
                    f"  column {system.column}: new system {system.slug}, team {system.team} ({system.why})"
                )
            for change in plan.changes:
                old = "—" if change.old is None else change.old
                self.stdout.write(f"  line {change.line}: {change.email} {change.column}: {old} → {change.new}")
        if not result.ok:
            for error in plan.errors.items:
                self.stderr.write(f"{file}: {error}")
            if plan.errors.omitted:
                self.stderr.write(f"{file}: … and {plan.errors.omitted} more")
            count = len(plan.errors)
            raise CommandError(f"{count} error{'s' if count != 1 else ''} in {file}; nothing was written.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file} as {person.email}: {plan.summary()}."))

    def _author(self, email):
        if email:
            person = Person.objects.filter(email=email.lower()).first()
            if person is None:
                raise CommandError(f"Nobody has the email {email}.")
        else:
            person = Person.objects.filter(Q(role=Person.Role.ADMIN) | Q(is_superuser=True)).order_by("pk").first()
            if person is None:
                raise CommandError("There is no admin to import as; pass --as EMAIL.")
        if not permissions.can_import(person):
            raise CommandError(f"{person.email} is neither a lead nor an admin, so cannot import the matrix.")
        return person
