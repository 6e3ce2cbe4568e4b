"""Reading the audit trail: the entries a viewer may see, filtered, and what changed in words."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q

from ops_skills.audit.scope import KINDS
from ops_skills.people.models import Person
from ops_skills.skills.models import Skill

NOTHING = "None"  # how auditlog stores an empty value
NAMED_WITH = {Skill: ["system"]}  # what a record's name reads (a skill is "<system>/<skill>")


def entries_for(viewer):
    """Everything for an admin; for a lead, the entries about their team."""
    entries = get_logentry_model().objects.select_related("content_type", "actor")
    if viewer.is_admin:
        return entries
    return entries.filter(teams__contains=f"|{viewer.team_id}|")


def filtered(entries, *, q="", person=None, kind="", origin="", start=None, end=None):
    if q:
        entries = entries.filter(
            Q(object_repr__icontains=q)
            | Q(changes_text__icontains=q)
            | Q(actor_email__icontains=q)
            | Q(actor__name__icontains=q)
            | Q(path__icontains=q)
            | Q(token_name__icontains=q)
        )
    if person:
        entries = entries.filter(Q(actor_id=person) | Q(people__contains=f"|{person}|"))
    if kind:
        entries = entries.filter(content_type__in=[ContentType.objects.get_for_model(m) for m in KINDS[kind][1]])
    if origin:
        entries = entries.filter(origin=origin)
    if start:
        entries = entries.filter(timestamp__gte=start)
    if end:
        entries = entries.filter(timestamp__lt=end)
    return entries


def people_to_choose(viewer):
    """Whom the person filter offers: everyone for an admin, the lead's team (leavers too)."""
    people = Person.objects.order_by("name", "email").only("pk", "name", "email")
    return people if viewer.is_admin else people.filter(team_id=viewer.team_id)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def changes(entries: list) -> dict[int, list[Change]]:
    """What each entry changed, field by field, in words: choices by their labels, related records
    by their names (read now, so a renamed or anonymised person shows as they are now). One
    query per kind of related record on the page (people, teams, skills, runbooks)."""
    wanted: dict[type, set[int]] = {}
    plan = {}
    for entry in entries:
        model = entry.content_type.model_class()
        rows = []
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            related = getattr(field, "related_model", None) if field is not None and field.many_to_one else None
            if related is not None:
                for value in values:
                    if str(value).isdigit():
                        wanted.setdefault(related, set()).add(int(value))
            rows.append((name, field, related, values))
        plan[entry.pk] = rows
    names = {}
    for model, pks in wanted.items():
        records = model._default_manager.all()
        if model in NAMED_WITH:
            records = records.select_related(*NAMED_WITH[model])
        names[model] = records.in_bulk(pks)
    return {
        pk: [
            Change(
                str(field.verbose_name) if field is not None else name,
                _show(values[0], field, related, names),
                _show(values[1], field, related, names),
            )
            for name, field, related, values in rows
            if isinstance(values, (list, tuple)) and len(values) == 2
        ]
        for pk, rows in plan.items()
    }


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field the model no longer has
        return None


def _show(value, field, related, names) -> str:
    value = "" if value is None else str(value)
    if value in ("", NOTHING):
        return "—"
    if related is not None:
        found = names.get(related, {}).get(int(value)) if value.isdigit() else None
        return str(found) if found is not None else f"#{value} (deleted)"
    if field is not None and getattr(field, "choices", None):
        label = str(dict(field.flatchoices).get(_typed(value, field), value))
        return f"{value} · {label}" if value.isdigit() and label != value else label
    if value in ("True", "False"):
        return "yes" if value == "True" else "no"
    return value


def _typed(value: str, field):
    try:
        return field.to_python(value)
    except ValidationError:
        return value
