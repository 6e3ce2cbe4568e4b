"""Names and titles are one line, no text holds a NUL, dates parse or say why: at every input
(forms, the admin, query strings), and mails go out whatever is already stored (issue 12,
findings 1, 3 and 4)."""

from datetime import date
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from django.utils import timezone

from ops_skills.api.forms import TokenForm
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.people.forms import SignupExtraForm
from ops_skills.people.http import parse_date, parse_moment, parse_week
from ops_skills.people.models import Invitation, Notice, Person
from ops_skills.people.validators import validate_single_line
from ops_skills.reports.services import validate_span
from tests.factories import make_person, make_runbook, make_skill, make_system

BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]
CONTROLS = ["\t", "\x00", "\x1b", "\x7f"]
FORM_ENCODED = "application/x-www-form-urlencoded"


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Restore the main database")


# The validator ---------------------------------------------------------------------------


@pytest.mark.parametrize("char", BREAKS)
def test_a_line_break_is_refused_with_a_clear_message(char):
    with pytest.raises(ValidationError, match="one line"):
        validate_single_line(f"Eve{char}Bcc: victim@example.com")


@pytest.mark.parametrize("char", CONTROLS)
def test_other_control_characters_are_refused_by_code_point(char):
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        validate_single_line(f"Eve{char}Evil")


@pytest.mark.parametrize("name", ["Zoë O'Brien-Åberg", "李小龍", "Ana 👩‍👩‍👧 (she/her)", "", "R\u200bTL \u202eabc"])
def test_ordinary_names_pass(name):
    validate_single_line(name)


# Forms and the admin ---------------------------------------------------------------------


def test_signup_form_refuses_a_name_on_two_lines():
    form = SignupExtraForm(data={"name": "Eve\nEvil"})
    assert not form.is_valid()
    assert "one line" in str(form.errors["name"])


def test_invitation_form_refuses_a_name_on_two_lines(client_for, lead, team):
    response = client_for(lead).post(
        reverse("people:invitations"),
        {"email": "new@example.com", "name": "New\u2028Person", "team": team.pk, "role": "member"},
    )
    assert "one line" in str(response.context["form"].errors["name"])
    assert not Invitation.objects.exists()


def test_admin_refuses_a_person_name_on_two_lines(client_for, admin_user, team):
    response = client_for(admin_user).post(
        reverse("admin:people_person_add"),
        {
            "email": "eve@example.com",
            "name": "Eve\r\nEvil",
            "team": team.pk,
            "role": "member",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 200
    assert "one line" in str(response.context["adminform"].form.errors["name"])
    assert not Person.objects.filter(email="eve@example.com").exists()


@pytest.mark.parametrize("field", ["name", "title"])
def test_person_model_refuses_line_breaks_in_name_and_job_title(member, field):
    setattr(member, field, "Max\nMember")
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert field in caught.value.message_dict


def test_runbook_form_refuses_a_title_on_two_lines(client_for, lead, system, skill):
    response = client_for(lead).post(
        reverse("evidence:runbook-create"),
        {
            "system": system.pk,
            "title": "Restore\nBcc: x@example.com",
            "skills": [skill.pk],
            "review_interval_days": 180,
            "body": "## Purpose\n\nRestore.\n",
            "base_revision": 0,
        },
    )
    assert response.status_code == 400
    assert "one line" in str(response.context["form"].errors["title"])


def test_runbook_model_refuses_a_title_on_two_lines(runbook):
    runbook.title = "Restore\u2029now"
    with pytest.raises(ValidationError) as caught:
        runbook.full_clean()
    assert "title" in caught.value.message_dict


def test_token_form_refuses_a_name_on_two_lines():
    form = TokenForm(data={"name": "deploy\npipeline"})
    assert not form.is_valid() and "one line" in str(form.errors["name"])


# Mails whatever is stored (legacy data) --------------------------------------------------


def _store(obj, **values):
    """Write around validation, as data from before it would be."""
    type(obj).objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()


@pytest.mark.parametrize("name", ["Max\nMember", "Max\r\nBcc: x@example.com", "\u2028", "\n"])
def test_logging_a_session_on_the_web_mails_everyone_despite_a_stored_line_break(
    client_for, member, new_hire, lead, system, skill, name, django_capture_on_commit_callbacks
):
    _store(member, name=name)
    _store(new_hire, name=name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            reverse("evidence:session-create"),
            {
                "mentor": member.pk,
                "learners": [new_hire.pk, lead.pk],
                "system": system.pk,
                "skills": [skill.pk],
                "duration_minutes": 60,
                "occurred_at": "2026-11-20T10:00",
            },
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "newhire@example.com"]
    assert all("\n" not in m.subject and "\r" not in m.subject for m in mail.outbox)


def test_logging_an_execution_on_the_web_mails_everyone_despite_a_stored_title_break(
    client_for, member, new_hire, lead, runbook, django_capture_on_commit_callbacks
):
    _store(runbook, title="Restore\r\nBcc: x@example.com")
    _store(member, name="Max\u2029Member")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            reverse("evidence:execution-create"),
            {
                "runbook": runbook.pk,
                "performer": member.pk,
                "participants": [new_hire.pk, lead.pk],
                "environment": "staging",
                "outcome": "success",
                "occurred_at": "2026-11-20T10:00",
            },
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "newhire@example.com"]
    assert RunbookExecution.objects.count() == 1


def test_a_long_name_and_a_long_title_make_a_notice_that_fits(
    client_for, member, new_hire, runbook, django_capture_on_commit_callbacks
):
    """PostgreSQL refused a notice over 300 characters; SQLite stores anything."""
    _store(member, name="M" * 150)
    _store(runbook, title="T" * 200)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            reverse("evidence:execution-create"),
            {
                "runbook": runbook.pk,
                "performer": member.pk,
                "participants": [new_hire.pk],
                "environment": "staging",
                "outcome": "success",
                "occurred_at": "2026-11-20T10:00",
            },
        )
    assert response.status_code == 302
    (notice,) = Notice.objects.all()
    assert len(notice.text) <= 300 and notice.text.endswith("…")
    (message,) = mail.outbox
    assert len(message.subject) <= 200


