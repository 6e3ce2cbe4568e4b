"""Keep the stored current levels in step with evidence (see ``skills.levels``).

Only confirmed evidence counts towards a level, so writes on evidence that is not confirmed, and
was not before, change nothing. Each receiver works out the people and skills a write touches:

- an execution: its performer and participants × its runbook's skills;
- a pairing session: its mentor and learners × its skills;
- a runbook's skills: everyone in its confirmed executions × the skills added or removed.

Deletes that cascade from a person, skill or system need nothing: the stored levels of what is
deleted go with it, and nobody else's level depends on it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.skills import levels
from ops_skills.skills.signals import deleted_for_itself

CONFIRMED = RunbookExecution.Status.CONFIRMED  # both kinds share Evidence.Status
# The fields whose change can change a level; others (notes, links, who decided) cannot.
LEVEL_FIELDS = {
    RunbookExecution: ("status", "runbook_id", "performer_id", "environment", "outcome", "occurred_at"),
    PairingSession: ("status", "mentor_id", "occurred_at"),
}
Scope = tuple[set[int], set[int]]  # (people, skills)


def execution_scope(executions: QuerySet) -> Scope:
    """Performers and participants × runbook skills of these executions. Three queries."""
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


def session_scope(sessions: QuerySet) -> Scope:
    """Mentors and learners × skills of these sessions. Three queries."""
    ids = sessions.values("pk")
    people = set(sessions.values_list("mentor_id", flat=True))
    people |= set(
        PairingSession.learners.through.objects.filter(pairingsession_id__in=ids).values_list("person_id", flat=True)
    )
    skills = set(
        PairingSession.skills.through.objects.filter(pairingsession_id__in=ids).values_list("skill_id", flat=True)
    )
    return people, skills


SCOPES = {RunbookExecution: execution_scope, PairingSession: session_scope}


def _union(*scopes: Scope | None) -> Scope:
    people, skills = set(), set()
    for scope in scopes:
        if scope is not None:
            people |= scope[0]
            skills |= scope[1]
    return people, skills


def _confirmed(model, pks) -> QuerySet:
    return model.objects.filter(pk__in=pks, status=CONFIRMED)


# Saves: the scope before (when it was confirmed) and after (when it is).


@receiver(pre_save, sender=RunbookExecution, dispatch_uid="current_level_execution_before")
@receiver(pre_save, sender=PairingSession, dispatch_uid="current_level_session_before")
def evidence_before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance._levels_before = None
    fields = LEVEL_FIELDS[sender]
    if raw or instance._state.adding or instance.pk is None:
        return
    names = {*fields, *(f.removesuffix("_id") for f in fields)}  # update_fields may name either
    if update_fields is not None and not names & set(update_fields):
        instance._levels_before = "unchanged"
        return
    old = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    if old is None:
        return
    scope = SCOPES[sender](sender.objects.filter(pk=instance.pk)) if old[0] == CONFIRMED else None
    instance._levels_before = (old, scope)


@receiver(post_save, sender=RunbookExecution, dispatch_uid="current_level_execution_after")
@receiver(post_save, sender=PairingSession, dispatch_uid="current_level_session_after")
def evidence_after_save(sender, instance, raw=False, **kwargs) -> None:
    before = getattr(instance, "_levels_before", None)
    instance._levels_before = None
    if raw or before == "unchanged":
        return
    old, old_scope = before or (None, None)
    now = tuple(getattr(instance, f) for f in LEVEL_FIELDS[sender])
    if old == now or (old_scope is None and instance.status != CONFIRMED):
        return
    new_scope = SCOPES[sender](sender.objects.filter(pk=instance.pk)) if instance.status == CONFIRMED else None
    levels.refresh(*_union(old_scope, new_scope))


# Deletes of the evidence itself: its scope is read before the rows go.


@receiver(pre_delete, sender=RunbookExecution, dispatch_uid="current_level_execution_deleting")
@receiver(pre_delete, sender=PairingSession, dispatch_uid="current_level_session_deleting")
def evidence_before_delete(sender, instance, origin=None, **kwargs) -> None:
    instance._levels_before = None
    if deleted_for_itself(origin, sender):
        # Confirmed as the database has it: the instance deleted may have been read before.
        instance._levels_before = SCOPES[sender](sender.objects.filter(pk=instance.pk, status=CONFIRMED))


@receiver(post_delete, sender=RunbookExecution, dispatch_uid="current_level_execution_deleted")
@receiver(post_delete, sender=PairingSession, dispatch_uid="current_level_session_deleted")
def evidence_after_delete(sender, instance, **kwargs) -> None:
    scope = getattr(instance, "_levels_before", None)
    if scope is not None:
        levels.refresh(*scope)


# Who took part, which skills a session or runbook exercises. ``instance`` is either side of
# the relation (``execution.participants.add(p)`` or ``person.executions_attended.add(e)``), and
# ``clear`` names no pks, so they are read before it.


def _m2m_scope(relation: str, instance, reverse: bool, pks) -> Scope:
    match relation, reverse:
        case "participants", False:
            if instance.status != CONFIRMED:
                return set(), set()
            return set(pks), execution_scope(RunbookExecution.objects.filter(pk=instance.pk))[1]
        case "participants", True:
            return {instance.pk}, execution_scope(_confirmed(RunbookExecution, pks))[1]
        case "learners", False:
            if instance.status != CONFIRMED:
                return set(), set()
            return set(pks), session_scope(PairingSession.objects.filter(pk=instance.pk))[1]
        case "learners", True:
            return {instance.pk}, session_scope(_confirmed(PairingSession, pks))[1]
        case "session skills", False:
            if instance.status != CONFIRMED:
                return set(), set()
            return session_scope(PairingSession.objects.filter(pk=instance.pk))[0], set(pks)
        case "session skills", True:
            return session_scope(_confirmed(PairingSession, pks))[0], {instance.pk}
        case "runbook skills", False:
            executions = RunbookExecution.objects.filter(runbook=instance, status=CONFIRMED)
            return execution_scope(executions)[0], set(pks)
        case "runbook skills", True:
            executions = RunbookExecution.objects.filter(runbook_id__in=pks, status=CONFIRMED)
            return execution_scope(executions)[0], {instance.pk}
    raise ValueError(relation)


RELATIONS = {
    RunbookExecution.participants.through: ("participants", "person_id", "runbookexecution_id"),
    PairingSession.learners.through: ("learners", "person_id", "pairingsession_id"),
    PairingSession.skills.through: ("session skills", "skill_id", "pairingsession_id"),
    Runbook.skills.through: ("runbook skills", "skill_id", "runbook_id"),
}


def related_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    relation, target, source = RELATIONS[sender]
    if action == "pre_clear":
        # Forward, the instance is the record (source) and the pks are targets; reverse, the other way.
        mine, theirs = (target, source) if reverse else (source, target)
        instance._levels_cleared = set(sender.objects.filter(**{mine: instance.pk}).values_list(theirs, flat=True))
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_levels_cleared", set())
        instance._levels_cleared = None
    elif action not in ("post_add", "post_remove"):
        return
    if pk_set:
        levels.refresh(*_m2m_scope(relation, instance, reverse, pk_set))


for through in RELATIONS:
    m2m_changed.connect(related_changed, sender=through, dispatch_uid=f"current_level_{through._meta.db_table}")
