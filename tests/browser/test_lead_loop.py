"""The demo lead's action loop: the home page's inbox tells Priya of a member's dispute and of a
staging run between two of her people; she confirms the dispute, then follows "Fix this" on a
single point of knowledge to the transfer plan for that skill and accepts it."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ops_skills.evidence.models import PairingSession, Runbook, RunbookExecution
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment
from ops_skills.skills.models import Skill
from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS, log_in


def _disputed_and_staging():
    people = {p.email.split("@")[0]: p for p in Person.objects.filter(team__slug="platform")}
    skill = Skill.objects.filter(system__team__slug="platform").order_by("pk").first()
    disputed = PairingSession.objects.create(
        mentor=people["marco"],
        duration_minutes=45,
        occurred_at=timezone.now() - timedelta(days=2),
        logged_by=people["marco"],
        status=PairingSession.Status.DISPUTED,
        decided_by=people["ravi"],
        decided_at=timezone.now() - timedelta(days=1),
        dispute_reason="We only read the runbook, I did not do it myself.",
    )
    disputed.learners.set([people["ravi"]])
    disputed.skills.set([skill])
    runbook = Runbook.objects.filter(system__team__slug="platform").order_by("pk").first()
    staging = RunbookExecution.objects.create(
        runbook=runbook,
        performer=people["jonas"],
        environment="staging",
        outcome="success",
        occurred_at=timezone.now() - timedelta(hours=5),
        logged_by=people["jonas"],
    )
    staging.participants.set([people["aisha"]])
    return disputed, staging


def test_lead_confirms_a_dispute_from_the_inbox_then_fixes_a_single_point(demo, live_server, page, shot):
    disputed, staging = _disputed_and_staging()
    log_in(page, live_server, "priya@example.com")

    inbox = page.locator("#inbox")
    expect(inbox.get_by_role("heading", name="Disputed by a member")).to_be_visible()
    expect(inbox.get_by_text("We only read the runbook, I did not do it myself.")).to_be_visible()
    expect(inbox.locator(f'a[href="{staging.get_absolute_url()}"]').first).to_be_visible()
    expect(inbox.get_by_text("1 disputed")).to_be_visible()
    shot(page, "lead-loop-home-inbox")
    inbox.screenshot(path=str(SCREENSHOTS / "lead-loop-inbox-card.png"))
    assert_accessible(page, "lead home with the inbox")
    page.set_viewport_size({"width": 390, "height": 844})
    inbox.screenshot(path=str(SCREENSHOTS / "lead-loop-inbox-card-phone.png"))
    page.set_viewport_size({"width": 1440, "height": 900})

    inbox.get_by_role("link", name="Confirm or leave it").first.click()
    page.wait_for_url(f"**{disputed.get_absolute_url()}")
    expect(page.get_by_role("button", name="Leave it disputed")).to_be_visible()
    shot(page, "lead-loop-dispute")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed. It now counts towards levels.")).to_be_visible()
    disputed.refresh_from_db()
    assert disputed.status == "confirmed" and disputed.decided_by.email == "priya@example.com"

    page.goto(f"{live_server.url}/")
    expect(page.locator("#inbox").get_by_text("Disputed by a member")).to_have_count(0)
    spok = page.locator("section.card", has=page.get_by_role("heading", name="Where Platform hangs on one person"))
    # A skill nobody covers: the plan says why nothing can be proposed for it.
    spok.locator("li", has=page.locator(".pill.bad")).locator("a.fix-this").first.click()
    expect(page.locator("#fix").get_by_text("nobody covers it, so nobody can teach it")).to_be_visible()
    shot(page, "lead-loop-plan-uncovered-skill")
    page.go_back()

    # A single point the plan has a transfer for (the skills of the whole plan's rows tell which).
    page.goto(f"{live_server.url}/plan/")
    rows = page.locator("input[type=hidden][name^=skill-]")
    proposed = {int(rows.nth(i).get_attribute("value")) for i in range(rows.count())}
    page.goto(f"{live_server.url}/")
    links = spok.locator("li", has_text="only ").locator("a.fix-this")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    href = next(h for h in hrefs if int(h.split("skill=")[1].split("#")[0]) in proposed)
    skill = Skill.objects.select_related("system").get(pk=int(href.split("skill=")[1].split("#")[0]))
    spok.locator(f'a.fix-this[href="{href}"]').click()
    expect(page.get_by_role("heading", name=f"Fixing {skill.system.name} · {skill.name}")).to_be_visible()
    shot(page, "lead-loop-plan-for-one-skill")
    assert_accessible(page, "plan opened on one skill")
    kept = page.locator("input[name^=keep-]:checked").count()
    assert kept, "the demo's first single point of Platform has a proposal"
    assert page.locator("input[name^=keep-]").count() > kept  # the other proposals are unticked
    before, before_all = Assignment.objects.filter(skill=skill).count(), Assignment.objects.count()
    page.get_by_role("button", name="Accept the kept proposals").click()
    expect(page.get_by_text("accepted; the mentors and learners have been told")).to_be_visible()
    # Only that skill's transfers were created.
    assert Assignment.objects.filter(skill=skill).count() == before + kept
    assert Assignment.objects.count() == before_all + kept
    shot(page, "lead-loop-accepted")


def test_admin_home_shows_the_organisations_risk(demo, live_server, page, shot):
    log_in(page, live_server, "admin@example.com")
    panel = page.locator("section.org-risk")
    expect(panel.get_by_role("heading", name="Where the organisation hangs on one person")).to_be_visible()
    expect(panel.get_by_role("heading", name="Lowest truck factor")).to_be_visible()
    expect(page.get_by_text("Nobody to teach right now.")).to_have_count(0)
    shot(page, "admin-home-org-risk")
    assert_accessible(page, "admin home")
    panel.locator("a.fix-this").first.click()
    expect(page.get_by_role("heading", name="Fixing")).to_be_visible()
