# Placeholder until ops_skills/evidence/markdown.py lands: escapes everything.
from django import template
from django.utils.html import escape, linebreaks

register = template.Library()


@register.filter
def markdown(text):
    return linebreaks(escape(text))
