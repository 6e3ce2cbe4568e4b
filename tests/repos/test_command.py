"""``manage.py git_knowledge`` end to end on a real repository, and the background task."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ops_skills.repos import tasks
from ops_skills.repos.models import Commit, PathMapping, Repository, Suggestion
from tests.factories import make_person, make_skill, make_system
from tests.repos.gitrepo import GitRepo

AIKO = ("Aiko Sato", "aiko@example.com")
BOB = ("Bob Brown", "bob@example.com")
CARL = ("Carl Cole", "carl@example.com")
DANA = ("Dana Diaz", "dana@example.com")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


def _run(*args) -> str:
    out = StringIO()
    call_command("git_knowledge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def history(repository, team):
    """A small history whose numbers are worked out by hand in ``test_json_end_to_end``."""
    git = GitRepo(repository.path)
    git.write_mailmap(["Aiko Sato <aiko@example.com> <aiko@old-laptop.local>"])
    vpc = "".join(f"cidr {n}\n" for n in range(40))
    git.commit({"README.md": "# infra\n"}, author=DANA, date=_days_ago(1200), message="Start")  # outside the window
    git.commit({"modules/postgres/main.tf": "v1\n"}, author=AIKO, date=_days_ago(300), message="Postgres")
    git.commit({"modules/postgres/main.tf": "v2\n"}, author=("aiko", "aiko@old-laptop.local"), date=_days_ago(250))
    git.commit({"network/vpc.tf": vpc}, author=CARL, date=_days_ago(240), message="VPC")
    git.commit(renames={"network/vpc.tf": "modules/network/vpc.tf"}, author=CARL, date=_days_ago(230), message="Move")
    git.branch("backup")
    git.commit(
        {"modules/postgres/backup.tf": "b1\n"}, author=BOB, coauthors=[AIKO], date=_days_ago(200), message="Backups"
    )
    git.commit({"tmp.txt": "x"}, author=BOB, date=_days_ago(199))
    git.commit({"tmp.txt": None}, author=BOB, date=_days_ago(198))
    git.checkout("main")
    git.commit({"modules/postgres/main.tf": "v3\n"}, author=AIKO, date=_days_ago(150))
    git.merge("backup", author=AIKO, date=_days_ago(140))
    git.commit({"modules/postgres/main.tf": "v4\n"}, author=BOB, date=_days_ago(100), message="Tune")
    for n in range(3):
        git.commit({"modules/network/vpc.tf": vpc + f"tag {n}\n"}, author=BOT, date=_days_ago(90 - n))
    git.commit({"README.md": "# infra\n\nRead me.\n"}, author=AIKO, date=_days_ago(30), message="Docs")
    postgres = make_system(team, slug="postgres-main", name="postgres-main")
    network = make_system(team, slug="network", name="network")
    make_skill(postgres, slug="restore")
    PathMapping.objects.create(repository=repository, pattern="modules/postgres/**", system=postgres)
    PathMapping.objects.create(repository=repository, pattern="modules/network/**", system=network)
    return git


def test_json_end_to_end(history, repository):
    # Within the two-year window (Dana's README.md creation is older, so it does not count):
    # modules/postgres/main.tf: Aiko created it and changed it twice more (the old-laptop address
    #   is hers by .mailmap), Bob changed it once.
    #   Aiko: FA 1, DL 2, AC 1: 3.293 + 1.098 + 0.328 - 0.321 ln 2 = 4.497 -> author.
    #   Bob: FA 0, DL 1, AC 3: 3.293 + 0.164 - 0.321 ln 4 = 3.012 < 3.293, not the creator -> not.
    # modules/postgres/backup.tf: Bob created it with Aiko as co-author: both FA 1, DL 0, AC 1:
    #   3.293 + 1.098 - 0.321 ln 2 = 4.169 each -> both authors.
    # modules/network/vpc.tf: Carl created it (as network/vpc.tf) and moved it: FA 1, DL 1; the
    #   bot's three changes are left out: 3.293 + 1.098 + 0.164 = 4.555 -> author.
    # README.md: only Aiko's change counts: FA 0, DL 1, AC 0: 3.457 >= 3.293 -> author.
    # tmp.txt was deleted; the merge commit is not read.
    # Authors: Aiko 3 files, Bob 1, Carl 1. Truck factor (greedy, ties by email): with all 4 files
    # authored, remove Aiko -> main.tf and README.md orphaned (2 of 4 still authored, not fewer
    # than half) -> remove Bob -> backup.tf orphaned (1 of 4: fewer than half) -> 2: Aiko, Bob.
    # postgres-main: main.tf (Aiko), backup.tf (Aiko, Bob): remove Aiko (1 of 2 left), Bob -> 2.
    # network: vpc.tf (Carl): remove Carl -> 1.
    document = json.loads(_run("infra", "--json"))

    assert document["files"] == 4
    assert document["authors"] == {"aiko@example.com": 3, "bob@example.com": 1, "carl@example.com": 1}
    assert document["truck_factor"] == 2
    assert document["truck_factor_authors"] == ["aiko@example.com", "bob@example.com"]
    assert [(s["system"], s["truck_factor"], s["authors"]) for s in document["systems"]] == [
        ("network", 1, ["carl@example.com"]),
        ("postgres-main", 2, ["aiko@example.com", "bob@example.com"]),
    ]
    assert Commit.objects.filter(repository=repository).count() == 14  # 15 commits, the merge left out


def test_the_summary_says_what_was_read_and_the_truck_factor(history, repository):
    out = _run("infra")

    assert "infra: 14 commits read (full read)" in out
    assert "4 files, 3 authors, truck factor 2 (greedy): aiko@example.com, bob@example.com" in out
    assert "    postgres-main: 2 files, truck factor 2: aiko@example.com, bob@example.com" in out
    assert "infra: 0 commits read (new)" in _run("infra")


def test_no_read_prints_what_is_stored(history, repository):
    _run("infra")
    history.commit({"modules/network/nat.tf": "nat"}, author=CARL)

    document = json.loads(_run("--no-read", "infra", "--json"))

    assert document["files"] == 4
    assert Commit.objects.count() == 14
    assert json.loads(_run("infra", "--json"))["files"] == 5


def test_the_repository_is_named_by_slug_or_name(repository, team):
    Repository.objects.filter(pk=repository.pk).update(name="Infrastructure")
    GitRepo(repository.path).commit({"a.tf": "a"}, author=AIKO)

    assert json.loads(_run("Infrastructure", "--json"))["files"] == 1
    assert json.loads(_run("infra", "--json", "--no-read"))["files"] == 1


def test_all_reads_every_repository(repository, team, tmp_path):
    other = Repository.objects.create(team=team, name="runbooks", slug="runbooks", path=str(tmp_path / "runbooks"))
    GitRepo(repository.path).commit({"a.tf": "a"}, author=AIKO)
    GitRepo(other.path).commit({"a.md": "a", "b.md": "b"}, author=BOB)

    documents = json.loads(_run("--all", "--json"))

    assert {slug: d["files"] for slug, d in documents.items()} == {"infra": 1, "runbooks": 2}


def test_all_goes_on_past_a_failing_repository_and_then_fails(repository, team, tmp_path):
    Repository.objects.create(team=team, name="broken", slug="broken", path=str(tmp_path / "nowhere"))
    GitRepo(repository.path).commit({"a.tf": "a"}, author=AIKO)

    with pytest.raises(CommandError, match="Could not read broken: No directory at"):
        _run("--all")

    assert Commit.objects.filter(repository=repository).count() == 1


def test_an_unknown_repository_or_none_named_is_an_error(repository):
    with pytest.raises(CommandError, match="No repository with slug or name 'nope'"):
        _run("nope")
    with pytest.raises(CommandError, match="Name one repository"):
        _run()
    with pytest.raises(CommandError, match="Name one repository"):
        _run("infra", "--all")


def test_a_read_failure_is_a_command_error_and_is_recorded(repository):
    # The fixture's directory exists but holds no repository.
    with pytest.raises(CommandError, match="Could not read infra: Not a git repository"):
        _run("infra")

    repository.refresh_from_db()
    assert repository.last_error.startswith("Not a git repository")


def test_the_task_reads_and_refreshes_suggestions(history, repository, team, settings):
    settings.GIT_SUGGEST_MIN_CHANGES = 1
    settings.GIT_SUGGEST_DAYS = 365
    make_person(team, email="bob@example.com", name="Bob Brown")

    result = tasks.read_repository.enqueue(repository.pk)

    assert result.return_value == ""
    assert Commit.objects.filter(repository=repository).count() == 14
    assert list(Suggestion.objects.open().values_list("person__email", "system__slug")) == [
        ("bob@example.com", "postgres-main")
    ]
    assert tasks.read_repository.enqueue(repository.pk + 1000).return_value == "gone"


def test_the_task_for_every_repository_counts_failures(repository, team, tmp_path):
    Repository.objects.create(team=team, name="broken", slug="broken", path=str(tmp_path / "nowhere"))
    GitRepo(repository.path).commit({"a.tf": "a"}, author=AIKO)

    assert tasks.read_repositories.enqueue().return_value == 1
    assert Commit.objects.filter(repository=repository).count() == 1
    assert Repository.objects.get(slug="broken").last_error.startswith("No directory at")
