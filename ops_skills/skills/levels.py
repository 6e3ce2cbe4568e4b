"""The stored current levels (``CurrentLevel``): refreshed with every write that can change one.

A level depends on a person's assessments in a skill and the confirmed evidence they took part in
that exercises it (``rules.current_level``). The receivers in ``skills.signals`` and
``evidence.signals`` call ``refresh`` for the people and skills a write touches, inside that
write's transaction, so a report never disagrees with the matrix. Writes that bypass signals
(the matrix import's bulk INSERT, the demo and benchmark generators) call ``refresh`` or
``recompute_all`` themselves, and the daily snapshot runs ``recompute_all`` as a safety net.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from ops_skills.people.models import Person
from ops_skills.skills.models import CurrentLevel, Skill
from ops_skills.skills.selectors import levels_and_practice

Pair = tuple[int, int]
Stored = tuple[int, datetime | None, date | None]  # (level, practised_at, fresh_until)
INSERT_BATCH = 20_000


@dataclass(frozen=True)
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


def refresh(people: Iterable[int], skills: Iterable[int]) -> Changes:
    """Recompute and store the levels of these people in these skills. Writes only the rows
    that differ; a few queries whatever the scope (those of ``levels_and_practice``, the lock,
    the stored rows, one delete, batched inserts)."""
    people, skills = sorted(set(people)), sorted(set(skills))
    if not people or not skills:
        return Changes()
    with transaction.atomic():
        _lock(Person.objects.filter(pk__in=people))
        stored = CurrentLevel.objects.filter(person_id__in=people, skill_id__in=skills)
        return _write(_computed(people, skills), stored)


def recompute_all() -> Changes:
    """Recompute every stored level from scratch and correct what differs (none, unless
    something wrote around the receivers)."""
    with transaction.atomic():
        _lock(Person.objects.all())
        return _write(_computed(None, None), CurrentLevel.objects.all())


def differences() -> dict[Pair, tuple[Stored | None, Stored | None]]:
    """Every (person, skill) whose stored level is not what recomputing gives: pair ->
    (stored, recomputed), None for no row. Empty unless something wrote around the receivers.
    Writes nothing."""
    wanted = _computed(None, None)
    found: dict[Pair, tuple[Stored | None, Stored | None]] = {}
    seen = set()
    for _, person_id, skill_id, level, practised_at, fresh_until in _stored_rows(CurrentLevel.objects.all()):
        pair = (person_id, skill_id)
        seen.add(pair)
        if wanted.get(pair) != (level, practised_at, fresh_until):
            found[pair] = ((level, practised_at, fresh_until), wanted.get(pair))
    for pair, value in wanted.items():
        if pair not in seen:
            found[pair] = (None, value)
    return found


def _stored_rows(stored):
    return (
        stored.order_by()
        .values_list("pk", "person_id", "skill_id", "level", "practised_at", "fresh_until")
        .iterator(chunk_size=10_000)
    )


def _lock(people) -> None:
    """Refreshes of the same people run one after the other on PostgreSQL, so the second reads
    what the first committed. FOR NO KEY UPDATE leaves inserts that refer to them unblocked.
    (SQLite runs one write transaction at a time anyway.)"""
    if connection.features.has_select_for_update:
        kwargs = {"no_key": True} if connection.features.has_select_for_no_key_update else {}
        list(people.select_for_update(**kwargs).order_by("pk").values_list("pk", flat=True))


def _computed(people, skills) -> dict[Pair, Stored]:
    levels, practised = levels_and_practice(people, skills)
    freshness = dict(
        (Skill.objects.all() if skills is None else Skill.objects.filter(pk__in=skills)).values_list(
            "pk", "freshness_days"
        )
    )
    computed = {}
    for pair, level in levels.items():
        if level.level > 0:
            at = practised.get(pair)
            # ``rules.is_fresh``: fresh while today - at.date() <= freshness_days.
            until = at.date() + timedelta(days=freshness[pair[1]]) if at is not None else None
            computed[pair] = (level.level, at, until)
    return computed


def _write(wanted: dict[Pair, Stored], stored) -> Changes:
    """Make ``stored`` hold exactly ``wanted``: delete the rows that differ, insert the rest."""
    stale: dict[Pair, int] = {}
    unchanged: set[Pair] = set()
    for pk, person_id, skill_id, level, practised_at, fresh_until in _stored_rows(stored):
        if wanted.get((person_id, skill_id)) == (level, practised_at, fresh_until):
            unchanged.add((person_id, skill_id))
        else:
            stale[person_id, skill_id] = pk
    for batch in itertools.batched(stale.values(), 10_000):
        CurrentLevel.objects.filter(pk__in=batch).delete()
    new = [(pair, value) for pair, value in wanted.items() if pair not in unchanged]
    _insert(new)
    changed = sum(1 for pair, _ in new if pair in stale)
    return Changes(added=len(new) - changed, changed=changed, removed=len(stale) - changed)


def _insert(rows: list[tuple[Pair, Stored]]) -> None:
    """A plain INSERT run with executemany: a model instance per row made ``bulk_create`` of
    350,000 levels take several times longer than the computation itself."""
    if not rows:
        return
    opts = CurrentLevel._meta
    names = ("person", "skill", "level", "practised_at", "fresh_until")
    columns = ", ".join(connection.ops.quote_name(opts.get_field(name).column) for name in names)
    # The backend's own adapters: ``Field.get_db_prep_save`` checks each value again, and took
    # as long as the inserts themselves.
    adapt_datetime, adapt_date = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    # Table and column names come from the model.
    sql = f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        # In (person, skill) order: the unique index grows at its end instead of being split.
        for batch in itertools.batched(sorted(rows), INSERT_BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        person_id,
                        skill_id,
                        level,
                        adapt_datetime(at),
                        adapt_date(fresh),
                    )
                    for (person_id, skill_id), (level, at, fresh) in batch
                ],
            )
