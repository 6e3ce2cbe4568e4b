"""Writes of the onboarding app, called by views, commands, the API and tasks."""

from __future__ import annotations


def checklists_tick_for(*, evidence) -> None:
    """Tick the onboarding checklist items this newly confirmed evidence satisfies.

    Called by ``ops_skills.evidence.services.evidence_confirm`` inside its transaction."""


def checklists_tick_for_read(*, read) -> None:
    """Tick the "read runbook" items a runbook read mark satisfies.

    Called by ``ops_skills.evidence.services.runbook_mark_read`` inside its transaction."""
