"""Someone leaves: marking them as left ends what they were part of, in one transaction, and an
admin may later anonymise them without changing a single number."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ops_skills import flows
from ops_skills.api import services as api_services
from ops_skills.api.models import ApiToken
from ops_skills.levels import selectors as level_selectors
from ops_skills.onboarding import checklists
from ops_skills.onboarding.models import Checklist, Kind, OnboardingTemplate, TemplateItem
from ops_skills.people import leaving
from ops_skills.people.models import Invitation, Notice, Person
from ops_skills.planner.models import Assignment
from ops_skills.reports import selectors as report_selectors
from ops_skills.reports.summary import summarise, summary_json
from ops_skills.skills.models import Assessment
from tests.factories import make_assessment, make_person, make_session, make_skill, make_system

ROLES = ["anonymous", "member", "lead", "other_lead", "admin"]


@pytest.fixture
def leaver(team):
    return make_person(team, email="leaver@example.com", name="Lou Leaver", title="SRE")


@pytest.fixture
def gone(team):
    """Someone who left yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return make_person(team, email="gone@example.com", name="Gail Gone", departed_on=yesterday, is_active=False)


def viewer(cast, role):
    return None if role == "anonymous" else cast[role]


def _open_assignment(skill, mentor, learner):
    return Assignment.objects.create(
        skill=skill, mentor=mentor, learner=learner, due_on=timezone.localdate() + timedelta(days=30), level_at_start=0
    )


