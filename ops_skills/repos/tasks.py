"""Background work: reading registered repositories' new commits and refreshing the suggestions
they make (``manage.py git_knowledge --all`` does the same)."""

from django.tasks import task

from ops_skills.repos import ingest, suggestions
from ops_skills.repos.gitlog import GitError
from ops_skills.repos.models import Repository


@task()
def read_repositories() -> int:
    """Read every repository; returns how many failed (their earlier reads stay)."""
    return sum(1 for repo in Repository.objects.all() if _read(repo))


@task()
def read_repository(repository_id: int) -> str:
    """Read one repository; returns its error, if any."""
    repo = Repository.objects.filter(pk=repository_id).first()
    if repo is None:
        return "gone"
    return _read(repo)


def read_and_suggest(repo: Repository) -> tuple[ingest.ReadResult, int]:
    """Read ``repo``'s new commits, then bring its suggestions up to date: what was read, and how
    many suggestions are open. GitError when the clone cannot be read (nothing is refreshed)."""
    result = ingest.read_repository(repo)
    return result, suggestions.suggestions_refresh(repo)


def _read(repo: Repository) -> str:
    """``read_and_suggest``; returns the error, if any."""
    try:
        read_and_suggest(repo)
    except GitError as error:
        return str(error)
    return ""
