"""The stored current levels (``CurrentLevel``): the one place every page, export, command and
API endpoint reads a current level from.

A level depends on a person's assessments in a skill and the confirmed evidence they took part in
that exercises it (``rules.current_level``). Nothing refreshes the store behind a service's back:
each service that writes something a level depends on calls ``refresh`` (or one of the scope
helpers below) itself, inside its own transaction, and says so in its body:

- ``levels.services.assessment_record`` and the matrix import (assessments);
- ``ops_skills.flows``: evidence confirmed, disputed or edited, a runbook's skills, a skill's
  freshness window, and the admin's saves of those.

``recompute_all`` rebuilds the table (``manage.py recompute_levels``, the daily snapshot, the
first ``migrate``); ``differences`` is what ``recompute_levels --check`` and the test suite's
after-each-test check use to catch a write that bypassed the services.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.levels import bulk, rules
from ops_skills.levels.facts import evidence_facts, last_practised_from, levels_and_practice
from ops_skills.levels.models import CurrentLevel
from ops_skills.people.models import Person
from ops_skills.skills.models import Assessment, Skill

Pair = tuple[int, int]
Stored = tuple[int, str, str, datetime | None, date | None]  # (level, basis, reason, practised_at, fresh_until)
Scope = tuple[set[int], set[int]]  # (people, skills)
COLUMNS = ("person", "skill", "level", "basis", "reason", "practised_at", "fresh_until")


@dataclass(frozen=True)
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


def refresh(
    people: Iterable[int], skills: Iterable[int], *, freshness: dict[int, int] | None = None, locked: bool = False
) -> Changes:
    """Recompute and store the levels of these people in these skills. Writes only the rows
    that differ; a few queries whatever the scope: those of ``levels_and_practice``, the lock
    (PostgreSQL; ``locked`` when the caller's transaction already holds it on these people),
    the skills' freshness windows (unless given: skill id -> days), the stored rows, one upsert
    of what changed and one delete of what dropped to 0."""
    people, skills = sorted(set(people)), sorted(set(skills))
    if not people or not skills:
        return Changes()
    # Part of the caller's transaction (no savepoint of its own): a failure undoes the whole write.
    with transaction.atomic(savepoint=False):
        if not locked:
            _lock(Person.objects.filter(pk__in=bulk.values_in(people)))
        stored = CurrentLevel.objects.filter(person_id__in=bulk.values_in(people), skill_id__in=bulk.values_in(skills))
        return _write(_computed(people, skills, freshness), stored)


def refresh_after_import(cells: dict[Pair, int], *, at: datetime) -> Changes:
    """Store the levels of exactly the cells a matrix import just gave a lead assessment (cell ->
    level, all assessed ``at``), by the same rule as ``refresh`` but from the facts that can
    still count: that lead assessment (the latest: it supersedes every earlier one), each
    cell's latest self assessment, and the confirmed evidence of its person in its skill (for
    the level only what is dated after ``at``; for the last practice all of it). Reading every
    earlier assessment of 300,000 cells took longer than the import itself. Queries: the self
    assessments, the evidence (at most six), the lock (PostgreSQL), the freshness windows, the
    stored rows, one delete, one insert of the new rows and one upsert of the changed ones."""
    if not cells:
        return Changes()
    people, skills = sorted({p for p, _ in cells}), sorted({s for _, s in cells})
    with transaction.atomic(savepoint=False):
        _lock(Person.objects.filter(pk__in=bulk.values_in(people)))
        own = {}
        selves = Assessment.objects.filter(
            person_id__in=bulk.values_in(people), skill_id__in=bulk.values_in(skills), source=Assessment.Source.SELF
        )
        for fact_pair, fact in _latest_self_facts(selves).items():
            if fact_pair in cells:
                own[fact_pair] = fact
        evidence = evidence_facts(people, skills)
        practised = last_practised_from(evidence)
        freshness = dict(Skill.objects.filter(pk__in=bulk.values_in(skills)).values_list("pk", "freshness_days"))
        # The many cells with nothing but the new lead assessment (no practice, so no date and no
        # freshness) share one stored value per level: built once, not 300,000 times.
        lead_only: dict[int, Stored | None] = {}
        wanted = {}
        for pair, new in cells.items():
            if pair in own or pair in evidence:
                lead = rules.AssessmentFact(None, new, Assessment.Source.LEAD, at)
                level = rules.current_level([lead, *filter(None, [own.get(pair)])], evidence.get(pair, ()))
                if level.level > 0:
                    wanted[pair] = _stored(level, practised.get(pair), freshness[pair[1]])
                continue
            if new not in lead_only:
                only = rules.current_level([rules.AssessmentFact(None, new, Assessment.Source.LEAD, at)])
                lead_only[new] = _stored(only, None, 0) if only.level > 0 else None
            if lead_only[new] is not None:
                wanted[pair] = lead_only[new]
        stored = CurrentLevel.objects.filter(person_id__in=bulk.values_in(people), skill_id__in=bulk.values_in(skills))
        return _write(wanted, stored, only=set(cells))


def _latest_self_facts(selves) -> dict[Pair, rules.AssessmentFact]:
    latest: dict[Pair, rules.AssessmentFact] = {}
    rows = selves.order_by().values_list("id", "person_id", "skill_id", "level", "source", "assessed_at", "author_id")
    for pk, person_id, skill_id, level, source, at, author_id in rows:
        fact = rules.AssessmentFact(pk, level, source, at, author_id)
        known = latest.get((person_id, skill_id))
        if known is None or (at, pk) > (known.at, known.id):
            latest[person_id, skill_id] = fact
    return latest


def _stored(level: rules.Level, at: datetime | None, freshness_days: int, reason: str | None = None) -> Stored:
    # ``rules.is_fresh``: fresh while today - at.date() <= freshness_days.
    until = at.date() + timedelta(days=freshness_days) if at is not None else None
    return (level.level, level.basis, reason or level.explain()[:120], at, until)


def refresh_scope(*scopes: Scope) -> Changes:
    """``refresh`` over the union of the scopes (a write's scope before and after it)."""
    people: set[int] = set()
    skills: set[int] = set()
    for scope_people, scope_skills in scopes:
        people |= scope_people
        skills |= scope_skills
    return refresh(people, skills)


def recompute_all() -> Changes:
    """Recompute every stored level from scratch and correct what differs (nothing, unless
    something wrote around the services)."""
    with transaction.atomic():
        _lock(Person.objects.all())
        return _write(_computed(None, None), CurrentLevel.objects.all())


def differences() -> dict[Pair, tuple[Stored | None, Stored | None]]:
    """Every (person, skill) whose stored level is not what recomputing gives: pair ->
    (stored, recomputed), None for no row. Empty unless something wrote around the services.
    Writes nothing."""
    wanted = _computed(None, None)
    found: dict[Pair, tuple[Stored | None, Stored | None]] = {}
    seen = set()
    for _, person_id, skill_id, *value in _stored_rows(CurrentLevel.objects.all()):
        pair = (person_id, skill_id)
        seen.add(pair)
        if wanted.get(pair) != tuple(value):
            found[pair] = (tuple(value), wanted.get(pair))
    for pair, value in wanted.items():
        if pair not in seen:
            found[pair] = (None, value)
    return found


# The scope of a write: whose levels in which skills it can change. Only confirmed evidence
# counts towards a level, so evidence that is not confirmed has an empty scope.


def execution_scope(executions) -> Scope:
    """Performers and participants × runbook skills of these (confirmed) executions. Three queries."""
    executions = executions.filter(status=RunbookExecution.Status.CONFIRMED)
    people = set(executions.values_list("performer_id", flat=True))
    people |= set(
        RunbookExecution.participants.through.objects.filter(
            runbookexecution_id__in=executions.values("pk")
        ).values_list("person_id", flat=True)
    )
    skills = set(
        Runbook.skills.through.objects.filter(runbook_id__in=executions.values("runbook_id")).values_list(
            "skill_id", flat=True
        )
    )
    return people, skills


def session_scope(sessions) -> Scope:
    """Mentors and learners × skills of these (confirmed) sessions. Three queries."""
    sessions = sessions.filter(status=PairingSession.Status.CONFIRMED)
    ids = sessions.values("pk")
    people = set(sessions.values_list("mentor_id", flat=True))
    people |= set(
        PairingSession.learners.through.objects.filter(pairingsession_id__in=ids).values_list("person_id", flat=True)
    )
    skills = set(
        PairingSession.skills.through.objects.filter(pairingsession_id__in=ids).values_list("skill_id", flat=True)
    )
    return people, skills


def evidence_scope(evidence) -> Scope:
    """The scope of one execution or pairing session as the database has it now (empty unless
    it is confirmed). Three queries."""
    if isinstance(evidence, PairingSession):
        return session_scope(PairingSession.objects.filter(pk=evidence.pk))
    return execution_scope(RunbookExecution.objects.filter(pk=evidence.pk))


def runbook_scope(runbook: Runbook, skills: Iterable[int]) -> Scope:
    """Everyone in the runbook's confirmed executions × ``skills`` (those added or removed)."""
    people, _ = execution_scope(RunbookExecution.objects.filter(runbook=runbook))
    return people, set(skills)


def freshness_scope(skill: Skill) -> Scope:
    """A skill's new freshness window moves the day each stored practice stops keeping a cover
    fresh: everyone who practised it. One query."""
    practised = CurrentLevel.objects.filter(skill=skill, practised_at__isnull=False)
    return set(practised.values_list("person_id", flat=True)), {skill.pk}


def fill_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    """A database that gains the table (or whose rows a migration dropped) gets its levels at
    once, rather than empty reports until the nightly recompute. Connected in ``LevelsConfig``."""
    if using != "default":
        return
    if apps is not None:
        try:
            apps.get_model("levels", "CurrentLevel")
        except LookupError:
            return  # migrated back to before the table
    if not CurrentLevel.objects.exists():
        recompute_all()


def _stored_rows(stored):
    return (
        stored.order_by()
        .values_list("pk", "person_id", "skill_id", "level", "basis", "reason", "practised_at", "fresh_until")
        .iterator(chunk_size=10_000)
    )


def _lock(people) -> None:
    """Refreshes of the same people run one after the other on PostgreSQL, so the second reads
    what the first committed. FOR NO KEY UPDATE leaves inserts that refer to them unblocked.
    (SQLite runs one write transaction at a time anyway.)"""
    if connection.features.has_select_for_update:
        kwargs = {"no_key": True} if connection.features.has_select_for_no_key_update else {}
        list(people.select_for_update(**kwargs).order_by("pk").values_list("pk", flat=True))


def _computed(people, skills, freshness: dict[int, int] | None = None) -> dict[Pair, Stored]:
    levels, practised = levels_and_practice(people, skills)
    if freshness is None:
        freshness = dict(
            (
                Skill.objects.all() if skills is None else Skill.objects.filter(pk__in=bulk.values_in(skills))
            ).values_list("pk", "freshness_days")
        )
    return {
        pair: _stored(level, practised.get(pair), freshness[pair[1]])
        for pair, level in levels.items()
        if level.level > 0
    }


def _write(wanted: dict[Pair, Stored], stored, *, only: set[Pair] | None = None) -> Changes:
    """Make ``stored`` hold exactly ``wanted``: delete the rows no longer wanted (level 0), and
    insert the new and changed ones, a changed one replacing its row (an upsert). With ``only``,
    the stored rows of other pairs are left alone."""
    gone: list[int] = []
    unchanged: set[Pair] = set()
    present: set[Pair] = set()
    for pk, person_id, skill_id, *value in _stored_rows(stored):
        pair = (person_id, skill_id)
        if only is not None and pair not in only:
            continue
        present.add(pair)
        if pair not in wanted:
            gone.append(pk)
        elif wanted[pair] == tuple(value):
            unchanged.add(pair)
    for batch in itertools.batched(gone, 10_000):
        CurrentLevel.objects.filter(pk__in=bulk.values_in(batch)).delete()
    new = [(pair, value) for pair, value in wanted.items() if pair not in unchanged]
    changed = [(pair, value) for pair, value in new if pair in present]
    if only is None:  # a refresh: one upsert of what it adds and changes
        _insert(new)
    else:
        # An import: what it adds is inserted (streamed with COPY on PostgreSQL, which cannot
        # upsert; 300,000 rows of a new sheet), what it changes replaces its row.
        _insert([(pair, value) for pair, value in new if pair not in present], upsert=False)
        _insert(changed)
    return Changes(added=len(new) - len(changed), changed=len(changed), removed=len(gone))


def _insert(rows: list[tuple[Pair, Stored]], *, upsert: bool = True) -> None:
    """Insert or replace these stored levels (``bulk.insert``): a model instance per row made
    ``bulk_create`` of 350,000 levels take several times longer than the computation itself.
    ``upsert=False``: none of them is stored yet."""
    if not rows:
        return
    opts = CurrentLevel._meta
    # The backend's own adapters: ``Field.get_db_prep_save`` checks each value again, and took
    # as long as the inserts themselves.
    adapt_datetime, adapt_date = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    bulk.insert(
        opts.db_table,
        [opts.get_field(name).column for name in COLUMNS],
        ["bigint", "bigint", "smallint", "text", "text", "timestamptz", "date"],
        # In (person, skill) order: the unique index grows at its end instead of being split.
        (
            (person_id, skill_id, level, basis, reason, adapt_datetime(at), adapt_date(fresh))
            for (person_id, skill_id), (level, basis, reason, at, fresh) in sorted(rows)
        ),
        conflict=[opts.get_field(name).column for name in COLUMNS[:2]] if upsert else (),
    )
