"""The planner's demo data: wishes, one running and one overdue assignment on Payments Ops."""

from datetime import date

from ops_skills.planner.models import Assignment, Interest
from ops_skills.web.management.commands.seed_demo import seed


def test_demo_has_wishes_and_a_running_and_an_overdue_assignment(db):
    today = date.today()
    counts = seed(today=today)
    assert counts["interests"] >= 3 and counts["assignments"] == 2
    assert Interest.objects.filter(
        person__email="bob@example.com", skill__slug="payment-batch-failover-to-the-secondary-region", kind="learn"
    ).exists()
    states = sorted(a.state(today) for a in Assignment.objects.filter(skill__system__team__slug="payments"))
    assert states == ["active", "overdue"]
    again = seed(today=today)
    assert again["interests"] == 0 and again["assignments"] == 0
    assert Assignment.objects.count() == 2
