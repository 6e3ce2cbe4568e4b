"""Issue 12, findings 2 and 5, and the cells of a matrix sheet: an import never makes another
write answer 500, a file of any length imports, and a bad cell is an error at a line and column.

The busy-database tests run on a SQLite file of their own (WAL, BEGIN IMMEDIATE, a busy timeout,
as in production), whatever database the suite runs on: another connection holds the write lock
as a long import would.
"""

import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse

from ops_skills.api import services as api_services
from ops_skills.levels import store
from ops_skills.levels.matrix_csv import matrix_import
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment
from tests.factories import make_person, make_skill, make_system, make_team

# The suite's test database is set up (and checked after each test) even where a test swaps in
# a file of its own.
pytestmark = pytest.mark.django_db


def _file_settings(path, timeout: float) -> dict:
    options = {
        "timeout": timeout,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}}
    return connections.configure_settings(databases)["default"]


@contextmanager
def _default_database(settings_dict):
    """``connections["default"]`` is a new connection with these settings, then the old one again."""
    old = connections["default"]
    new = DatabaseWrapper(settings_dict, alias="default")
    connections["default"] = new
    ContentType.objects.clear_cache()
    try:
        yield new
    finally:
        new.close()
        connections["default"] = old
        ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory, django_db_setup, django_db_blocker):
    """A migrated SQLite file: a copy of the test database when it is SQLite, else migrated."""
    path = tmp_path_factory.mktemp("busy") / "template.sqlite3"
    with django_db_blocker.unblock():
        source = connections["default"]
        if source.vendor == "sqlite":
            source.ensure_connection()
            with sqlite3.connect(path) as target:
                source.connection.backup(target)
            target.close()
        else:
            with _default_database(_file_settings(path, 5)):
                call_command("migrate", verbosity=0)
        with _default_database(_file_settings(path, 5)):
            call_command("createcachetable", verbosity=0)
    return path


class FileDatabase:
    def __init__(self, path, wrapper):
        self.path, self.wrapper = path, wrapper

    def set_timeout(self, seconds: float) -> None:
        """The busy timeout of the app's next connection (lowered, so the test is fast)."""
        self.wrapper.close()
        self.wrapper.settings_dict["OPTIONS"]["timeout"] = seconds

    @contextmanager
    def write_lock(self, *, release_after: float | None = None):
        """Another connection holds the write lock, as an import's write transaction does; it
        lets go when the block ends, or after ``release_after`` seconds."""
        holder = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(release_after, holder.rollback) if release_after is not None else None
        if timer:
            timer.start()
        try:
            yield
        finally:
            if timer:
                timer.join()
            else:
                holder.rollback()
            holder.close()


@pytest.fixture
def file_db(migrated_file, tmp_path, django_db_blocker):
    path = tmp_path / "app.sqlite3"
    shutil.copy(migrated_file, path)
    with django_db_blocker.unblock(), _default_database(_file_settings(path, 5)) as wrapper:
        yield FileDatabase(path, wrapper)


@pytest.fixture
def busy_cast(file_db):
    team = make_team("Platform", slug="platform")
    lead = make_person(team, Person.Role.LEAD, email="lead@example.com", name="Lena Lead")
    member = make_person(team, email="member@example.com", name="Max Member")
    skill = make_skill(make_system(team, slug="payments-api"), slug="deploy")
    return {"lead": lead, "member": member, "skill": skill}


def _cell_url(cast):
    return reverse("skills:matrix-cell", args=[cast["member"].pk, cast["skill"].pk])


def test_a_level_edit_that_cannot_get_the_lock_answers_503_not_500(file_db, busy_cast):
    client = Client()
    client.force_login(busy_cast["lead"])
    file_db.set_timeout(0.2)
    with file_db.write_lock():
        started = time.monotonic()
        response = client.post(_cell_url(busy_cast), {"level": "3", "note": ""}, secure=True)
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The database is busy (an import is running); try again in a moment" in response.content.decode()
    assert waited >= 0.2  # it waited for the lock before giving up
    assert not Assessment.objects.exists()