# NUL characters ----------------------------------------------------------------------------

NUL_PAGES = [
    ("people:people", {"q": "a\x00b"}),
    ("people:people", {"team": "a\x00b"}),
    ("skills:systems", {"q": "a\x00b"}),
    ("evidence:runbooks", {"system": "a\x00b"}),
    ("reports:index", {"team": "a\x00b"}),
    ("reports:people-search", {"what_if": "a\x00b"}),
    ("planner:plan", {"team": "a\x00b"}),
    ("evidence:list", {"show\x00": "mine"}),
]


@pytest.mark.parametrize(("name", "params"), NUL_PAGES)
def test_a_nul_in_the_query_string_is_a_400_that_says_so(client_for, lead, name, params):
    """PostgreSQL refused to compare text with a NUL: a 500 on every search and filter."""
    response = client_for(lead).get(reverse(name), params)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_a_form_is_a_400_that_names_the_field(client_for, lead, team):
    """Browsers send forms url-encoded; a field read directly (a team slug) reached PostgreSQL."""
    response = client_for(lead).post(
        reverse("planner:accept"), urlencode({"team": "plat\x00form"}), content_type=FORM_ENCODED
    )
    assert response.status_code == 400
    assert "“team” contains a NUL" in response.content.decode()


@pytest.mark.parametrize("content_type", [FORM_ENCODED, MULTIPART_CONTENT])
def test_a_nul_in_a_form_field_is_refused_before_it_is_stored(client_for, lead, team, content_type):
    data = {"email": "a@example.com", "name": "A\x00", "team": team.pk, "role": "member"}
    client = client_for(lead)
    if content_type == FORM_ENCODED:
        response = client.post(reverse("people:invitations"), urlencode(data), content_type=content_type)
    else:  # read once the view is known: the CSRF check reads it anyway (people/http.py)
        response = client.post(reverse("people:invitations"), data)
    assert response.status_code == 400
    assert "“name” contains a NUL" in response.content.decode()
    assert not Invitation.objects.exists()


# Dates -------------------------------------------------------------------------------------


def test_parse_moment_reads_offsets_and_names_the_site_time_zone():
    assert parse_moment("2026-11-28T14:30:00+01:00").isoformat() == "2026-11-28T14:30:00+01:00"
    assert timezone.is_aware(parse_moment("2026-11-28T14:30"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0001-01-01T00:00:00+14:00", "Out of range"),
        ("9999-12-31T23:59:59-14:00", "Out of range"),
        ("yesterday", "ISO 8601"),
        ("2026-02-30T10:00", "ISO 8601"),
        ("²⁰²⁶-01-01", "ISO 8601"),
        ("", "ISO 8601"),
    ],
)
def test_parse_moment_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_moment(text)


def test_parse_moment_refuses_a_naive_date_time_the_site_time_zone_moves_out_of_range(settings):
    settings.TIME_ZONE = "Etc/GMT-14"  # UTC+14
    with pytest.raises(ValueError, match="Out of range"):
        parse_moment("0001-01-01T00:00")


def test_parse_date_and_week():
    assert parse_date("2026-11-28") == date(2026, 11, 28)
    assert parse_week("2026-W48") == (date(2026, 11, 23), date(2026, 11, 29))
    for bad in ("20261128", "2026-11-28T10:00", "²⁰²⁶-11-28", "9999-99-99"):
        with pytest.raises(ValueError, match="not a date"):
            parse_date(bad)
    for bad in ("9999-W52", "2025-W53", "2026-W²", "99999-W01", "2026-W48-1", "2026W48"):
        with pytest.raises(ValueError, match="not a week"):
            parse_week(bad)


def test_validate_span_refuses_a_week_past_year_9999():
    with pytest.raises(ValidationError, match="not a week"):
        validate_span(week="9999-W52")


@pytest.mark.parametrize("params", [{"week": "9999-W52"}, {"on": "9999-13-01"}, {"week": "²⁰²⁶-W01"}])
def test_report_pages_answer_400_for_a_week_out_of_range(client_for, lead, params):
    response = client_for(lead).get(reverse("reports:index"), params)
    assert response.status_code == 400


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_evidence_form_refuses_a_date_out_of_range_in_a_far_time_zone(
    client_for, member, new_hire, system, skill, settings, when
):
    settings.TIME_ZONE = "Etc/GMT-14" if when.startswith("0001") else "Etc/GMT+12"  # UTC+14, UTC-12
    response = client_for(member).post(
        reverse("evidence:session-create"),
        {
            "mentor": member.pk,
            "learners": [new_hire.pk],
            "system": system.pk,
            "skills": [skill.pk],
            "duration_minutes": 60,
            "occurred_at": when,
        },
    )
    assert response.status_code == 400
    assert "occurred_at" in response.context["form"].errors
    assert not PairingSession.objects.exists()


def test_stored_blank_name_still_gives_a_short_name(member):
    _store(member, name="\n")
    assert member.get_short_name() == member.email


def test_people_are_created_with_ordinary_names(team):
    assert make_person(team, name="Zoë O'Brien").name == "Zoë O'Brien"
