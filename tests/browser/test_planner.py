"""The demo lead plans Payments Ops' transfers: drops one proposal, accepts the rest; a learner
logs the pairing session with their mentor, the mentor confirms it, and the assignment is done."""

from playwright.sync_api import expect

from ops_skills.people.models import Team
from ops_skills.planner import plan as planning
from ops_skills.planner import selectors
from ops_skills.planner.models import Assignment
from tests.browser.conftest import log_in


def log_out(page, live_server):
    page.goto(f"{live_server.url}/")
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")


def test_lead_accepts_a_plan_and_a_pairing_session_completes_an_assignment(demo, live_server, page, shot):
    # The plan the page shows, computed here too, to pick the rows: the pairing session gives a
    # learner level 2, so the assignment followed to the end is one whose learner is below 2.
    data = selectors.plan_data(team=Team.objects.get(slug="payments"))
    proposals = planning.plan_transfers(data.input).assignments
    follow = next(i for i, a in enumerate(proposals) if data.input.levels.get((a.learner_id, a.skill_id), 0) < 2)
    drop = next(i for i in range(len(proposals)) if i != follow)
    followed = proposals[follow]
    mentor, learner = data.person(followed.mentor_id), data.person(followed.learner_id)
    skill = next(s for s in data.input.skills if s.id == followed.skill_id)
    before = Assignment.objects.count()

    log_in(page, live_server, "dana@example.com")
    page.goto(f"{live_server.url}/plan/?team=payments")
    expect(page.get_by_role("heading", name="Transfer plan · Payments Ops")).to_be_visible()
    expect(page.get_by_text("wants to learn it").first).to_be_visible()
    shot(page, "planner-plan")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "planner-plan-phone")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator(f"#keep-{drop}").uncheck()
    page.get_by_role("button", name="Accept the kept proposals").click()
    expect(page.get_by_text(f"{len(proposals) - 1} assignments accepted")).to_be_visible()
    expect(page.locator("tr.overdue")).to_have_count(1)  # the demo's overdue one comes first
    shot(page, "planner-assignments")
    assert Assignment.objects.count() == before + len(proposals) - 1
    assignment = Assignment.objects.get(skill_id=skill.id, learner_id=learner.id, status="active")
    log_out(page, live_server)

    log_in(page, live_server, learner.email)
    panel = page.locator(".home-assignments")
    expect(panel.get_by_text(skill.name)).to_be_visible()
    expect(panel.get_by_text("teaches you").first).to_be_visible()
    shot(page, "planner-home")
    # Wishes: marked from a matrix cell, listed on the person's own page.
    wish = next(s for s in data.input.skills if s.id != skill.id and learner.id not in s.holders)
    page.goto(f"{live_server.url}/matrix/?team=payments")
    page.locator(f'tr[data-p="{learner.id}"] button[data-s="{wish.id}"]').click()
    toggle = page.get_by_role("button", name="I want to learn this")
    toggle.click()
    expect(page.get_by_role("button", name="✓ I want to learn this")).to_have_attribute("aria-pressed", "true")
    shot(page, "planner-matrix-wish", full_page=False)
    page.goto(f"{live_server.url}/people/{learner.id}/")
    expect(page.locator("#person-interests").get_by_text(wish.name)).to_be_visible()
    shot(page, "planner-person-wishes")
    page.goto(f"{live_server.url}/evidence/pairing/new/")
    team_name = "Payments Ops"
    page.locator("#id_mentor").select_option(label=f"{mentor.name} · {team_name}")
    page.get_by_label("Find learners").fill(learner.name.split()[0])
    page.locator("#id_learners").select_option(label=f"{learner.name} · {team_name}")
    page.locator("#id_system").select_option(label=skill.system_slug)
    expect(page.locator("#id_skills option", has_text=skill.name)).to_have_count(1)
    page.locator("#id_skills").select_option(label=skill.name)
    page.locator("#id_duration_minutes").fill("60")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("Pairing session logged")).to_be_visible()
    session_url = page.url
    log_out(page, live_server)

    log_in(page, live_server, mentor.email)
    page.goto(session_url)
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed. It now counts towards levels.")).to_be_visible()
    page.goto(f"{live_server.url}/")
    done = page.locator(".home-assignments")
    expect(done.get_by_text("Done lately")).to_be_visible()
    expect(done.locator(".pill.done").first).to_be_visible()
    shot(page, "planner-home-mentor-done")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.level_at_end) == ("done", 2)
    log_out(page, live_server)

    log_in(page, live_server, "dana@example.com")
    page.goto(f"{live_server.url}/plan/assignments/?team=payments&status=done")
    expect(page.locator("tr.done")).to_have_count(1)
    expect(page.get_by_text("the evidence")).to_be_visible()
    shot(page, "planner-assignments-done")
