"""The audit trail's ground floor: who is acting and from where, and entries for the writes that
bypass model signals (conditional UPDATEs, bulk inserts).

Saves of the tracked models are logged by django-auditlog's signals (``ops_skills.audit`` registers
them); every entry, those and the ones written here, takes its actor and origin from ``current()``:
the request being served (set by ``ops_skills.audit.middleware``, read when the entry is written,
so an API token authenticated inside the view is seen), else the management command running.
Entries are written in the caller's transaction. The entry model is ``AUDITLOG_LOGENTRY_MODEL``,
looked up at run time, so this module imports nothing from the apps above.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath

from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.encoding import smart_str

WEB, API, ADMIN, COMMAND, SYSTEM = "web", "api", "admin", "command", "system"
ORIGINS = [(WEB, "Web page"), (API, "API token"), (ADMIN, "Django admin"), (COMMAND, "Command"), (SYSTEM, "System")]
CREATE, UPDATE, DELETE = 0, 1, 2  # auditlog's LogEntry.Action


@dataclass(frozen=True)
class Origin:
    """Who made a change and from where: a page (its path), an API token, the admin, a command."""

    kind: str
    path: str = ""
    actor_id: int | None = None
    actor_email: str | None = None
    token_id: int | None = None
    token_name: str = ""
    remote_addr: str | None = None

    def fields(self) -> dict:
        """The entry's fields this origin fills."""
        return {
            "origin": self.kind,
            "path": self.path[:300],
            "actor_id": self.actor_id,
            "actor_email": self.actor_email,
            "token_id": self.token_id,
            "token_name": self.token_name[:120],
            "remote_addr": self.remote_addr,
        }


_resolver: ContextVar[Callable[[], Origin] | None] = ContextVar("ops_skills_audit_origin", default=None)


@contextmanager
def origin_from(resolve: Callable[[], Origin]):
    """Entries written inside take their origin from ``resolve()``, called when each is written."""
    token = _resolver.set(resolve)
    try:
        yield
    finally:
        _resolver.reset(token)


def current() -> Origin:
    """The origin of a change made now: the request being served, else the command running."""
    resolve = _resolver.get()
    if resolve is not None:
        return resolve()
    program = PurePath(sys.argv[0]).name if sys.argv else ""
    if program in {"manage.py", "django-admin"} and len(sys.argv) > 1:
        return Origin(COMMAND, path=f"manage.py {sys.argv[1]}")
    return Origin(SYSTEM, path=program)


def ids(values: Iterable[int | None]) -> str:
    """Ids as stored in an entry's ``teams`` and ``people`` ("|3|7|"), so that a lead's page can
    ask for ``teams__contains="|3|"`` on SQLite and PostgreSQL alike."""
    found = sorted({int(v) for v in values if v is not None})
    return f"|{'|'.join(map(str, found))}|" if found else ""


def text(value) -> str:
    """A value as auditlog stores it in ``changes`` (strings; "None" for nothing)."""
    return smart_str(getattr(value, "pk", value))


def record(
    instance,
    *,
    changes: dict[str, tuple],
    action: int = UPDATE,
    teams: Iterable[int | None] = (),
    people: Iterable[int | None] = (),
    note: str = "",
):
    """Write one entry about ``instance`` for a change its model's signals do not see
    (``changes``: field → (old, new)). One INSERT, in the caller's transaction."""
    entry = entry_for(instance, changes=changes, action=action, teams=teams, people=people, note=note)
    entry.save()
    return entry


def record_many(entries: list) -> list:
    """Write entries built by ``entry_for`` in one bulk INSERT (e.g. one per row a bulk write made)."""
    return get_logentry_model().objects.bulk_create(entries, batch_size=500) if entries else []


def entry_for(
    instance,
    *,
    changes: dict[str, tuple],
    action: int = UPDATE,
    teams: Iterable[int | None] = (),
    people: Iterable[int | None] = (),
    note: str = "",
    origin: Origin | None = None,
):
    """An unsaved entry about ``instance`` (for ``record_many``)."""
    changes = {field: [text(old), text(new)] for field, (old, new) in changes.items()}
    return get_logentry_model()(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_pk=smart_str(instance.pk),
        object_id=instance.pk if isinstance(instance.pk, int) else None,
        object_repr=smart_str(instance)[:1000],
        action=action,
        changes=changes,
        changes_text=note or describe(changes),
        teams=ids(teams),
        people=ids(people),
        **(origin or current()).fields(),
    )


def describe(changes: dict) -> str:
    """``changes`` as searchable text: "status: pending → confirmed; team: 3 → 5", the fields in
    alphabetical order (PostgreSQL's jsonb does not keep the order a dict was written in)."""
    return "; ".join(f"{field}: {values[0]} → {values[1]}" for field, values in sorted((changes or {}).items()))


def record_summary(model, *, summary: str, teams: Iterable[int | None] = (), people: Iterable[int | None] = (), **data):
    """Write one entry summing up a bulk write to ``model`` (an import of thousands of levels),
    its figures in ``additional_data``."""
    Entry = get_logentry_model()
    origin = current()
    return Entry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=summary[:1000],
        action=CREATE,
        changes=None,
        changes_text=summary,
        additional_data=data or None,
        teams=ids(teams),
        people=ids(people),
        **origin.fields(),
    )


def forget(person, *, was: dict[str, str], values: dict[str, str] | None = None) -> int:
    """Erase who an anonymised person was from the trail (the right to erasure): in every entry
    about them or made by them, the strings in ``was`` (their old name and email → what replaces
    them) wherever they appear, whole values in ``values`` (their old title), their address and
    their email as actor. Which change
    was made, when and by whom (as an id) stays. Returns the number of entries rewritten."""
    Entry = get_logentry_model()
    marker = f"|{person.pk}|"
    own = ContentType.objects.get_for_model(person, for_concrete_model=False)
    about = models.Q(people__contains=marker) | models.Q(content_type=own, object_pk=str(person.pk))
    entries = list(Entry.objects.filter(about | models.Q(actor_id=person.pk)))
    was = {old: new for old, new in was.items() if old}
    values = {old: new for old, new in (values or {}).items() if old}

    def scrub(value):
        if isinstance(value, str):
            if value in values:
                return values[value]
            for old, new in was.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    for entry in entries:
        entry.object_repr = scrub(entry.object_repr)
        generated = entry.changes and entry.changes_text == describe(entry.changes)
        entry.changes = scrub(entry.changes)
        entry.changes_text = describe(entry.changes) if generated else scrub(entry.changes_text)
        entry.serialized_data = scrub(entry.serialized_data)
        entry.additional_data = scrub(entry.additional_data)
        if entry.actor_id == person.pk:
            entry.actor_email, entry.remote_addr, entry.remote_port = None, None, None
    fields = ["object_repr", "changes_text", "changes", "serialized_data", "additional_data", "actor_email"]
    fields += ["remote_addr", "remote_port"]
    Entry.objects.bulk_update(entries, fields, batch_size=500)
    return len(entries)
