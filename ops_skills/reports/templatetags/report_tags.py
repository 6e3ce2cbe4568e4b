"""Filters of the report pages that turn a loop of the template into one call: a ranked page
names some 4,000 key people on the large organisation."""

from collections.abc import Iterable

from django import template

register = template.Library()


@register.filter
def names(people: Iterable) -> str:
    """Each person's name (their email when they have none), separated by commas: what
    ``{% for p in people %}{{ p.name|default:p.email }}, …{% endfor %}`` writes."""
    return ", ".join(p.name or p.email for p in people)
