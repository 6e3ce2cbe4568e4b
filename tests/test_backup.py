"""``manage.py backup`` and ``restore``: a backup restored into an empty database holds every row
of every table, on whichever engine the suite runs (SQLite by default, PostgreSQL with
DATABASE_URL). The tests are transactional because pg_dump only sees committed rows."""

import hashlib
import sqlite3
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops_skills.api.services import token_create
from ops_skills.chat.models import DigestSent, EvidenceMessage, SlackLink, TeamChat
from ops_skills.chat.models import ReminderSent as ChatReminderSent
from ops_skills.onboarding.models import ChecklistItem, OnboardingTemplate, PlannedOnboarding, ReminderSent
from ops_skills.oncall.models import Schedule, Shift
from ops_skills.people.models import Invitation, Person, Team
from ops_skills.repos.models import Repository, WebhookDelivery
from ops_skills.web import backups
from ops_skills.web.services import calendar_feed_rotate

pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "restored"


@pytest.fixture
def every_model(settings):
    """The demo organisation, plus a row in each table the demo leaves empty."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    lead = Person.objects.get(email="priya@example.com")
    team = Team.objects.get(slug="platform")
    token_create(person=lead, name="deploy pipeline")
    invitation = Invitation.objects.create(email="new@example.com", team=team, invited_by=lead)
    PlannedOnboarding.objects.create(
        invitation=invitation, template=OnboardingTemplate.objects.filter(team=team).first(), buddy=lead
    )
    item = ChecklistItem.objects.first()
    ReminderSent.objects.create(item=item, person=item.checklist.person, kind=ReminderSent.Kind.choices[0][0])
    group = Group.objects.create(name="auditors")
    permission = Permission.objects.first()
    group.permissions.add(permission)
    lead.groups.add(group)
    lead.user_permissions.add(permission)
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(Team),
        object_id=str(team.pk),
        object_repr=str(team),
        action_flag=ADDITION,
    )
    session = SessionStore()
    session["who"] = lead.pk
    session.create()
    EmailConfirmation.objects.create(email_address=EmailAddress.objects.first(), key="k" * 64)
    Authenticator.objects.create(user=lead, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="id", secret="s")
    account = SocialAccount.objects.create(user=lead, provider="github", uid="42")
    SocialToken.objects.create(app=app, account=account, token="t")
    cache.set("backup-test", "cached", 3600)
    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ops_skills.reports.tasks.snapshot",
        backend_name="default",
        run_after=timezone.now() + timedelta(days=1),
        exception_class_path="",
        traceback="",
    )
    member = Person.objects.filter(team=team).exclude(pk=lead.pk).first()
    calendar_feed_rotate(person=lead)
    SlackLink.objects.create(person=lead, slack_user_id="U0LEAD")
    TeamChat.objects.create(team=team, slack_channel="C0TEAM")
    DigestSent.objects.create(team=team, week="2026-W49", destination="slack:C0TEAM", single_points=["pg/restore"])
    EvidenceMessage.objects.create(kind="session", object_id=1, person=member, channel="D0LEAD", ts="1.000100")
    ChatReminderSent.objects.create(person=member, day=timezone.localdate())
    schedule = Schedule.objects.create(team=team, name="Primary", url="https://rota.example.com/primary.ics")
    schedule.systems.add(team.systems.first())
    Shift.objects.create(
        schedule=schedule, person=lead, email=lead.email, start=timezone.now(), end=timezone.now() + timedelta(days=7)
    )
    WebhookDelivery.objects.create(
        guid="backup-1", repository=Repository.objects.get(slug="infrastructure"), event="pull_request"
    )
    # A swapped-out model (auditlog's own entry, replaced by the audit app's) keeps an unused table.
    swapped = {m._meta.db_table for m in apps.get_models(include_swapped=True) if m._meta.swapped}
    # SQLite's own statistics (sqlite_stat1, written by the migrations' ANALYZE) are not ours.
    empty = [
        table
        for table, (count, _) in snapshot("default").items()
        if count == 0 and table not in swapped and not table.startswith("sqlite_")
    ]
    assert not empty, f"add a row to these tables above, so the backup test covers them: {empty}"


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database of the same engine, as the alias ``restored``: a new SQLite file,
    or a new PostgreSQL database dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restored"
        drop = f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)'
        with connection.cursor() as cursor:
            cursor.execute(drop)
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    yield connect(RESTORED, settings_dict)
    connections[RESTORED].close()
    del connections[RESTORED]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(drop)


def connect(alias: str, settings_dict: dict) -> str:
    """Register a connection under ``alias`` for this test only (not in the settings, which the
    test case would refuse)."""
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    return alias


def snapshot(alias: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows in primary-key order."""
    db = connections[alias]
    found = {}
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            key = (
                db.introspection.get_primary_key_column(cursor, table)
                or db.introspection.get_table_description(cursor, table)[0].name
            )
            quote = db.ops.quote_name
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(key)}")
            rows = cursor.fetchall()
            found[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return found


def test_a_backup_restored_into_an_empty_database_has_every_row(every_model, empty_database, tmp_path):
    path = tmp_path / "ops-skills.backup"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    assert f"backup to {path}" in out.getvalue()
    assert not list(tmp_path.glob(".*partial"))

    call_command("restore", str(path), database=empty_database, stdout=StringIO())

    before, after = snapshot("default"), snapshot(empty_database)
    assert len(before) > 40
    assert sorted(after) == sorted(before)
    differ = {table: (before[table][0], after[table][0]) for table in before if before[table] != after[table]}
    assert not differ, f"tables whose rows differ after the restore (rows before, after): {differ}"


def test_restore_refuses_a_database_with_tables_unless_forced(every_model, tmp_path):
    path = tmp_path / "ops-skills.backup"
    call_command("backup", str(path), stdout=StringIO())
    backed_up = snapshot("default")
    Team.objects.create(name="Made after the backup", slug="later")

    with pytest.raises(CommandError, match="not empty .* --force"):
        call_command("restore", str(path), stdout=StringIO())
    assert Team.objects.filter(slug="later").exists()

    out = StringIO()
    call_command("restore", str(path), "--dry-run", "--force", stdout=out)
    assert "Nothing was changed" in out.getvalue()
    assert Team.objects.filter(slug="later").exists()

    call_command("restore", str(path), "--force", stdout=StringIO())
    assert not Team.objects.filter(slug="later").exists()
    assert snapshot("default") == backed_up


def test_restore_refuses_a_backup_of_the_other_engine_or_another_file(tmp_path):
    other = backups.POSTGRESQL if connection.vendor == "sqlite" else backups.SQLITE
    path = tmp_path / "other.backup"
    path.write_bytes(backups.MAGIC[other] + b"\x00" * 100)
    with pytest.raises(CommandError, match=f"is a {backups.ENGINE_NAMES[other]} backup and this database is"):
        call_command("restore", str(path), stdout=StringIO())

    path.write_bytes(b"id,name\n1,Platform\n")
    with pytest.raises(CommandError, match="is not a backup made by `manage.py backup`"):
        call_command("restore", str(path), stdout=StringIO())

    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "missing.backup"), stdout=StringIO())

    with pytest.raises(CommandError, match="is not a folder"):
        call_command("backup", str(tmp_path / "no" / "such" / "folder.backup"), stdout=StringIO())


