"""Migrations that rebuild a large table on SQLite gather its statistics again: without them the
query planner chose slow plans until the next ANALYZE (the lead's home 0.13 -> 0.22 s)."""

import importlib

import pytest
from django.db import connection

from tests.factories import make_assessment, make_person, make_skill, make_system

REBUILDS = [
    ("ops_skills.levels.migrations.0003_current_level_without_foreign_key_constraints", "skills_currentlevel"),
    ("ops_skills.skills.migrations.0007_assessment_indexes_only_by_person", "skills_assessment"),
]


class Editor:
    """What the migration's function uses of a schema editor (SQLite refuses a real one inside
    the test's transaction)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.parametrize(("module", "table"), REBUILDS)
def test_a_rebuilt_table_is_analysed_again(module, table, team, lead):
    migration = importlib.import_module(module)
    assert any(getattr(op, "code", None) is migration.analyze for op in migration.Migration.operations)
    skill = make_skill(make_system(team, slug="db"), slug="restore")
    make_assessment(make_person(team, email="p@example.com"), skill, 3, author=lead)
    migration.analyze(None, Editor())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            assert cursor.fetchone()[0] > 0
