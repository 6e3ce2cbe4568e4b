"""``{% if user|can_read_audit %}``: the navigation shows the audit trail to whom may read it."""

from django import template

from ops_skills.people import permissions

register = template.Library()
register.filter("can_read_audit", permissions.can_read_audit)