def test_a_damaged_or_foreign_sqlite_file_is_refused(tmp_path):
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(CommandError, match="not an ops-skills one"):
        backups._sqlite_check(foreign)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(foreign.read_bytes()[:100] + b"\xff" * 4000)
    with pytest.raises(CommandError, match="damaged|not a readable SQLite database"):
        backups._sqlite_check(damaged)


def test_without_the_postgresql_client_tools_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(CommandError, match="pg_dump was not found on PATH. Install the PostgreSQL client tools"):
        backups.tool_path("pg_dump")


def test_a_sqlite_backup_includes_what_is_still_in_the_write_ahead_log(tmp_path):
    """The online backup API copies committed pages that are not yet checkpointed into the file."""
    live = tmp_path / "live.sqlite3"
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY)")
    writer.executemany("INSERT INTO django_migrations (id) VALUES (?)", [(i,) for i in range(1000)])
    writer.commit()
    assert (tmp_path / "live.sqlite3-wal").stat().st_size > 0
    settings_dict = {**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": str(live)}
    try:
        backups.backup(tmp_path / "live.backup", alias=connect("live", {**settings_dict, "OPTIONS": {}}))
    finally:
        connections["live"].close()
        del connections["live"]
        writer.close()
    copy = sqlite3.connect(tmp_path / "live.backup")
    assert copy.execute("SELECT COUNT(*) FROM django_migrations").fetchone() == (1000,)
    copy.close()
