"""Background work: the daily snapshot of the key figures (schedule it once a day)."""

import logging

from django.tasks import task

from ops_skills.levels import store
from ops_skills.reports import services

logger = logging.getLogger(__name__)


@task()
def take_daily_snapshot() -> int:
    """Enqueue with ``take_daily_snapshot.enqueue()``; returns how many snapshots were written.
    First recomputes the stored levels, a safety net that should find nothing to correct."""
    recompute_levels_checked()
    return len(services.snapshot_take())


def recompute_levels_checked() -> store.Changes:
    """``store.recompute_all``, with a warning when it had to correct anything: every write is
    meant to keep the stored levels right, so a correction means one did not."""
    changes = store.recompute_all()
    if changes.total:
        logger.warning(
            "Stored levels were out of date and are now corrected: %d added, %d changed, %d removed.",
            changes.added,
            changes.changed,
            changes.removed,
        )
    return changes
