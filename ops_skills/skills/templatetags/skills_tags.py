from django import template
from django.utils.html import escape, format_html
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


def level_name(level, fresh: bool) -> str:
    """A level as a screen reader says it: "level 3 independent, stale, self-assessed"."""
    if level is None:
        return "level 0 none"
    parts = [f"level {level.level} {level.label}"]
    if level.covers:
        parts.append("fresh" if fresh else "stale")
    if level.self_assessed:
        parts.append("self-assessed")
    return ", ".join(parts)


def matrix_column_name(skill) -> str:
    """How a matrix cell names its skill: "postgres-main/Restore database from snapshot"."""
    return f"{skill.system}/{skill.name}"


def matrix_cell_name(person, skill, level, fresh: bool) -> str:
    """The accessible name of one matrix cell: person, skill and level."""
    return f"{person}, {matrix_column_name(skill)}: {level_name(level, fresh)}"


@register.simple_tag
def matrix_cells(row, column_names: list[str]) -> str:
    """The cells of one matrix row; ``column_names`` are the skills' names, already escaped.

    Built here rather than in a template loop: a 60 × 400 matrix has 24,000 cells, and a template
    loop costs several times more per cell. Everything interpolated is an int, a fixed string or
    escaped once per row or column. Every cell is out of the tab order (tabindex -1): the grid is
    one tab stop, and static/js/matrix.js moves it with the arrow keys (roving tabindex).
    """
    parts = []
    person = escape(str(row.person))
    looks: dict = {}  # (level, fresh) -> the class, name and text they show: few distinct ones
    for (skill_id, level, fresh), column in zip(row.cells, column_names, strict=True):
        look = looks.get((level, fresh))
        if look is None:
            text = "·" if level is None else str(level.level)
            look = looks[level, fresh] = (level_css(level, fresh), level_name(level, fresh), text)
        css, name, text = look
        parts.append(
            f'<td><button type="button" tabindex="-1" class="{css}" data-s="{skill_id}"'
            f' aria-label="{person}, {column}: {name}">{text}</button></td>'
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
