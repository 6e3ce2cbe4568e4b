"""Background work: the daily snapshot of the key figures (schedule it once a day)."""

from django.tasks import task

from ops_skills.reports import services


@task()
def take_daily_snapshot() -> int:
    """Enqueue with ``take_daily_snapshot.enqueue()``; returns how many snapshots were written."""
    return len(services.snapshot_take())
