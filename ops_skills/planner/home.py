"""What the planner app shows on a person's home page (see ``ops_skills.web.views.home``)."""

from __future__ import annotations


def panel(person) -> dict | None:
    """The person's transfer assignments. The panel's template loads them from
    ``planner:mine`` with htmx once the home page is shown, so the home page runs no query for
    it; that fragment runs one (see ``selectors.my_assignments``)."""
    return {"template": "planner/_home_panel.html"}