@pytest.fixture
def world(team, lead, member, new_hire, leaver):
    """The leaver covers a skill, mentors the member and learns from the lead, is the new hire's
    onboarding buddy, has pending evidence only they could confirm and one someone else can,
    an API token and a browser session."""
    system = make_system(team, slug="payments-api", tier=1)
    deploy, restore = make_skill(system, slug="deploy"), make_skill(system, slug="restore")
    make_assessment(leaver, deploy, 3, author=lead)
    make_assessment(lead, restore, 4, author=lead)
    teaching = _open_assignment(deploy, leaver, member)
    learning = _open_assignment(restore, lead, leaver)
    template = OnboardingTemplate.objects.create(team=team, name="SRE onboarding", created_by=lead)
    TemplateItem.objects.create(template=template, position=1, kind=Kind.TEXT, title="Set up your laptop", due_days=5)
    checklist = checklists.checklist_start(
        person=new_hire, template=template, buddy=leaver, started_on=timezone.localdate(), by=lead
    )
    only_theirs = make_session(member, [leaver], [deploy], status="pending", logged_by=member)
    shared = make_session(member, [leaver, new_hire], [deploy], status="pending", logged_by=member)
    Notice.objects.create(person=leaver, text="Confirm the session", url=only_theirs.get_absolute_url())
    token, key = api_services.token_create(person=leaver, name="deploy pipeline")
    browser = Client()
    browser.force_login(leaver)
    return {
        "deploy": deploy,
        "teaching": teaching,
        "learning": learning,
        "checklist": checklist,
        "only_theirs": only_theirs,
        "shared": shared,
        "token": token,
        "key": key,
        "browser": browser,
    }


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 403), ("lead", 200), ("other_lead", 403), ("admin", 200)]
)
def test_who_may_open_mark_as_left(client_for, cast, leaver, role, status):
    response = client_for(viewer(cast, role)).get(reverse("people:person-leave", args=[leaver.pk]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 403), ("lead", 302), ("other_lead", 403), ("admin", 302)]
)
def test_who_may_mark_as_left(client_for, cast, leaver, role, status):
    today = timezone.localdate()
    response = client_for(viewer(cast, role)).post(
        reverse("people:person-leave", args=[leaver.pk]), {"departed_on": today.isoformat()}
    )
    assert response.status_code == status
    leaver.refresh_from_db()
    allowed = role in {"lead", "admin"}
    assert (leaver.departed_on == today) is allowed
    assert leaver.is_active is not allowed
    if allowed:
        assert response["Location"] == leaver.get_absolute_url()


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 403), ("lead", 403), ("other_lead", 403), ("admin", 200)]
)
def test_who_may_open_anonymise(client_for, cast, gone, role, status):
    response = client_for(viewer(cast, role)).get(reverse("people:person-anonymise", args=[gone.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("member", 403), ("lead", 403), ("other_lead", 403), ("admin", 302)]
)
def test_who_may_anonymise(client_for, cast, gone, role, status):
    response = client_for(viewer(cast, role)).post(reverse("people:person-anonymise", args=[gone.pk]))
    assert response.status_code == status
    gone.refresh_from_db()
    assert leaving.is_anonymised(gone) is (role == "admin")


def test_nobody_marks_themselves_and_a_lead_does_not_mark_an_admin(client_for, lead, team):
    on_team_admin = make_person(team, Person.Role.ADMIN, email="teamadmin@example.com")
    client = client_for(lead)
    assert client.get(reverse("people:person-leave", args=[lead.pk])).status_code == 403
    assert client.get(reverse("people:person-leave", args=[on_team_admin.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        flows.person_leave(by=lead, person=lead, departed_on=timezone.localdate())


def test_the_buttons_show_exactly_for_who_may_use_them(client_for, cast, leaver, gone):
    leave_url = reverse("people:person-leave", args=[leaver.pk])
    anonymise_url = reverse("people:person-anonymise", args=[gone.pk])
    for role in ["member", "lead", "other_lead", "admin"]:
        client = client_for(cast[role])
        assert (leave_url in client.get(leaver.get_absolute_url()).text) is (role in {"lead", "admin"})
        assert (anonymise_url in client.get(gone.get_absolute_url()).text) is (role == "admin")


# Marking as left -------------------------------------------------------------------------------


def test_marking_as_left_ends_what_they_were_part_of(
    client_for, world, leaver, lead, member, new_hire, django_capture_on_commit_callbacks
):
    assessments = Assessment.objects.filter(person=leaver).count()
    page = client_for(lead).get(reverse("people:person-leave", args=[leaver.pk]))
    assert "2 open transfer assignments" in page.text
    assert "1 onboarding they are buddy for" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            reverse("people:person-leave", args=[leaver.pk]),
            {"departed_on": timezone.localdate().isoformat(), "reason": "moved on"},
            follow=True,
        )
    assert "2 assignments cancelled" in response.text
    leaver.refresh_from_db()
    assert leaver.is_departed and not leaver.is_active
    # History stays.
    assert Assessment.objects.filter(person=leaver).count() == assessments
    assert level_selectors.level_of(leaver, world["deploy"]).level == 3
    # Open assignments are cancelled with a reason, and the other one is told.
    for key in ("teaching", "learning"):
        world[key].refresh_from_db()
        assert world[key].status == Assignment.Status.CANCELLED
        assert world[key].cancelled_by == lead
        assert "left on" in world[key].cancel_reason and "moved on" in world[key].cancel_reason
    assert Notice.objects.filter(person=member, text__startswith="Cancelled:").exists()
    # The onboarding goes on without them as buddy; the leads are told.
    world["checklist"].refresh_from_db()
    assert world["checklist"].buddy is None
    assert Notice.objects.filter(person=lead, text__contains="no longer the onboarding buddy").exists()
    # Evidence only they could confirm waits for a lead; the one the new hire can confirm does not.
    handed = Notice.objects.filter(person=lead, text__contains="waits for a lead")
    assert [n.url for n in handed] == [world["only_theirs"].get_absolute_url()]
    assert not Notice.objects.filter(person=leaver, read_at__isnull=True).exists()
    # Their token and their session no longer work.
    world["token"].refresh_from_db()
    assert world["token"].is_revoked
    api = Client().get("/api/me/", headers={"Authorization": f"Bearer {world['key']}"})
    assert api.status_code == 401
    assert world["browser"].get(reverse("people:home")).status_code == 302
    assert not [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(leaver.pk)]


def test_marking_as_left_is_all_or_nothing(world, leaver, lead, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the onboarding part failed")

    monkeypatch.setattr(checklists, "buddies_release", broken)
    with pytest.raises(RuntimeError):
        flows.person_leave(by=lead, person=leaver, departed_on=timezone.localdate())
    leaver.refresh_from_db()
    assert leaver.departed_on is None and leaver.is_active
    world["teaching"].refresh_from_db()
    assert world["teaching"].is_open
    assert ApiToken.objects.usable().filter(person=leaver).exists()


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (timedelta(days=1), "cannot be in the future"),
        ("garbage", "Enter a valid date"),
        ("99999-01-01", "Enter a valid date"),
        ("", "This field is required"),
    ],
)
def test_a_bad_day_is_a_form_error(client_for, lead, leaver, day, error):
    value = (timezone.localdate() + day).isoformat() if isinstance(day, timedelta) else day
    response = client_for(lead).post(reverse("people:person-leave", args=[leaver.pk]), {"departed_on": value})
    assert response.status_code == 200
    assert error in response.text
    leaver.refresh_from_db()
    assert leaver.departed_on is None and leaver.is_active


def test_a_day_before_they_started_is_refused(client_for, lead, leaver):
    leaver.started_on = timezone.localdate() - timedelta(days=3)
    leaver.save()
    day = timezone.localdate() - timedelta(days=10)
    response = client_for(lead).post(reverse("people:person-leave", args=[leaver.pk]), {"departed_on": day})
    assert "before the day they started" in response.text
    leaver.refresh_from_db()
    assert leaver.departed_on is None


def test_someone_who_left_already_is_not_marked_again(client_for, lead, gone):
    response = client_for(lead).post(
        reverse("people:person-leave", args=[gone.pk]), {"departed_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.departed_on == timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError):
        flows.person_leave(by=lead, person=gone, departed_on=timezone.localdate())


def test_mark_as_left_answers_get_and_post_only(client_for, lead, leaver):
    assert client_for(lead).put(reverse("people:person-leave", args=[leaver.pk])).status_code == 405
    assert client_for(lead).get(reverse("people:person-leave", args=[99_999_999])).status_code == 404


# Anonymising -----------------------------------------------------------------------------------


def _reports():
    """Every number the reports give: the organisation's report and each team's coverage."""
    org = report_selectors.org_facts()
    return summary_json(summarise(org)), [
        (line.skill.pk, line.bus_factor, [p.pk for p in line.holders])
        for team in {s.system.team for s in org_skills()}
        for line in level_selectors.team_coverage(team)
    ]


def org_skills():
    from ops_skills.skills.models import Skill

    return Skill.objects.select_related("system__team")


def test_anonymising_erases_who_they_were_and_changes_no_number(client_for, admin_user, world, leaver, lead, member):
    EmailAddress.objects.create(user=leaver, email=leaver.email, verified=True, primary=True)
    SocialAccount.objects.create(user=leaver, provider="github", uid="12345")
    Invitation.objects.create(email=leaver.email, name="Lou Leaver", team=leaver.team, invited_by=lead)
    flows.person_leave(by=lead, person=leaver, departed_on=timezone.localdate() - timedelta(days=2))
    before = _reports()
    levels_before = level_selectors.stored_levels(None, None)
    page = client_for(admin_user).get(reverse("people:person-anonymise", args=[leaver.pk]))
    assert "Free text is not touched" in page.text
    response = client_for(admin_user).post(reverse("people:person-anonymise", args=[leaver.pk]))
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert leaver.name == f"Former member {leaver.pk}"
    assert leaver.email == f"former-member-{leaver.pk}@anonymised.invalid"
    assert leaver.title == ""
    assert not leaver.has_usable_password()
    assert not EmailAddress.objects.filter(user=leaver).exists()
    assert not SocialAccount.objects.filter(user=leaver).exists()
    assert not Notice.objects.filter(person=leaver).exists()
    assert not Invitation.objects.filter(email="leaver@example.com").exists()
    assert not Person.objects.filter(email="leaver@example.com").exists()
    # Every number is unchanged, and so is their history.
    assert _reports() == before
    assert level_selectors.stored_levels(None, None) == levels_before
    assert Assessment.objects.filter(person=leaver).exists()
    # Their page no longer names them.
    assert "Lou Leaver" not in client_for(member).get(leaver.get_absolute_url()).text


@pytest.mark.parametrize("state", ["here", "anonymised"])
def test_only_someone_who_left_and_is_not_anonymised_yet_is_anonymised(client_for, admin_user, leaver, gone, state):
    person = leaver if state == "here" else leaving.person_anonymise(by=admin_user, person=gone)
    name = person.name
    response = client_for(admin_user).post(reverse("people:person-anonymise", args=[person.pk]))
    assert response.status_code == 400
    assert ("Mark them as left first" if state == "here" else "anonymised already") in response.text
    person.refresh_from_db()
    assert person.name == name


def test_an_anonymised_person_can_no_longer_log_in(client, admin_user, gone):
    gone.is_active = True  # even if someone switched them back on
    gone.save()
    leaving.person_anonymise(by=admin_user, person=gone)
    gone.refresh_from_db()
    assert not gone.is_active and not gone.has_usable_password()
    assert not client.login(email=gone.email, password="pw")
    assert Checklist.objects.count() == 0  # nothing else was touched


def test_someone_leaving_on_a_later_day_is_still_listed_as_here(client_for, member, team, gone):
    """As the reports count them (``Person.objects.active``): here until the day they leave."""
    leaving_soon = make_person(
        team, Person.Role.LEAD, email="soon@example.com", departed_on=timezone.localdate() + timedelta(days=7)
    )
    client = client_for(member)
    here = client.get(reverse("people:people")).text
    left = client.get(reverse("people:people"), {"state": "departed"}).text
    assert "soon@example.com" in here and "soon@example.com" not in left
    assert "gone@example.com" in left and "gone@example.com" not in here
    teams = client.get(reverse("people:teams"))
    [row] = [(t, leads) for t, leads in teams.context["rows"] if t == team]
    assert leaving_soon in row[1]
    assert row[0].people_count == Person.objects.active().filter(team=team).count()


def test_the_admin_form_does_not_set_departed_on_behind_the_leaving_flow(client, admin_user, leaver, gone):
    """Editing the person in the Django admin cannot set the day they left (which would skip
    cancelling their assignments and revoking their tokens); it links to "mark as left" instead."""
    client.force_login(admin_user)
    page = client.get(reverse("admin:people_person_change", args=[leaver.pk]))
    assert page.status_code == 200
    assert 'name="departed_on"' not in page.content.decode()
    assert reverse("people:person-leave", args=[leaver.pk]) in page.content.decode()
    gone_page = client.get(reverse("admin:people_person_change", args=[gone.pk])).content.decode()
    assert f"{gone.departed_on:%-d %b %Y}" in gone_page


def test_anonymising_erases_them_from_the_audit_trail(admin_user, team, gone):
    """The trail keeps that their record changed, not who they were: no entry about them (nor the
    entry the anonymising itself writes) holds their old name, email or title any more."""
    from auditlog import get_logentry_model

    gone.title = "Head of Payments"
    gone.save()  # an entry whose changes hold the old values
    make_assessment(gone, make_skill(make_system(team, slug="ledger")), level=3)
    Entry = get_logentry_model()

    def trail():
        return " ".join(
            f"{e.object_repr} {e.changes_text} {e.changes} {e.serialized_data} {e.additional_data} {e.actor_email}"
            for e in Entry.objects.all()
        )

    assert "Gail Gone" in trail() and "Head of Payments" in trail()
    before = Entry.objects.count()
    leaving.person_anonymise(by=admin_user, person=gone)
    after = trail()
    assert "Gail Gone" not in after and "gone@example.com" not in after and "Head of Payments" not in after
    assert Entry.objects.count() > before  # the anonymising is on the trail too
