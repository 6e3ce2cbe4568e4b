"""Background work: fetching every on-call schedule (``manage.py oncall_fetch`` does the same)."""

from django.tasks import task

from ops_skills.oncall import services
from ops_skills.oncall.models import Schedule


@task()
def fetch_schedules() -> int:
    """Fetch each schedule; returns how many failed (their last good copies stay)."""
    return sum(1 for fetched in services.schedules_fetch(schedules=Schedule.objects.all()) if fetched.error)


@task()
def fetch_schedule(schedule_id: int) -> str:
    """Fetch one schedule (queued by the rota page's "Fetch now"); returns its error, if any."""
    schedule = Schedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        return "gone"
    return services.schedule_fetch(schedule=schedule).error
