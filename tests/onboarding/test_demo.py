"""The demo: a Platform template, Ravi part-way through it, Aisha finished; idempotent."""

from datetime import date

from ops_skills.onboarding.models import Checklist, Kind, OnboardingTemplate
from ops_skills.web.management.commands.seed_demo import seed


def test_demo_new_hire_is_part_way_through_and_a_second_run_adds_nothing(db):
    today = date.today()
    counts = seed(today=today)
    assert counts["onboarding templates"] == 1 and counts["onboarding checklists"] == 2
    template = OnboardingTemplate.objects.get(team__slug="platform", name="SRE onboarding")
    assert template.role == "member"
    assert {Kind.ACCESS, Kind.MEET, Kind.TEXT, Kind.PAIR_SKILL} <= set(template.items.values_list("kind", flat=True))

    ravi = Checklist.objects.get(person__email="ravi@example.com")
    assert ravi.buddy.email == "marco@example.com"
    assert (today - ravi.started_on).days == 12
    done = list(ravi.items.filter(done_at__isnull=False))
    assert {"hand", "pairing"} <= {i.completed_by for i in done}  # and "read" once the demo has runbooks
    assert ravi.items.filter(done_at__isnull=True).count() > 0
    assert sum(1 for i in ravi.items.all() if i.is_overdue(today)) == 1
    assert not ravi.is_finished
    assert Checklist.objects.get(person__email="aisha@example.com").is_finished

    again = seed(today=today)
    assert again["onboarding templates"] == 0 and again["onboarding checklists"] == 0
    assert Checklist.objects.count() == 2
