from django import template
from django.utils.safestring import SafeString

from ops_skills.evidence.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text) -> SafeString:
    """``{{ notes|markdown }}``: Markdown as sanitised HTML (see ``ops_skills.evidence.markdown``)."""
    return render_markdown(str(text) if text is not None else "")
