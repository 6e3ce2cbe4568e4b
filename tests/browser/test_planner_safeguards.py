"""The plan page says who it left out and why (issue 13): a key person away this week, a new
hire in onboarding, someone created by an import who never logged in, an admin on no team."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ops_skills.onboarding.models import Checklist
from ops_skills.people.models import Person, Team
from ops_skills.planner import selectors
from ops_skills.reports.models import Absence
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import make_person


def test_the_plan_page_lists_who_was_left_out_and_why(demo, live_server, page, shot):
    payments = Team.objects.get(slug="payments")
    data = selectors.plan_data(team=payments)
    mentors = {a.mentor_id for a in selectors.planning.plan_transfers(data.input).assignments}
    away = Person.objects.filter(pk__in=mentors).order_by("email").first()
    monday, _ = selectors.week_of(timezone.localdate())
    Absence.objects.create(person=away, starts_on=monday, ends_on=monday + timedelta(days=4), note="Training")
    newbie = make_person(payments, email="newbie@example.com", name="Nora Newbie")
    Checklist.objects.create(person=newbie, team=payments, started_on=timezone.localdate())
    imported = make_person(payments, email="imported@example.com", name="Ivo Imported")
    imported.set_unusable_password()
    imported.save()
    make_person(None, Person.Role.ADMIN, email="root@example.com", name="Rita Root")

    log_in(page, live_server, "dana@example.com")
    page.goto(f"{live_server.url}/plan/?team=payments")
    card = page.locator(".plan-left-out")
    expect(card.get_by_role("heading", name="Left out of this plan")).to_be_visible()
    expect(card.get_by_text(f"{away.name} — away")).to_be_visible()
    expect(card.get_by_text("Nora Newbie — still in onboarding")).to_be_visible()
    expect(card.get_by_text("Ivo Imported — has never logged in (invite them)")).to_be_visible()
    expect(card.get_by_text("Rita Root — admin on no team")).to_be_visible()
    # Nobody left out is proposed in the part they are left out of.
    for cell in page.locator(".plan-table td:nth-child(3) .why strong").all_inner_texts():
        assert cell != away.name
    for cell in page.locator(".plan-table td:nth-child(4) .why strong").all_inner_texts():
        assert cell not in {away.name, "Ivo Imported", "Rita Root"}
    card.scroll_into_view_if_needed()
    shot(page, "planner-left-out")
    assert_accessible(page, "plan page with people left out")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "planner-left-out-phone")
    page.set_viewport_size({"width": 1440, "height": 900})

    # The report for the same week: a day of training counts the person as present.
    Absence.objects.create(person=newbie, starts_on=monday + timedelta(days=1), ends_on=monday + timedelta(days=1))
    year, week, _ = monday.isocalendar()
    page.goto(f"{live_server.url}/reports/?team=payments&week={year}-W{week:02d}")
    note = page.locator(".span-note")
    expect(note).to_contain_text(f"{away.name}: away 5 of 5 days — counted as away")
    expect(note).to_contain_text("Nora Newbie: away 1 of 5 days — still counted as present")
    shot(page, "reports-week-away", full_page=False)
