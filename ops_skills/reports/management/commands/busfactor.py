"""Prints the bus-factor report for scripts and the shell: DESIGN.md's JSON with ``--json``, a
table otherwise. The same report (``reports.summary``) as the pages and ``GET /api/busfactor/``."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ops_skills.people.models import Person, Team
from ops_skills.reports import selectors, services
from ops_skills.reports.summary import summarise, summary_json


class Command(BaseCommand):
    help = "Print the bus-factor report (DESIGN.md schema with --json), optionally as if people had left."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON (the schema of DESIGN.md).")
        parser.add_argument(
            "--what-if", action="append", default=[], metavar="EMAIL", help="As if this person left (repeatable)."
        )
        parser.add_argument("--team", help="Only this team's systems (slug).")
        parser.add_argument("--on", default="", help="As of this date (YYYY-MM-DD): people absent then count as gone.")
        parser.add_argument(
            "--week", default="", help="As of this ISO week (YYYY-Www): people absent any day of it count as gone."
        )

    def handle(self, *args, **options):
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                raise CommandError(f"No team with slug {options['team']!r}.")
        try:
            span = services.validate_span(options["on"], options["week"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        emails = options["what_if"]
        found = dict(Person.objects.filter(email__in=emails).values_list("email", "pk"))
        missing = [e for e in emails if e not in found]
        if missing:
            raise CommandError(f"Unknown email(s): {', '.join(missing)}")
        facts, _ = selectors.report_facts(team=team, span=span, levels=False)
        summary = summarise(facts, without=found.values())
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(summary), indent=2))
            return
        self._table(summary)

    def _table(self, summary):
        w = self.stdout.write
        if summary.removed:
            w(f"As if {', '.join(p.email for p in summary.removed)} left.")
        w(
            f"{len(summary.systems)} systems, {summary.skills} skills, {summary.uncovered} uncovered, "
            f"{summary.single_points} single points, {summary.systems_at_risk} with truck factor <= 1"
        )
        w(
            f"{'system':<32} {'tier':>4} {'risk':>4} {'TF':>3} {'fresh':>5} {'method':<7} {'skills':>6} "
            f"{'uncov':>5} {'single':>6}  key people"
        )
        for row in summary.systems:
            tf = "-" if row.truck.value is None else row.truck.value
            fresh = "-" if row.fresh_truck.value is None else row.fresh_truck.value
            w(
                f"{row.system.slug[:32]:<32} {row.system.tier:>4} {row.risk:>4} {tf!s:>3} {fresh!s:>5} "
                f"{row.truck.method:<7} {len(row.skills):>6} {row.uncovered:>5} {row.single_points:>6}  "
                f"{', '.join(p.email for p in row.key_people)}"
            )
