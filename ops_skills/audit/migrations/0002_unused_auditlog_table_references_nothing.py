"""django-auditlog's own migrations create its ``auditlog_logentry`` table even though
``AUDITLOG_LOGENTRY_MODEL`` replaces it with ``audit.AuditEntry`` (they predate the swappable
setting). The table stays empty, but on PostgreSQL its foreign keys to ``people_person`` and
``contenttypes`` make ``TRUNCATE`` of those tables (a test database flush) fail. Drop them."""

from django.db import migrations

TABLE = "auditlog_logentry"


def drop_foreign_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite empties tables with DELETE, which an empty referencing table does not stop
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, constraint in constraints.items():
        if constraint["foreign_key"]:
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(TABLE)} DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(drop_foreign_keys, migrations.RunPython.noop)]
