"""Back up and restore the database with its own tools, for ``manage.py backup`` and ``restore``.

SQLite: Python's ``sqlite3`` online backup API, which copies a consistent snapshot (what is
still in the write-ahead log included) while the app keeps running. PostgreSQL: ``pg_dump
--format=custom`` and ``pg_restore``, which must be on PATH. A backup is written to a temporary
file beside PATH and renamed at the end, so a file at PATH is always a whole backup.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
# The first bytes of a SQLite database file and of a pg_dump custom-format archive.
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}


def engine_of(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ENGINE_NAMES:
        raise CommandError(f"Backups support SQLite and PostgreSQL; database {alias!r} is {vendor}.")
    return vendor


def backup(path: Path, *, alias: str = "default") -> str:
    """Write a backup of the database ``alias`` to ``path``; returns the engine."""
    engine = engine_of(alias)
    if not path.parent.is_dir():
        raise CommandError(f"{path.parent} is not a folder.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine == SQLITE:
            _sqlite_backup(alias, partial)
        else:
            _pg_run("pg_dump", alias, "--format=custom", f"--file={partial}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return engine


def check_backup_file(path: Path, *, alias: str = "default") -> str:
    """The engine of the backup at ``path``; a clear error unless it fits database ``alias``."""
    engine = engine_of(alias)
    if not path.is_file():
        raise CommandError(f"{path} is not a file.")
    with path.open("rb") as f:
        head = f.read(16)
    found = next((name for name, magic in MAGIC.items() if head.startswith(magic)), None)
    if found is None:
        raise CommandError(
            f"{path} is not a backup made by `manage.py backup` "
            "(neither a SQLite database nor a pg_dump custom-format archive)."
        )
    if found != engine:
        raise CommandError(
            f"{path} is a {ENGINE_NAMES[found]} backup and this database is {ENGINE_NAMES[engine]}: "
            f"restore it into a {ENGINE_NAMES[found]} database."
        )
    if engine == SQLITE:
        _sqlite_check(path)
    else:
        _pg_run("pg_restore", None, "--list", str(path))
    return engine


def existing_tables(alias: str = "default") -> list[str]:
    return connections[alias].introspection.table_names()


def restore(path: Path, *, alias: str = "default", force: bool = False) -> None:
    """Restore the backup at ``path`` into database ``alias``. Refuses a database that has tables
    unless ``force``; then the backup's tables replace them (SQLite: the whole database)."""
    engine = check_backup_file(path, alias=alias)
    tables = existing_tables(alias)
    if tables and not force:
        raise CommandError(
            f"The database is not empty ({len(tables)} tables). Restore into an empty database, "
            "or pass --force to replace what it holds with the backup."
        )
    if engine == SQLITE:
        connection = connections[alias]
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        clean = ["--clean", "--if-exists"] if tables else []
        _pg_run("pg_restore", alias, "--no-owner", "--exit-on-error", "--single-transaction", *clean, str(path))
    connections[alias].close()


def _sqlite_backup(alias: str, target: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with destination:
            connection.connection.backup(destination)
        # Readable alone: no -wal file beside it.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _sqlite_check(path: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = db.execute("PRAGMA quick_check").fetchone()
            has_migrations = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise CommandError(f"{path} is not a readable SQLite database: {e}") from e
    if result != "ok":
        raise CommandError(f"{path} is damaged: {result}")
    if not has_migrations:
        raise CommandError(f"{path} is a SQLite database but not an ops-skills one (no django_migrations table).")


def tool_path(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CommandError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client), the same major version as the server or newer."
        )
    return found


def _pg_run(tool: str, alias: str | None, *arguments: str) -> None:
    command = [tool_path(tool)]
    env = dict(os.environ)
    if alias is not None:
        settings = connections[alias].settings_dict
        options = settings.get("OPTIONS") or {}
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command.append(f"{flag}={settings[key]}")
        command.append(f"--dbname={settings['NAME']}")
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = str(settings["PASSWORD"])
        for option in ("passfile", "service", "sslmode", "sslrootcert", "sslcert", "sslkey"):
            if options.get(option):
                env[f"PG{option.upper()}"] = str(options[option])
    # No shell: a list of arguments from the settings and a tool found on PATH.
    result = subprocess.run([*command, *arguments], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{tool} failed (exit {result.returncode}): {result.stderr.strip()}")
