"""Fixtures of the repository tests. Real repositories are built with tests.repos.gitrepo."""

import pytest

from ops_skills.repos.models import Repository


@pytest.fixture
def repository(team, tmp_path):
    """A registered repository of the Platform team whose clone path is an empty directory."""
    path = tmp_path / "infra"
    path.mkdir()
    return Repository.objects.create(team=team, name="infra", slug="infra", path=str(path))
