"""``reports.selectors.org_facts`` without the levels below a cover reads the covers grouped by
the database (``_covers``: one row per level and skill, its people's ids as text). On any stored
levels it finds the same holders and fresh holders as the read of every level (``_levels``,
what the planner uses) and as counting the rows by hand, for the organisation and for a team,
with people who have left, covers fresh until today, yesterday or never, and its cache of parsed
lists cold, warm or emptied."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person
from ops_skills.reports import selectors
from tests.factories import make_assessments, make_person, make_skill, make_system, make_team

TODAY = date(2026, 6, 1)
PEOPLE, SKILLS = 6, 7

cells = st.lists(
    st.tuples(
        st.integers(0, PEOPLE - 1),
        st.integers(0, SKILLS - 1),
        st.integers(1, 4),  # a stored level is 1 to 4
        st.sampled_from([None, -30, -1, 0, 1, 30]),  # fresh until: days from TODAY
    ),
    unique_by=lambda cell: cell[:2],
    max_size=30,
)


def _world(cells, departed):
    teams = [make_team(), make_team()]
    people = [make_person(teams[i % 2]) for i in range(PEOPLE)]
    for i, days in departed.items():
        Person.objects.filter(pk=people[i].pk).update(departed_on=TODAY + timedelta(days=days))
    systems = [make_system(teams[i % 2]) for i in range(3)]
    skills = [make_skill(systems[i % 3]) for i in range(SKILLS)]
    # Written as the store would have them: this reads them, ``levels.store`` keeps them right.
    CurrentLevel.objects.bulk_create(
        CurrentLevel(
            person=people[p],
            skill=skills[s],
            level=level,
            basis="lead",
            reason="test",
            fresh_until=None if until is None else TODAY + timedelta(days=until),
        )
        for p, s, level, until in cells
    )
    return teams, people, skills


def _by_hand(cells, departed, people, skills, team=None):
    """skill id -> (holders, fresh holders), counted from the rows."""
    gone = {people[i].pk for i, days in departed.items() if days <= 0}  # left on or before TODAY
    found = {s.pk: (set(), set()) for s in skills if team is None or s.system.team_id == team.pk}
    for p, s, level, until in cells:
        pk = people[p].pk
        if level >= 3 and pk not in gone and skills[s].pk in found:
            found[skills[s].pk][0].add(pk)
            if until is not None and until >= 0:
                found[skills[s].pk][1].add(pk)
    return found


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=cells,
    departed=st.dictionaries(st.integers(0, PEOPLE - 1), st.sampled_from([-3, 0, 1])),
    limit=st.sampled_from([1, 2, selectors.PARSED_LIMIT]),
)
def test_grouped_covers_are_the_covers_of_every_level(monkeypatch, cells, departed, limit):
    monkeypatch.setattr(selectors, "PARSED_LIMIT", limit)  # 1 or 2: the cache is emptied as it reads
    with transaction.atomic():
        teams, people, skills = _world(cells, departed)
        for team in (None, teams[0]):
            expected = _by_hand(cells, departed, people, skills, team)
            every_level = selectors.org_facts(today=TODAY, team=team, levels=True)
            for _ in range(2):  # the second time from the parsed lists kept
                grouped = selectors.org_facts(today=TODAY, team=team, levels=False)
                assert grouped.skills == every_level.skills
                assert {s.id: (set(s.holders), set(s.fresh_holders)) for s in grouped.skills} == expected
                assert grouped.people == every_level.people and grouped.systems == every_level.systems
                assert grouped.levels == {}
        transaction.set_rollback(True)


def test_a_list_is_parsed_into_holders_and_fresh_holders():
    assert selectors._parse("4,-7,9") == (frozenset({4, 7, 9}), frozenset({4, 9}))
    assert selectors._parse("-5") == (frozenset({5}), frozenset())
    assert selectors._parse("4,-7,9") is selectors._parse("4,-7,9")  # kept, the same sets


def test_org_facts_without_levels_is_four_queries(team, django_assert_num_queries):
    people = [make_person(team) for _ in range(PEOPLE)]
    skills = [make_skill(make_system(team)) for _ in range(SKILLS)]
    make_assessments([(p, s, 3 + (i + k) % 2) for i, p in enumerate(people) for k, s in enumerate(skills)])
    with django_assert_num_queries(4):  # people, systems, skills, covers grouped by level and skill
        facts = selectors.org_facts(levels=False)
    assert [len(s.holders) for s in facts.skills] == [PEOPLE] * SKILLS
