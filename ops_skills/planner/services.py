"""Writes of the planner app, called by views, commands, the API and tasks."""

from __future__ import annotations


def assignments_complete_for(*, evidence) -> None:
    """Complete the open transfer assignments this newly confirmed evidence satisfies.

    Called by ``ops_skills.evidence.services.evidence_confirm`` inside its transaction."""
