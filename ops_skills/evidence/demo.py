"""Demo runbooks and runbook executions, added by ``manage.py seed_demo``. Idempotent."""

from __future__ import annotations

from datetime import date


def seed(*, today: date) -> dict[str, int]:
    return {}
