"""Reads of evidence for the pages."""

from __future__ import annotations

from ops_skills.evidence.models import PairingSession, RunbookExecution


def recent_evidence(skills, limit: int = 10) -> list:
    """The latest pairing sessions and runbook executions on these skills, newest first.
    Five queries: executions, their participants; sessions, their learners, their skills."""
    executions = (
        RunbookExecution.objects.filter(runbook__skills__in=skills)
        .distinct()
        .select_related("runbook__system", "performer")
        .prefetch_related("participants")
        .order_by("-occurred_at", "-id")[:limit]
    )
    sessions = (
        PairingSession.objects.filter(skills__in=skills)
        .distinct()
        .select_related("mentor")
        .prefetch_related("learners", "skills__system")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return sorted([*executions, *sessions], key=lambda e: e.occurred_at, reverse=True)[:limit]
