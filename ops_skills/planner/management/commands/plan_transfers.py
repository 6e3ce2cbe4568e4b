"""Print the optimal transfer plan (DESIGN.md) without saving anything: for scripts, reviews and
checking the planner against a spreadsheet. Accepting a plan is done by a lead in the web UI."""

import json

from django.core.management.base import BaseCommand, CommandError

from ops_skills.people.http import parse_week
from ops_skills.people.models import Team
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors


class Command(BaseCommand):
    help = "Print the optimal skill-transfer plan (who should teach whom which skill). Saves nothing."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON (the schema of DESIGN.md).")
        parser.add_argument("--team", metavar="SLUG", help="Only the skills of this team's systems.")
        parser.add_argument("--mentor-capacity", type=int, help="Open assignments per mentor (default: settings).")
        parser.add_argument("--learner-capacity", type=int, help="Open assignments per learner (default: settings).")
        parser.add_argument(
            "--week", metavar="YYYY-Www", help="The week planned for: who is away then is left out (default: this one)."
        )

    def handle(self, *args, **options):
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                raise CommandError(f"No team with slug {options['team']!r}.")
        defaults = selectors.default_settings()
        plan_settings = planning.Settings(
            mentor_capacity=defaults.mentor_capacity
            if options["mentor_capacity"] is None
            else options["mentor_capacity"],
            learner_capacity=defaults.learner_capacity
            if options["learner_capacity"] is None
            else options["learner_capacity"],
            targets=defaults.targets,
        )
        for name in ("mentor_capacity", "learner_capacity"):
            if getattr(plan_settings, name) < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        week = None
        if options["week"]:
            try:
                week = parse_week(options["week"])
            except ValueError as error:
                raise CommandError(str(error)) from None
        data = selectors.plan_data(team=team, week=week)
        result = planning.plan_transfers(data.input, plan_settings)
        skills = {s.id: s for s in data.input.skills}
        people = data.facts.people
        if options["json"]:
            payload = {
                "assignments": [
                    {
                        "system": skills[a.skill_id].system_slug,
                        "skill": skills[a.skill_id].slug,
                        "mentor": people[a.mentor_id].email,
                        "learner": people[a.learner_id].email,
                    }
                    for a in result.assignments
                ],
                "deficit_before": result.deficit_before,
                "deficit_after": result.deficit_after,
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(
            f"Deficit {result.deficit_before} → {result.deficit_after} "
            f"(weighted {result.weighted_before} → {result.weighted_after}); "
            f"{result.already_open} already taken by open assignments."
        )
        for a in result.assignments:
            skill = skills[a.skill_id]
            self.stdout.write(
                f"{skill.system_slug}/{skill.slug}: {people[a.mentor_id].email} → {people[a.learner_id].email}\n"
                f"    mentor: {', '.join(a.mentor_reasons)}\n    learner: {', '.join(a.learner_reasons)}"
            )
        if not result.assignments:
            self.stdout.write("Nothing to propose.")
        for pk, why in sorted(data.left_out.items(), key=lambda item: people[item[0]].email):
            self.stdout.write(f"Left out: {people[pk].email} — {'; '.join(why.reasons)}: {why.roles}")
