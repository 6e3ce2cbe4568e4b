"""The predicates of ``people.permissions`` as template filters, so that a page shows a button
exactly when the view behind it would let the viewer use it: ``{% if user|can_import %}``."""

from django import template

from ops_skills.people import permissions

register = template.Library()

for name in ("is_lead_or_admin", "can_import", "can_invite", "can_plan_somewhere", "can_see_flagged"):
    register.filter(name, getattr(permissions, name))


@register.filter
def can_manage(viewer, person) -> bool:
    return permissions.can_manage(viewer, person)


@register.filter
def can_write_runbooks_for(viewer, team_id) -> bool:
    """May write the first runbook of a system of ``team_id``."""
    return permissions.can_write_runbooks(viewer) and (viewer.is_admin or viewer.team_id == team_id)


@register.filter
def can_mark_left(viewer, person) -> bool:
    return permissions.can_mark_left(viewer, person)


@register.filter
def can_read_calendar(viewer, person) -> bool:
    return permissions.can_read_calendar(viewer, person)


@register.filter
def can_anonymise(viewer, person) -> bool:
    return permissions.can_anonymise(viewer, person)


@register.filter
def can_plan_for(viewer, team_id) -> bool:
    """May open the transfer plan of the team ``team_id`` ("Fix this" on a risk)."""
    return permissions.can_manage_team(viewer, team_id)
