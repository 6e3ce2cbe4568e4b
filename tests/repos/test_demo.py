"""The demo's git repository: built with real git, read, mapped to the demo's systems, with a
truck factor to show and suggestions waiting for Priya; rebuilt the same by a second run."""

import subprocess
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from ops_skills.people import permissions
from ops_skills.people.models import Person, Team
from ops_skills.repos import demo as repos_demo
from ops_skills.repos.models import AuthorAlias, Commit, FileChange, PathMapping, RepoFile, Repository, Suggestion
from ops_skills.repos.selectors import repository_knowledge
from ops_skills.web.management.commands.seed_demo import seed


def git(path, *args) -> str:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True).stdout.strip()


def test_the_demo_repository_is_read_with_its_history_and_suggests_to_the_platform_lead(db, tmp_path, client):
    today = date.today()
    counts = seed(today=today, repos_dir=tmp_path)

    repo = Repository.objects.get(slug="infrastructure")
    path = tmp_path / "infrastructure"
    assert repo.team.slug == "platform" and repo.path == str(path) and not repo.last_error
    assert repo.last_commit == git(path, "rev-parse", "HEAD")
    assert counts["git repositories"] == 1 and counts["commits"] == Commit.objects.filter(repository=repo).count()

    # As git sees it: 150-300 commits besides the one merge, ~60 files, three years.
    assert 150 <= int(git(path, "rev-list", "--count", "--no-merges", "HEAD")) == counts["commits"] <= 300
    assert git(path, "rev-list", "--count", "--merges", "HEAD") == "1"
    live = set(git(path, "ls-files").splitlines())
    assert set(RepoFile.objects.filter(repository=repo, deleted=False).values_list("path", flat=True)) == live
    assert 50 <= len(live) <= 80
    dates = [c.date() for c in Commit.objects.filter(repository=repo).values_list("authored_at", flat=True)]
    assert min(dates) <= today - timedelta(days=1000) and today - timedelta(days=3) <= max(dates) < today

    # A rename keeps the file's history, a deletion is kept as deleted.
    restore = RepoFile.objects.get(repository=repo, path="runbooks/postgres-main/restore-from-snapshot.md")
    assert restore.changes.filter(created=True, email="marco@example.com").exists()
    assert restore.changes.filter(at__date__lt=today - timedelta(days=repos_demo.RENAME_DAY)).count() >= 2
    assert RepoFile.objects.get(repository=repo, path="modules/ecs-cluster/launch_configuration.tf").deleted

    # .mailmap maps Marco's laptop address; the alias is Jonas's GitHub noreply address.
    emails = set(Commit.objects.filter(repository=repo).values_list("author_email", flat=True))
    assert "marco@mbp-marco.local" not in emails and "marco@example.com" in emails
    assert repos_demo.ALIAS[0] in emails
    assert AuthorAlias.objects.get(email=repos_demo.ALIAS[0]).person.email == "jonas@example.com"
    # A co-author is credited with the commit's files.
    assert FileChange.objects.filter(file__repository=repo, email="ravi@example.com").count() >= 2

    mappings = PathMapping.objects.filter(repository=repo)
    assert mappings.count() == len(repos_demo.MAPPINGS)
    assert mappings.filter(skill__isnull=False).count() >= 4

    knowledge = repository_knowledge(repo)
    assert knowledge.files == len(live)
    # The bot is left out, Jonas's noreply address counts as Jonas, and Tom, who left, authors nothing.
    assert set(knowledge.people) == {f"{n}@example.com" for n in ("aisha", "jonas", "marco", "priya", "ravi", "tom")}
    assert "tom@example.com" not in knowledge.authors
    assert knowledge.truck_factor.value >= 1
    by_system = {s.system.slug: s for s in knowledge.systems}
    assert len(by_system) == len({m[1] for m in repos_demo.MAPPINGS})
    assert by_system["postgres-main"].truck_factor.value == 1
    assert by_system["postgres-main"].truck_factor.removed == ["marco@example.com"]
    assert by_system["terraform-network"].truck_factor.value == 0  # Tom built it, and left

    open_ = Suggestion.objects.open().filter(repository=repo).select_related("person", "system", "skill")
    found = {(s.person.email, s.system.slug, s.skill.slug if s.skill else "") for s in open_}
    assert found == {
        ("jonas@example.com", "terraform-network", ""),
        ("marco@example.com", "ci-pipelines", ""),
        ("aisha@example.com", "monitoring", "add-an-alert"),
    }
    assert counts["git suggestions"] == 3
    priya = Person.objects.get(email="priya@example.com")
    assert all(permissions.can_decide_suggestion(priya, s.person) for s in open_)
    assert all(s.changes >= 5 and s.last_commit_at.date() >= today - timedelta(days=90) for s in open_)
    client.force_login(priya)
    page = client.get("/repos/suggestions/").content.decode()
    assert "Jonas Weber" in page and "Aisha Khan" in page and "Marco Bianchi" in page

    # A second run rebuilds the same repository and replaces its rows.
    head, changes = repo.last_commit, FileChange.objects.count()
    again = repos_demo.seed(today=today, root=tmp_path)
    assert again == {"git repositories": 1, "commits": counts["commits"], "git suggestions": 3}
    assert Repository.objects.get().last_commit == head == git(path, "rev-parse", "HEAD")
    assert FileChange.objects.count() == changes and Suggestion.objects.count() == 3
    assert AuthorAlias.objects.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["infrastructure"]


def test_a_dry_run_leaves_no_repository_behind(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_REPOS_DIR = tmp_path / "repos"
    out = StringIO()
    call_command("seed_demo", "--dry-run", stdout=out)
    assert "1 git repositories" in out.getvalue() and "3 git suggestions" in out.getvalue()
    assert not Repository.objects.exists()
    assert not (tmp_path / "repos").exists()


def test_a_directory_that_is_not_the_demo_repository_is_left_alone(db, tmp_path):
    Team.objects.create(name="Platform", slug="platform")
    path = tmp_path / "infrastructure"
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not the demo repository"):
        repos_demo.seed(today=date.today(), root=tmp_path)
    assert [p.name for p in path.iterdir()] == ["notes.txt"]
    assert not Repository.objects.exists()


def test_without_git_or_the_platform_team_there_is_no_demo_repository(db, tmp_path, monkeypatch):
    nothing = {"git repositories": 0, "commits": 0, "git suggestions": 0}
    assert repos_demo.seed(today=date.today(), root=tmp_path) == nothing
    Team.objects.create(name="Platform", slug="platform")
    monkeypatch.setattr(repos_demo.shutil, "which", lambda name: None)
    assert repos_demo.seed(today=date.today(), root=tmp_path) == nothing
    assert not list(tmp_path.iterdir()) and not Repository.objects.exists()


def test_the_history_is_the_same_for_the_same_day():
    today = date(2026, 12, 1)
    first, second = repos_demo.history(today), repos_demo.history(today)
    assert first == second
    assert [c.when for c in first] == sorted(c.when for c in first)
    assert {c.author for c in first} == set(repos_demo.AUTHORS)
    assert sum(bool(c.merge) for c in first) == 1 and sum(bool(c.renames) for c in first) == 1
    assert any(c.coauthor == "ravi" for c in first)
