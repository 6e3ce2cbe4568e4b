"""Checklist items that tick themselves from evidence.

One rule decides, ``rules.satisfies``; it is reached two ways. Evidence that already exists counts
when a checklist starts or when applying template changes adds items (``items_tick_from_existing``,
called by ``checklists``); evidence as it is confirmed, and a runbook as it is marked read, counts
at once (``checklists_tick_for`` and ``checklists_tick_for_read``, called by the flows that confirm
evidence and mark a runbook read, inside their transaction). The queries here only load candidates,
by the new hire and the runbooks or skills named, in a number that does not grow with the items or
the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import QuerySet
from django.utils import timezone

from ops_skills.evidence.models import PairingSession, RunbookExecution, RunbookRead
from ops_skills.onboarding import rules
from ops_skills.onboarding.models import Checklist, ChecklistItem

COMPLETED_BY = {
    rules.READ: ChecklistItem.CompletedBy.READ,
    rules.PAIRING: ChecklistItem.CompletedBy.PAIRING,
    rules.EXECUTION: ChecklistItem.CompletedBy.EXECUTION,
}
LINK_FIELD = {rules.READ: "read_id", rules.PAIRING: "session_id", rules.EXECUTION: "execution_id"}
TICK_FIELDS = ["done_at", "completed_by", "ticked_by", "read", "session", "execution"]
# What a fact is made of, in the order its maker takes them.
READ_COLUMNS = ["pk", "runbook_id", "person_id", "read_at"]
EXECUTION_COLUMNS = ["pk", "runbook_id", "performer_id", "environment", "outcome", "status", "occurred_at"]


def items_tick_from_existing(*, checklist: Checklist, items: Iterable[ChecklistItem]) -> None:
    """Tick those of ``items`` (of ``checklist``) that evidence existing already satisfies, each by
    the earliest such evidence. One query per kind of evidence the open items can be ticked by and
    one write, whatever their number; the caller refreshes whether the checklist is finished."""
    wanted = [(item, _rule_item(item, checklist)) for item in items if not item.is_done]
    wanted = [(item, rule_item) for item, rule_item in wanted if rule_item.kind in rules.TICKED_BY]
    facts = _existing_facts(checklist.person_id, [rule_item for _, rule_item in wanted])
    ticked = []
    for item, rule_item in wanted:
        if (fact := rules.first_satisfying(rule_item, facts)) is not None:
            _tick(item, fact)
            ticked.append(item)
    ChecklistItem.objects.bulk_update(ticked, TICK_FIELDS)


def checklists_tick_for(*, evidence) -> None:
    """Tick the open items of running checklists that this newly confirmed pairing session or
    runbook execution satisfies, and finish the checklists it completes.

    Called by ``evidence_confirm``, inside its transaction, once the evidence is confirmed."""
    if isinstance(evidence, PairingSession):
        fact = _session_fact(evidence.pk, evidence.occurred_at, evidence.status)
        if not rules.can_tick(fact):
            return
        # Subqueries keep this to one query; most sessions find nothing and stop here.
        items = list(
            _open_items(
                kind=rules.TICKS[fact.kind],
                skill__in=evidence.skills.all(),
                checklist__person__in=evidence.learners.all(),
            )
        )
        if items:  # the rule needs the learners and skills themselves
            fact = _with_learners_and_skills(fact)
    elif isinstance(evidence, RunbookExecution):
        fact = _execution_fact(*(getattr(evidence, column) for column in EXECUTION_COLUMNS))
        if not rules.can_tick(fact):
            return
        items = list(
            _open_items(kind=rules.TICKS[fact.kind], runbook_id=fact.runbook_id, checklist__person_id=fact.person_id)
        )
    else:
        return
    _tick_satisfied(items, fact)


def checklists_tick_for_read(*, read) -> None:
    """Tick the open "read runbook" items a runbook read mark satisfies, and finish the checklists
    it completes.

    Called by ``runbook_mark_read``, inside its transaction."""
    fact = _read_fact(*(getattr(read, column) for column in READ_COLUMNS))
    items = list(
        _open_items(kind=rules.TICKS[fact.kind], runbook_id=fact.runbook_id, checklist__person_id=fact.person_id)
    )
    _tick_satisfied(items, fact)


def _tick_satisfied(items: list[ChecklistItem], fact: rules.Fact) -> None:
    ticked = [item for item in items if rules.satisfies(_rule_item(item, item.checklist), fact)]
    for item in ticked:
        _tick(item, fact)
    if ticked:
        ChecklistItem.objects.bulk_update(ticked, TICK_FIELDS)
        Checklist.objects.filter(pk__in={i.checklist_id for i in ticked}).refresh_finished()


def _tick(item: ChecklistItem, fact: rules.Fact) -> None:
    item.done_at = fact.when
    item.completed_by = COMPLETED_BY[fact.kind]
    item.ticked_by = None
    item.read_id = item.session_id = item.execution_id = None
    setattr(item, LINK_FIELD[fact.kind], fact.id)


def _open_items(**filters) -> QuerySet:
    """Items not done on running checklists, with their checklist (whose, since when)."""
    return ChecklistItem.objects.filter(
        done_at__isnull=True, checklist__finished_at__isnull=True, **filters
    ).select_related("checklist")


def _existing_facts(person_id: int, items: list[rules.Item]) -> list[rules.Fact]:
    """The new hire's evidence on the runbooks and skills ``items`` name, whatever its date and
    status: one query per kind of evidence that can tick some of them, none for the others."""
    named = defaultdict(set)  # kind of evidence: the runbooks or skills named
    for item in items:
        kind = rules.TICKED_BY[item.kind]
        named[kind].add(item.skill_id if kind == rules.PAIRING else item.runbook_id)
    named = {kind: ids - {None} for kind, ids in named.items()}  # the runbook or skill was deleted
    facts = []
    if named.get(rules.READ):
        reads = RunbookRead.objects.filter(person_id=person_id, runbook_id__in=named[rules.READ])
        facts += [_read_fact(*row) for row in reads.values_list(*READ_COLUMNS)]
    if named.get(rules.PAIRING):
        # Sessions the new hire learned in: the other learners do not matter to their checklist.
        rows = PairingSession.skills.through.objects.filter(
            skill_id__in=named[rules.PAIRING], pairingsession__learners=person_id
        ).values_list("pairingsession_id", "pairingsession__occurred_at", "pairingsession__status", "skill_id")
        skills = defaultdict(set)  # (session, occurred at, status): its skills among those named
        for session_id, occurred_at, status, skill_id in rows:
            skills[session_id, occurred_at, status].add(skill_id)
        facts += [
            _session_fact(*session, learner_ids={person_id}, skill_ids=skill_ids)
            for session, skill_ids in skills.items()
        ]
    if named.get(rules.EXECUTION):
        executions = RunbookExecution.objects.filter(performer_id=person_id, runbook_id__in=named[rules.EXECUTION])
        facts += [_execution_fact(*row) for row in executions.values_list(*EXECUTION_COLUMNS)]
    return facts


# Rows as the rule sees them


def _rule_item(item: ChecklistItem, checklist: Checklist) -> rules.Item:
    return rules.Item(
        kind=item.kind,
        person_id=checklist.person_id,
        started_on=checklist.started_on,
        runbook_id=item.runbook_id,
        skill_id=item.skill_id,
    )


def _read_fact(pk, runbook_id, person_id, read_at) -> rules.Fact:
    return rules.Fact(
        kind=rules.READ,
        id=pk,
        when=read_at,
        on=timezone.localdate(read_at),
        person_id=person_id,
        runbook_id=runbook_id,
    )


def _execution_fact(pk, runbook_id, performer_id, environment, outcome, status, occurred_at) -> rules.Fact:
    return rules.Fact(
        kind=rules.EXECUTION,
        id=pk,
        when=occurred_at,
        on=timezone.localdate(occurred_at),
        person_id=performer_id,
        runbook_id=runbook_id,
        environment=environment,
        outcome=outcome,
        confirmed=status == RunbookExecution.Status.CONFIRMED,
    )


def _session_fact(pk, occurred_at, status, learner_ids=(), skill_ids=()) -> rules.Fact:
    return rules.Fact(
        kind=rules.PAIRING,
        id=pk,
        when=occurred_at,
        on=timezone.localdate(occurred_at),
        learner_ids=frozenset(learner_ids),
        skill_ids=frozenset(skill_ids),
        confirmed=status == PairingSession.Status.CONFIRMED,
    )


def _with_learners_and_skills(fact: rules.Fact) -> rules.Fact:
    """The pairing session of ``fact`` with its learners and skills, in one query (their pairs)."""
    pairs = list(PairingSession.objects.filter(pk=fact.id).values_list("learners", "skills"))
    return replace(
        fact,
        learner_ids=frozenset(learner for learner, _ in pairs if learner is not None),
        skill_ids=frozenset(skill for _, skill in pairs if skill is not None),
    )
