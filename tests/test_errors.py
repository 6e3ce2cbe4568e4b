"""The error pages: a styled page with the reason and a way home for 400, 403, 404 and 500 (JSON
under /api/, see tests/api/test_api_errors.py), and every page that refuses bad input saying why
on the styled 400."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ops_skills.errors import server_error
from ops_skills.evidence import services as evidence_services
from tests.factories import make_runbook, make_skill, make_system

pytestmark = pytest.mark.django_db

HOME_LINK = '<a class="btn" href="/">Go to the home page</a>'


def styled(response, status: int) -> str:
    """The page's HTML, after checking that it is the styled error page for ``status``."""
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"Error {status}" in html and 'class="card error-page"' in html
    assert 'class="topbar"' in html and HOME_LINK in html
    return html


def test_an_unknown_address_gets_the_styled_404(client_for, member):
    html = styled(client_for(member).get("/no-such-page/"), 404)
    assert "There is nothing here" in html
    assert "Resolver404" not in html and "tried" not in html
    assert "Max" in html  # the usual top bar, with the user menu


def test_an_anonymous_visitor_gets_the_styled_404_too(client_for):
    html = styled(client_for(None).get("/no-such-page/"), 404)
    assert "Log out" not in html


def test_a_views_own_404_message_is_shown_and_djangos_generic_one_is_not(client_for, member, team):
    runbook = make_runbook(make_system(team))
    html = styled(client_for(member).get(reverse("evidence:runbook-diff", args=[runbook.pk])), 404)
    assert "This runbook has no revisions." in html
    html = styled(client_for(member).get(reverse("people:person", args=[987654])), 404)
    assert "matches the given query" not in html
    assert "No page at this address, or none you can see" in html


def test_a_refusal_gets_the_styled_403_with_its_reason(client_for, member):
    html = styled(client_for(member).get(reverse("evidence:flagged")), 403)
    assert "You may not do that" in html
    assert "Leads and admins see the flagged executions." in html


def test_a_bad_week_gets_the_styled_400_with_its_message(client_for, lead):
    html = styled(client_for(lead).get(reverse("reports:index"), {"week": "2026-53x"}), 400)
    assert "is not a week (YYYY-Www, e.g. 2026-W33)." in html
    html = styled(client_for(lead).get(reverse("reports:index"), {"week": "2026-W33", "on": "2026-08-12"}), 400)
    assert "Ask for a date or a week, not both." in html


def test_unknown_people_in_a_report_export_get_the_styled_400(client_for, lead):
    response = client_for(lead).get(reverse("reports:export-json"), {"what_if": "nobody@example.com"})
    assert "Unknown people: nobody@example.com" in styled(response, 400)


def test_a_bad_revision_number_gets_the_styled_400(client_for, member, lead, team):
    runbook = make_runbook(make_system(team))
    evidence_services.runbook_save(runbook=runbook, author=lead)
    response = client_for(member).get(reverse("evidence:runbook-diff", args=[runbook.pk]), {"a": "x", "b": "1"})
    assert "Name two revisions by number" in styled(response, 400)


def test_a_bad_wish_gets_the_styled_400(client_for, member, team):
    skill = make_skill(make_system(team))
    response = client_for(member).post(reverse("planner:interest-toggle"), {"skill": skill.pk, "kind": "hoard"})
    assert "Say which skill, which wish" in styled(response, 400)


def test_the_error_page_links_back_to_our_own_page_only(client_for, member):
    client = client_for(member)
    html = styled(client.get("/no-such-page/", headers={"Referer": "http://testserver/people/"}), 404)
    assert '<a class="btn secondary" href="http://testserver/people/">Back to the previous page</a>' in html
    html = styled(client.get("/no-such-page/", headers={"Referer": "https://evil.example.com/"}), 404)
    assert "Back to the previous page" not in html and "evil.example.com" not in html


def test_a_server_error_gets_the_styled_500_with_the_request_id(client_for, member, monkeypatch):
    from ops_skills.web import views

    def broken(person):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.level_selectors, "levels_summary", broken)
    client = client_for(member)
    client.raise_request_exception = False
    response = client.get("/", headers={"X-Request-ID": "req-500"})
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "<code>req-500</code>" in html
    assert '<a class="btn" href="/">Go to the home page</a>' in html
    assert "boom" not in html and "Traceback" not in html


def test_the_500_page_needs_neither_the_database_nor_a_user(django_assert_num_queries):
    request = RequestFactory().get("/")  # no session, no user: what a failing middleware leaves
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_styled_403(client, member):
    client.handler.enforce_csrf_checks = True
    client.force_login(member)
    response = client.post(reverse("evidence:session-create"), {"duration_minutes": 30})
    html = styled(response, 403)
    assert "That form could not be sent" in html and "Reload the page" in html
