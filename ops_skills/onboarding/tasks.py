"""Background work of the onboarding app (Django's tasks framework).

``send_onboarding_reminders`` is meant to run once a day: enqueue it from a scheduler
(``send_onboarding_reminders.enqueue()``, run by ``manage.py db_worker``), or run the management
command of the same name from cron. Either way a reminder goes out once.
"""

from django.tasks import task
from django.utils import timezone

from ops_skills.onboarding import reminders, rules


@task
def send_onboarding_reminders(within_days: int = rules.DUE_SOON_DAYS) -> int:
    """Email new hires and buddies about items due within ``within_days`` days or overdue."""
    return reminders.reminders_send(today=timezone.localdate(), within_days=within_days)
