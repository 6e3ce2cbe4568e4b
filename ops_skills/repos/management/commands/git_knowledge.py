"""``manage.py git_knowledge REPO [--all] [--json] [--no-read]``: read a registered repository's
new commits (incrementally from the last one read), refresh the suggestions they make, and print
who authors its files and its file-based truck factor. Run it from cron, or enqueue
``repos.tasks.read_repositories``; ``--json`` is the document scripts read."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ops_skills.repos import ingest, selectors, tasks
from ops_skills.repos.gitlog import GitError
from ops_skills.repos.models import Repository


class Command(BaseCommand):
    help = "Read a repository's git history and print its authors and file-based truck factor."

    def add_arguments(self, parser):
        parser.add_argument("repo", nargs="?", help="The repository's slug or name.")
        parser.add_argument("--all", action="store_true", help="Every registered repository.")
        parser.add_argument("--json", action="store_true", help="Print JSON (files, authors, truck factor, systems).")
        parser.add_argument("--no-read", action="store_true", help="Read nothing: print what is stored.")

    def handle(self, *args, **options):
        repos = self._repositories(options["repo"], every=options["all"])
        documents, failed = {}, []
        for repo in repos:
            if not options["no_read"]:
                try:
                    result, open_suggestions = tasks.read_and_suggest(repo)
                except GitError as error:
                    failed.append(f"{repo.slug}: {error}")
                    self.stderr.write(f"{repo.slug}: {error} (what was read before stays)")
                    continue
                if not options["json"]:
                    self._read(repo, result, open_suggestions)
            knowledge = selectors.repository_knowledge(repo)
            if options["json"]:
                documents[repo.slug] = selectors.json(knowledge)
            else:
                self._summary(repo, knowledge)
        if options["json"] and documents:
            self.stdout.write(json.dumps(documents if options["all"] else documents[repos[0].slug], indent=2))
        if failed:
            raise CommandError(f"Could not read {'; '.join(failed)}")

    def _repositories(self, name: str | None, *, every: bool) -> list[Repository]:
        if every == bool(name):
            raise CommandError("Name one repository (its slug or name), or give --all.")
        if every:
            return list(Repository.objects.order_by("name"))
        repo = Repository.objects.filter(Q(slug=name) | Q(name=name)).first()
        if repo is None:
            raise CommandError(f"No repository with slug or name {name!r}.")
        return [repo]

    def _read(self, repo: Repository, result: ingest.ReadResult, open_suggestions: int) -> None:
        how = "history rewritten, read again" if result.rewritten else "full read" if result.full else "new"
        self.stdout.write(
            f"{repo.slug}: {result.commits} commits read ({how}) up to {result.head[:10] or 'nothing'}, "
            f"{open_suggestions} open suggestions"
        )

    def _summary(self, repo: Repository, knowledge: selectors.Knowledge) -> None:
        truck = knowledge.truck_factor
        self.stdout.write(
            f"{repo.slug}: {knowledge.files} files, {len(knowledge.authors)} authors, "
            f"truck factor {truck.value} ({truck.method}): {', '.join(truck.removed) or 'nobody'}"
        )
        for system in knowledge.systems:
            self.stdout.write(
                f"    {system.system.slug}: {system.files} files, truck factor {system.truck_factor.value}: "
                f"{', '.join(system.truck_factor.removed) or 'nobody'}"
            )
