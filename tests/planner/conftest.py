"""A small organisation with single points of knowledge, for the planner's database tests."""

import pytest

from tests.factories import make_assessment, make_skill, make_system


@pytest.fixture
def system(team):
    return make_system(team, slug="batch-jobs", tier=1)


@pytest.fixture
def failover(system, member, lead):
    """Only the member covers it (tier 1: target 3, so a deficit of 2)."""
    skill = make_skill(system, slug="failover", name="Payment-batch failover")
    make_assessment(member, skill, 4, author=lead)
    return skill


@pytest.fixture
def restore(system, member, lead, new_hire):
    """Only the member covers it; the new hire has read about it."""
    skill = make_skill(system, slug="restore", name="Restore from snapshot")
    make_assessment(member, skill, 3, author=lead)
    make_assessment(new_hire, skill, 1, author=lead)
    return skill


@pytest.fixture
def org(failover, restore, cast):
    return {"failover": failover, "restore": restore, **cast}
