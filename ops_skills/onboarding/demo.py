"""Demo data for the onboarding app, added by ``manage.py seed_demo`` after people, systems,
skills, assessments and evidence exist. Idempotent: a second run creates nothing."""

from __future__ import annotations

from datetime import date


def seed(*, today: date) -> dict[str, int]:
    """Create this app's demo rows; return counts of what was created."""
    return {}