def test_an_api_write_that_cannot_get_the_lock_answers_json_503(file_db, busy_cast):
    key = api_services.token_create(person=busy_cast["lead"], name="script")[1]
    client = Client()
    file_db.set_timeout(0.2)
    with file_db.write_lock():
        response = client.post(
            "/api/evidence/pairing-sessions/",
            "{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
            secure=True,
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == {"error": "The database is busy (an import is running); try again in a moment."}


def test_a_level_edit_during_a_short_lock_waits_and_succeeds(file_db, busy_cast):
    client = Client()
    client.force_login(busy_cast["lead"])
    file_db.set_timeout(5)
    with file_db.write_lock(release_after=0.3):
        started = time.monotonic()
        response = client.post(_cell_url(busy_cast), {"level": "3", "note": ""}, secure=True)
        waited = time.monotonic() - started
    assert response.status_code == 302
    assert waited >= 0.3
    assert Assessment.objects.get().level == 3
    assert not store.differences()


def test_an_import_waits_for_the_lock_only_to_write(file_db, busy_cast):
    """Parsing, checking and planning run while another connection holds the write lock; only
    the write itself waits for it."""
    rows = "".join(f"p{n}@example.com,P {n},platform,{n % 5}\n" for n in range(300))
    text = "email,name,team,payments-api/deploy\n" + rows
    file_db.set_timeout(0.2)
    with file_db.write_lock():
        # A preview writes nothing, so it runs in full during someone else's write.
        assert matrix_import(author=busy_cast["lead"], text=text, filename="m.csv", dry_run=True).ok
    file_db.set_timeout(5)
    with file_db.write_lock(release_after=0.3):
        result = matrix_import(author=busy_cast["lead"], text=text, filename="m.csv")
    assert result.written
    assert Assessment.objects.count() == 300
    assert not store.differences()


# Finding 2: the write transaction opens only once the sheet is read, checked and planned --------


@pytest.fixture
def platform(team):
    return make_skill(make_system(team, slug="payments-api"), slug="deploy")


def test_the_import_reads_checks_and_plans_before_its_write_transaction(monkeypatch, admin_user, member, platform):
    from ops_skills.levels.matrix_csv import apply

    connection = connections["default"]
    outside = len(connection.atomic_blocks)
    depths = []

    def recorded(function):
        def call(*args, **kwargs):
            depths.append((function.__name__, len(connection.atomic_blocks) - outside))
            return function(*args, **kwargs)

        return call

    for name in ("parse_sheet", "load_state", "build_plan"):
        monkeypatch.setattr(apply, name, recorded(getattr(apply, name)))
    result = matrix_import(
        author=admin_user, text="email,name,team,payments-api/deploy\nmember@example.com,,,3\n", filename="m.csv"
    )
    assert result.written
    # Read, checked and planned outside any transaction; inside, only the state read again
    # (without the levels) to see that nothing changed, then the write.
    assert depths == [("parse_sheet", 0), ("load_state", 0), ("build_plan", 0), ("load_state", 1)]


def test_a_change_between_planning_and_writing_is_planned_again(monkeypatch, admin_user, team, platform):
    """Someone adds a person the sheet creates while the import plans: the write plans again
    inside its transaction and updates that person instead of failing on the duplicate email."""
    from ops_skills.levels.matrix_csv import apply

    real = apply.load_state
    calls = []

    def load_state(author, sheet, **kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # inside the write transaction, after the plan was made
            make_person(team, email="new@example.com", name="Nora New")
        return real(author, sheet, **kwargs)

    monkeypatch.setattr(apply, "load_state", load_state)
    text = "email,name,team,payments-api/deploy\nnew@example.com,Nora Newer,platform,2\n"
    result = matrix_import(author=admin_user, text=text, filename="m.csv")
    assert result.written, [str(e) for e in result.errors.items]
    assert calls == [{}, {"levels": False}, {}]
    assert not result.plan.people_to_create
    assert [u.email for u in result.plan.people_to_update] == ["new@example.com"]
    person = Person.objects.get(email="new@example.com")
    assert person.name == "Nora Newer"
    assert Assessment.objects.get(person=person).level == 2


# Finding 5: a file longer than the database's limit on query parameters -------------------------


def _narrow_sheet(rows: int) -> str:
    lines = ["email,name,team,payments-api/deploy,payments-api/rollback"]
    lines += [f"p{n:06d}@example.com,Person {n},platform,{n % 5},{(n + 1) % 5}" for n in range(rows)]
    return "\n".join(lines) + "\n"


@contextmanager
def _sqlite_parameter_limit(limit: int):
    """SQLite's default limit on query parameters (this build allows more): 32,766."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield  # PostgreSQL: the same import, with its own limit (65,535)
        return
    connection.ensure_connection()
    before = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    try:
        yield
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_a_sheet_longer_than_the_parameter_limit_imports_and_imports_again(admin_user, team, platform):
    rows = 33_000  # more emails than SQLite allows parameters (32,766)
    text = _narrow_sheet(rows)
    with _sqlite_parameter_limit(32_766):
        first = matrix_import(author=admin_user, text=text, filename="big.csv")
        assert first.written, [str(e) for e in first.errors.items[:3]]
        assert len(first.plan.people_to_create) == rows
        # Again: now every person exists and every level is there, so nothing changes.
        again = matrix_import(author=admin_user, text=text, filename="big.csv")
    assert again.written and not again.plan.has_work
    assert again.plan.unchanged == 2 * rows
    assert Person.objects.filter(email__startswith="p0").count() == rows
    assert Assessment.objects.filter(source=Assessment.Source.LEAD).count() == 2 * rows


# Cells: NUL, line breaks, lengths -------------------------------------------------------------


@pytest.mark.parametrize(
    "row,expected",
    [
        ("member@example.com,Max\x00Member,platform,3", "line 2, column 2 (name): Remove the NUL character (U+0000)."),
        ("new\x00@example.com,New,platform,3", "line 2, column 1 (email): Remove the NUL character (U+0000)."),
        ("new@example.com,New,plat\x00form,3", "line 2, column 3 (team): Remove the NUL character (U+0000)."),
        (
            'member@example.com,"Max\nMember",platform,3',
            "line 2, column 2 (name): Write it on one line: line breaks are not allowed.",
        ),
        (
            "member@example.com,Max\u2028Member,platform,3",
            "line 2, column 2 (name): Write it on one line: line breaks are not allowed.",
        ),
        (
            "member@example.com,Max\x07Member,platform,3",
            "line 2, column 2 (name): Remove the control character U+0007.",
        ),
        (f"member@example.com,{'M' * 151},platform,3", "line 2, column 2 (name): name is longer than 150 characters"),
        (
            f"{'m' * 243}@example.com,New,platform,3",
            "line 2, column 1 (email): email is longer than 254 characters",
        ),
    ],
)
def test_a_bad_text_cell_is_an_error_at_its_line_and_column(admin_user, member, platform, row, expected):
    result = matrix_import(author=admin_user, text=f"email,name,team,payments-api/deploy\n{row}\n", filename="m.csv")
    assert not result.written
    assert [str(e) for e in result.errors.items] == [expected]
    assert not Assessment.objects.exists()


def test_a_skill_slug_longer_than_its_column_is_an_error(admin_user, platform):
    header = f"email,name,team,payments-api/{'s' * 101}"
    result = matrix_import(author=admin_user, text=f"{header}\nnew@example.com,New,platform,3\n", filename="m.csv")
    assert not result.written
    [error] = result.errors.items
    assert (error.line, error.column, error.message) == (1, 4, "the skill slug is longer than 100 characters")


def test_a_nul_in_an_uploaded_name_is_a_400_page_not_a_500(client_for, admin_user, member, platform):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"email,name,team,payments-api/deploy\nmember@example.com,Max\x00Member,platform,3\n"
    response = client_for(admin_user).post(
        reverse("skills:matrix-import"), {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "line 2, column 2 (name): Remove the NUL character (U+0000)." in response.content.decode()


def test_the_import_command_says_the_database_is_busy(file_db, busy_cast, tmp_path):
    from django.core.management.base import CommandError

    sheet = tmp_path / "m.csv"
    sheet.write_text("email,name,team,payments-api/deploy\nmember@example.com,,,3\n")
    file_db.set_timeout(0.2)
    with file_db.write_lock(), pytest.raises(CommandError, match="The database is busy .*; nothing was written"):
        call_command("import_matrix", str(sheet), "--as", "lead@example.com")
    assert not Assessment.objects.exists()
