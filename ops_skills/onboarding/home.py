"""What the onboarding app shows on a person's home page (see ``ops_skills.web.views.home``)."""

from __future__ import annotations

from django.utils import timezone

from ops_skills.onboarding import selectors


def panel(person) -> dict | None:
    """The new hire's checklist (progress, what is due next, runbooks to read), the people they
    are buddy for, and for a lead the running onboardings; None when there is none of these. One
    query when there is nothing to show, two otherwise."""
    data = selectors.home_panel(person, today=timezone.localdate())
    if data is None:
        return None
    return {"template": "onboarding/_home_panel.html", **data}
