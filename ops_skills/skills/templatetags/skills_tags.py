from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ops_skills.skills import rules

register = template.Library()


def level_css(level, fresh: bool) -> str:
    """CSS classes of a level (a stored level, or the rule's ``Level`` in an explanation; None: no level)."""
    if level is None:
        return "l0"
    css = f"l{level.level}"
    if level.covers and not fresh:
        css += " stale"
    if level.self_assessed:
        css += " self"
    return css


def level_title(level, fresh: bool) -> str:
    if level is None:
        return "no level"
    parts = [f"{level.level} {level.label}"]
    if level.covers and not fresh:
        parts.append("stale")
    if level.self_assessed:
        parts.append("self-assessed")
    return " · ".join(parts)


@register.simple_tag
def matrix_cells(row) -> str:
    """The cells of one matrix row.

    Built here rather than in a template loop: a 60 × 400 matrix has 24,000 cells, and a template
    loop costs several times more per cell. Everything interpolated is an int or a fixed string.
    """
    parts = []
    looks: dict = {}  # (level, fresh) -> the class, title and text they show: few distinct ones
    for skill_id, level, fresh in row.cells:
        look = looks.get((level, fresh))
        if look is None:
            text = "·" if level is None else str(level.level)
            look = looks[level, fresh] = (level_css(level, fresh), level_title(level, fresh), text)
        css, title, text = look
        parts.append(
            f'<td><button type="button" class="{css}" data-s="{skill_id}" title="{title}">{text}</button></td>'
        )
    return mark_safe("".join(parts))


@register.simple_tag
def level_badge(level, fresh: bool = True) -> str:
    value = 0 if level is None else level.level
    return format_html(
        '<span class="lv {}" title="{}">{}</span>', level_css(level, fresh), level_title(level, fresh), value
    )


@register.filter
def level_label(value: int) -> str:
    return rules.LEVEL_LABELS.get(value, "")
