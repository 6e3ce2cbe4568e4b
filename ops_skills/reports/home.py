"""What the reports app shows on a person's home page (see ``ops_skills.people.views.home``)."""

from __future__ import annotations


def panel(person) -> dict | None:
    """A dict with at least ``template`` (a partial under templates/reports/) and its context, or
    None when there is nothing to show this person. Must run a fixed number of queries."""
    return None
