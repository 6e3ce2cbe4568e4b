"""Export the skill matrix as the spreadsheet ``import_matrix`` reads.

Each cell is the person's latest lead-assessed level, so the file imports back with no change:
edit it in a spreadsheet, or keep it as a snapshot.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops_skills.levels import matrix_csv
from ops_skills.people.models import Team


class Command(BaseCommand):
    help = (
        "Write the skill matrix as CSV (email,name,team,<system>/<skill>,…): latest lead-assessed levels "
        "of everyone, or of one team's people in its systems' skills."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", metavar="SLUG", help="only this team's people and systems")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, team, output, **options):
        selected = None
        if team:
            selected = Team.objects.filter(slug=team).first()
            if selected is None:
                raise CommandError(f'No team has the slug "{team}".')
        text = matrix_csv.matrix_export(team=selected)
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8", newline="")
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None
        else:
            self.stdout.write(text, ending="")
