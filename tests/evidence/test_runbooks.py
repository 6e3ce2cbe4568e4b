"""Runbook pages: who may read and write what, revisions and their differences, reading and
reviewing, the overdue list, query counts, and the admin."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ops_skills.evidence import services
from ops_skills.evidence.models import RUNBOOK_TEMPLATE, Runbook, RunbookRead, RunbookRevision
from ops_skills.evidence.runbook_views import diff_side_by_side, diff_unified
from tests.factories import make_execution, make_person, make_runbook, make_session, make_skill, make_system

TODAY = timezone.localdate()


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", name="postgres-main", tier=1)


@pytest.fixture
def other_system(other_team):
    return make_system(other_team, slug="batch-jobs", name="batch-jobs")


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


def write(runbook, author=None, **changes):
    """Save a runbook through the service, as the pages do; returns the new revision or None."""
    for name, value in changes.items():
        setattr(runbook, name, value)
    return services.runbook_save(runbook=runbook, author=author)[1]


@pytest.fixture
def runbook(system, skill, lead):
    runbook = make_runbook(
        system, [skill], title="Restore the main database", slug="restore-the-main-database", last_reviewed_on=TODAY
    )
    write(runbook, author=lead)
    return runbook


@pytest.fixture
def owned(system, member):
    """A runbook owned by a member of the team."""
    runbook = make_runbook(system, owner=member, title="Member's runbook", last_reviewed_on=TODAY)
    write(runbook, author=member)
    return runbook


def url(name, runbook=None, **query):
    path = reverse(f"evidence:{name}", args=[runbook.pk] if runbook is not None else [])
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def form_data(runbook, **changes):
    data = {
        "title": runbook.title,
        "skills": [s.pk for s in runbook.skills.all()],
        "owner": runbook.owner_id or "",
        "review_interval_days": runbook.review_interval_days,
        "body": runbook.body,
        "base_revision": runbook.revisions.order_by("-number").values_list("number", flat=True).first() or 0,
        "note": "",
    }
    data.update(changes)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who may do what ---------------------------------------------------------------------------------

READ_PAGES = ["runbook", "runbook-revisions", "runbook-diff"]
POST_ONLY = ["runbook-read", "runbook-reviewed"]


@pytest.mark.parametrize("name", ["runbooks", "runbook-create"])
def test_anonymous_is_sent_to_login_from_the_list_and_the_form(client, db, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", [*READ_PAGES, "runbook-edit"])
def test_anonymous_is_sent_to_login_from_a_runbook(client, runbook, name):
    response = client.get(url(name, runbook))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", [*POST_ONLY, "runbook-edit"])
def test_anonymous_cannot_write(client, runbook, name):
    response = client.post(url(name, runbook), form_data(runbook, body="## Purpose\n\nchanged\n"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not RunbookRead.objects.exists()
    assert runbook.revisions.count() == 1


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_logged_in_reads_the_list(client_for, cast, runbook, who):
    response = client_for(cast[who]).get(url("runbooks"))
    assert response.status_code == 200
    assert "Restore the main database" in response.content.decode()


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
@pytest.mark.parametrize("name", READ_PAGES)
def test_everyone_logged_in_reads_a_runbook(client_for, cast, runbook, who, name):
    assert client_for(cast[who]).get(url(name, runbook)).status_code == 200


@pytest.mark.parametrize("name", [*READ_PAGES, "runbook-edit", *POST_ONLY])
def test_an_unknown_runbook_is_404(client_for, admin_user, name):
    c = client_for(admin_user)
    response = c.post(url(name, Runbook(pk=999))) if name in POST_ONLY else c.get(url(name, Runbook(pk=999)))
    assert response.status_code == 404


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_a_post_only_action_is_405(client_for, admin_user, runbook, name):
    assert client_for(admin_user).get(url(name, runbook)).status_code == 405


@pytest.mark.parametrize(("who", "status"), [("lead", 200), ("admin", 200), ("other_lead", 200), ("member", 403)])
def test_leads_and_admins_open_the_new_runbook_form(client_for, cast, system, who, status):
    assert client_for(cast[who]).get(url("runbook-create")).status_code == status


@pytest.mark.parametrize(("who", "status"), [("lead", 200), ("admin", 200), ("member", 403), ("other_lead", 403)])
def test_who_opens_the_edit_form(client_for, cast, runbook, who, status):
    assert client_for(cast[who]).get(url("runbook-edit", runbook)).status_code == status


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("admin", 302), ("member", 403), ("other_lead", 403)])
def test_who_saves_an_edit(client_for, cast, runbook, who, status):
    response = client_for(cast[who]).post(url("runbook-edit", runbook), form_data(runbook, body="## Purpose\n\nNew\n"))
    assert response.status_code == status
    assert runbook.revisions.count() == (2 if status == 302 else 1)


def test_the_owner_edits_their_runbook_even_as_a_member(client_for, member, owned):
    c = client_for(member)
    assert c.get(url("runbook-edit", owned)).status_code == 200
    response = c.post(url("runbook-edit", owned), form_data(owned, body="## Purpose\n\nMine\n"))
    assert response.status_code == 302
    assert owned.revisions.first().author == member


def test_another_member_cannot_edit_the_owners_runbook(client_for, new_hire, owned):
    assert client_for(new_hire).get(url("runbook-edit", owned)).status_code == 403


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_logged_in_marks_a_runbook_read(client_for, cast, runbook, who):
    response = client_for(cast[who]).post(url("runbook-read", runbook))
    assert response.status_code == 302
    assert RunbookRead.objects.get(person=cast[who]).revision_number == 1


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("admin", 302), ("member", 403), ("other_lead", 403)])
def test_who_marks_a_runbook_reviewed(client_for, cast, runbook, who, status):
    Runbook.objects.filter(pk=runbook.pk).update(last_reviewed_on=TODAY - timedelta(days=400))
    assert client_for(cast[who]).post(url("runbook-reviewed", runbook)).status_code == status
    runbook.refresh_from_db()
    assert (runbook.last_reviewed_on == TODAY) == (status == 302)


def test_the_owner_marks_their_runbook_reviewed(client_for, member, owned):
    Runbook.objects.filter(pk=owned.pk).update(last_reviewed_on=None)
    assert client_for(member).post(url("runbook-reviewed", owned)).status_code == 302
    owned.refresh_from_db()
    assert owned.last_reviewed_on == TODAY


# Writing -----------------------------------------------------------------------------------------


def test_the_new_runbook_form_starts_from_the_template(client_for, lead, system):
    response = client_for(lead).get(url("runbook-create"), {"system": system.slug})
    assert response.context["form"]["body"].value() == RUNBOOK_TEMPLATE
    assert response.context["form"]["system"].value() == system.pk


def test_a_lead_creates_a_runbook_with_revision_one(client_for, lead, system, skill):
    data = {
        "system": system.pk,
        "title": "Fail over to the replica",
        "skills": [skill.pk],
        "owner": lead.pk,
        "review_interval_days": 90,
        "body": RUNBOOK_TEMPLATE.replace("\n", "\r\n"),
        "base_revision": 0,
    }
    response = client_for(lead).post(url("runbook-create"), data)
    runbook = Runbook.objects.get(title="Fail over to the replica")
    assert response.status_code == 302 and response.url == runbook.get_absolute_url()
    assert runbook.slug == "fail-over-to-the-replica"
    assert list(runbook.skills.all()) == [skill]
    assert runbook.last_reviewed_on == TODAY
    assert "\r" not in runbook.body
    revision = runbook.revisions.get()
    assert (revision.number, revision.author, revision.body) == (1, lead, runbook.body)
    assert not any("no section" in m for m in messages_of(response))


def test_the_same_title_twice_gets_a_second_slug(client_for, lead, system, runbook):
    data = {"system": system.pk, "title": runbook.title, "review_interval_days": 180, "body": "## Purpose\n\nx\n"}
    client_for(lead).post(url("runbook-create"), data)
    assert sorted(Runbook.objects.values_list("slug", flat=True)) == [
        "restore-the-main-database",
        "restore-the-main-database-2",
    ]


def test_saving_without_every_section_warns_but_saves(client_for, lead, system):
    data = {"system": system.pk, "title": "Quick fix", "review_interval_days": 30, "body": "## Steps\n\n1. Do it\n"}
    response = client_for(lead).post(url("runbook-create"), data, follow=True)
    assert Runbook.objects.filter(title="Quick fix").exists()
    warning = next(m for m in response.context["messages"] if m.level_tag == "warning")
    assert "Purpose, Preconditions, Verification, Rollback" in str(warning)
    assert "no section for Purpose, Preconditions, Verification, Rollback" in response.content.decode()


def test_an_edit_that_drops_a_section_warns(client_for, lead, runbook):
    body = RUNBOOK_TEMPLATE.replace("## Rollback", "## Afterwards")
    response = client_for(lead).post(url("runbook-edit", runbook), form_data(runbook, body=body), follow=True)
    assert any("no section for Rollback" in m for m in messages_of(response))
    assert runbook.revisions.count() == 2


def test_a_lead_cannot_create_a_runbook_for_another_teams_system(client_for, lead, other_system):
    data = {"system": other_system.pk, "title": "Not mine", "review_interval_days": 30, "body": RUNBOOK_TEMPLATE}
    response = client_for(lead).post(url("runbook-create"), data)
    assert response.status_code == 400
    assert "system" in response.context["form"].errors
    assert not Runbook.objects.filter(title="Not mine").exists()


def test_a_member_cannot_create_a_runbook(client_for, member, system):
    data = {"system": system.pk, "title": "Sneaky", "review_interval_days": 30, "body": RUNBOOK_TEMPLATE}
    assert client_for(member).post(url("runbook-create"), data).status_code == 403
    assert not Runbook.objects.filter(title="Sneaky").exists()


def test_skills_must_belong_to_the_runbooks_system(client_for, lead, runbook, other_system):
    foreign = make_skill(other_system, slug="settle")
    response = client_for(lead).post(url("runbook-edit", runbook), form_data(runbook, skills=[foreign.pk]))
    assert response.status_code == 400
    assert "skills" in response.context["form"].errors


def test_an_empty_body_is_refused(client_for, lead, runbook):
    response = client_for(lead).post(url("runbook-edit", runbook), form_data(runbook, body="  \r\n "))
    assert response.status_code == 400
    assert runbook.revisions.count() == 1


def test_each_real_change_is_a_revision_and_an_unchanged_save_is_none(client_for, lead, runbook):
    c = client_for(lead)
    c.post(url("runbook-edit", runbook), form_data(runbook, body=runbook.body + "\nMore.\n", note="more"))
    runbook.refresh_from_db()
    assert list(runbook.revisions.values_list("number", "note")) == [(2, "more"), (1, "")]

    response = c.post(url("runbook-edit", runbook), form_data(runbook))  # nothing changed
    assert runbook.revisions.count() == 2
    assert any("no new revision" in m for m in messages_of(response))

    # Line endings from the browser and a trailing blank line are not a change either.
    c.post(url("runbook-edit", runbook), form_data(runbook, body=runbook.body.replace("\n", "\r\n") + "\r\n\r\n"))
    assert runbook.revisions.count() == 2

    c.post(url("runbook-edit", runbook), form_data(runbook, title="Restore the main DB"))
    assert runbook.revisions.first().title == "Restore the main DB"
    assert runbook.revisions.count() == 3


def test_changing_only_skills_or_owner_makes_no_revision(client_for, lead, member, runbook, system):
    extra = make_skill(system, slug="pitr")
    client_for(lead).post(url("runbook-edit", runbook), form_data(runbook, skills=[extra.pk], owner=member.pk))
    runbook.refresh_from_db()
    assert list(runbook.skills.all()) == [extra]
    assert runbook.owner == member
    assert runbook.revisions.count() == 1


def test_a_save_on_top_of_a_newer_revision_is_refused_once(client_for, lead, admin_user, runbook):
    started_from = form_data(runbook, body="## Purpose\n\nMine\n")  # based on revision 1
    write(runbook, author=admin_user, body="## Purpose\n\nTheirs\n")  # revision 2 meanwhile
    c = client_for(lead)
    response = c.post(url("runbook-edit", runbook), started_from)
    assert response.status_code == 400
    assert "Someone saved revision 2" in response.content.decode()
    assert f"{url('runbook-diff', runbook)}?a=1&amp;b=2" in response.content.decode()
    assert runbook.revisions.count() == 2
    # The form came back based on revision 2: saving it again is a deliberate overwrite.
    assert response.context["form"]["base_revision"].value() == "2"
    assert c.post(url("runbook-edit", runbook), {**started_from, "base_revision": 2}).status_code == 302
    assert runbook.revisions.first().body == "## Purpose\n\nMine\n"


def test_editing_does_not_change_the_system_or_slug(client_for, lead, runbook, other_system):
    data = form_data(runbook, system=other_system.pk, title="Renamed")
    client_for(lead).post(url("runbook-edit", runbook), data)
    runbook.refresh_from_db()
    assert (runbook.system.slug, runbook.slug, runbook.title) == (
        "postgres-main",
        "restore-the-main-database",
        "Renamed",
    )


# Reading -----------------------------------------------------------------------------------------


def test_the_page_shows_body_skills_owner_and_review(client_for, member, lead, system, skill):
    runbook = make_runbook(
        system, [skill], owner=lead, title="Restore", body="[TOC]\n\n## Purpose\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    write(runbook, author=lead)
    html = client_for(member).get(runbook.get_absolute_url()).content.decode()
    assert '<h2 id="purpose">Purpose</h2>' in html and "<table>" in html
    assert "Restore from snapshot" in html and "Lena Lead" in html
    assert "Never reviewed." in html and "overdue for review" in html
    assert "no section for Preconditions, Steps, Verification, Rollback" in html
    assert "On this page" in html
    assert "Mark as reviewed today" not in html  # a member who does not own it
    assert "Mark as read" in html and "Nobody has marked it as read yet." in html


def test_reading_state_follows_revisions(client_for, member, new_hire, lead, runbook):
    c = client_for(member)
    c.post(url("runbook-read", runbook))
    services.runbook_mark_read(runbook=runbook, person=new_hire)
    html = c.get(runbook.get_absolute_url()).content.decode()
    assert "You have read the current revision." in html
    assert "2 people have read it." in html
    assert "Mark as read" not in html

    write(runbook, author=lead, body=runbook.body + "\nNew step.\n")
    html = c.get(runbook.get_absolute_url()).content.decode()
    assert "You read revision 1; it has changed since." in html
    assert f"{url('runbook-diff', runbook)}?a=1&amp;b=2" in html
    c.post(url("runbook-read", runbook))
    assert RunbookRead.objects.get(person=member).revision_number == 2


def test_a_writer_sees_edit_and_review_buttons(client_for, lead, runbook):
    html = client_for(lead).get(runbook.get_absolute_url()).content.decode()
    assert url("runbook-edit", runbook) in html and "Mark as reviewed today" in html


def test_marking_reviewed_moves_the_due_date(client_for, lead, runbook):
    Runbook.objects.filter(pk=runbook.pk).update(last_reviewed_on=TODAY - timedelta(days=365), review_interval_days=30)
    response = client_for(lead).post(url("runbook-reviewed", runbook), follow=True)
    runbook.refresh_from_db()
    assert runbook.review_due_on == TODAY + timedelta(days=30)
    assert not runbook.is_overdue()
    assert any("next review due" in m for m in messages_of(response))


# The list ----------------------------------------------------------------------------------------


@pytest.fixture
def reviews(system, other_system):
    """One runbook never reviewed, one overdue, one fresh."""
    return {
        "never": make_runbook(system, title="Never reviewed"),
        "overdue": make_runbook(
            other_system, title="Overdue one", last_reviewed_on=TODAY - timedelta(days=31), review_interval_days=30
        ),
        "fresh": make_runbook(
            system, title="Fresh one", last_reviewed_on=TODAY - timedelta(days=29), review_interval_days=30
        ),
    }


def titles(response):
    return [r.title for r in response.context["page"].object_list]


def test_the_list_counts_and_filters_the_overdue(client_for, member, reviews):
    c = client_for(member)
    response = c.get(url("runbooks"))
    assert response.context["overdue_count"] == 2
    assert titles(response) == ["Overdue one", "Fresh one", "Never reviewed"]  # by system, then title
    html = response.content.decode()
    assert html.count('<span class="pill bad">overdue</span>') == 2
    assert titles(c.get(url("runbooks", overdue=1))) == ["Overdue one", "Never reviewed"]


def test_the_list_filters_by_system_team_and_text(client_for, member, reviews, system, other_team):
    c = client_for(member)
    assert titles(c.get(url("runbooks", system=system.slug))) == ["Fresh one", "Never reviewed"]
    assert titles(c.get(url("runbooks", team=other_team.slug))) == ["Overdue one"]
    assert titles(c.get(url("runbooks", q="fresh"))) == ["Fresh one"]
    assert titles(c.get(url("runbooks", q="batch-jobs"))) == ["Overdue one"]  # the system's name
    response = c.get(url("runbooks", system=system.slug, overdue=1))
    assert titles(response) == ["Never reviewed"] and response.context["overdue_count"] == 1


def test_the_list_marks_what_the_viewer_has_not_read(client_for, member, runbook, lead):
    c = client_for(member)
    assert "unread" in c.get(url("runbooks")).content.decode()
    c.post(url("runbook-read", runbook))
    assert '<span class="pill ok">read</span>' in c.get(url("runbooks")).content.decode()
    write(runbook, author=lead, body="## Purpose\n\nChanged\n")
    assert "changed since you read it" in c.get(url("runbooks")).content.decode()


def test_the_list_is_paginated(client_for, member, system):
    for n in range(35):
        make_runbook(system, title=f"Runbook {n:02}", last_reviewed_on=TODAY)
    c = client_for(member)
    assert len(titles(c.get(url("runbooks")))) == 30
    assert titles(c.get(url("runbooks", page=2))) == [f"Runbook {n}" for n in range(30, 35)]


def test_an_empty_list_says_so(client_for, lead, member, db):
    assert "No runbooks yet." in client_for(member).get(url("runbooks")).content.decode()
    assert "Write the first one" in client_for(lead).get(url("runbooks")).content.decode()
    assert "No runbooks match these filters." in client_for(member).get(url("runbooks", q="x")).content.decode()


# Revisions and differences -----------------------------------------------------------------------


def test_the_revisions_page_lists_every_revision_newest_first(client_for, member, lead, admin_user, runbook):
    write(runbook, author=admin_user, body="## Purpose\n\nTwo\n")
    response = client_for(member).get(url("runbook-revisions", runbook))
    assert [r.number for r in response.context["page"].object_list] == [2, 1]
    html = response.content.decode()
    assert "Ada Admin" in html and "Lena Lead" in html
    assert f"{url('runbook-diff', runbook)}?a=1&amp;b=2" in html


def test_the_diff_shows_removed_and_added_lines_escaped(client_for, member, lead, runbook):
    write(runbook, author=lead, body="## Purpose\n\nkeep\nold <b>line</b>\n")
    write(runbook, author=lead, body="## Purpose\n\nkeep\nnew <script>alert(1)</script>\n", title="Renamed")
    response = client_for(member).get(url("runbook-diff", runbook, a=2, b=3))
    html = response.content.decode()
    assert '<td class="mark removed">−</td><td class="line removed">old &lt;b&gt;line&lt;/b&gt;</td>' in html
    assert '<td class="line added">new &lt;script&gt;alert(1)&lt;/script&gt;</td>' in html
    assert "<script>alert(1)" not in html
    assert '<td class="line">keep</td>' in html
    assert "<del>Restore the main database</del>" in html and "<strong>Renamed</strong>" in html


def test_the_diff_side_by_side(client_for, member, lead, runbook):
    write(runbook, author=lead, body="a\nb\nc\n")
    write(runbook, author=lead, body="a\nB\nc\nd\n")
    html = client_for(member).get(url("runbook-diff", runbook, a=2, b=3, view="split")).content.decode()
    assert '<tr class="changed">' in html
    assert '<td class="line removed">b</td>' in html and '<td class="line added">B</td>' in html
    assert '<td class="line added">d</td>' in html


def test_the_diff_defaults_to_the_latest_two_revisions(client_for, member, lead, runbook):
    write(runbook, author=lead, body="## Purpose\n\nTwo\n")
    response = client_for(member).get(url("runbook-diff", runbook))
    assert (response.context["old"].number, response.context["new"].number) == (1, 2)


def test_the_same_revision_twice_has_no_difference(client_for, member, runbook):
    response = client_for(member).get(url("runbook-diff", runbook, a=1, b=1))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "same revision twice" in response.content.decode()


@pytest.mark.parametrize("query", [{"a": "x", "b": "1"}, {"a": "1", "b": "1.5"}, {"a": "-", "b": "1"}])
def test_a_revision_that_is_not_a_number_is_400(client_for, member, runbook, query):
    response = client_for(member).get(url("runbook-diff", runbook), query)
    assert response.status_code == 400
    assert b"revisions by number" in response.content


@pytest.mark.parametrize("query", [{"a": "1", "b": "9"}, {"a": "0", "b": "1"}, {"a": "-1", "b": "1"}])
def test_a_revision_that_does_not_exist_is_404(client_for, member, runbook, query):
    assert client_for(member).get(url("runbook-diff", runbook), query).status_code == 404


def test_a_runbook_without_revisions_has_no_diff(client_for, member, system):
    assert client_for(member).get(url("runbook-diff", make_runbook(system))).status_code == 404


def test_unified_rows_number_the_lines_of_both_sides():
    rows = diff_unified("a\nb\nc\n", "a\nc\nd\n")
    assert [(r.kind, r.old_number, r.new_number) for r in rows] == [
        ("hunk", None, None),
        ("context", 1, 1),
        ("removed", 2, None),
        ("context", 3, 2),
        ("added", None, 3),
    ]
    assert rows[0].old_text == "@@ -1,3 +1,3 @@"


def test_far_apart_changes_make_separate_hunks():
    old = "\n".join(str(n) for n in range(30))
    new = old.replace("2\n", "two\n", 1).replace("27", "twenty-seven")
    assert [r.kind for r in diff_unified(old, new)].count("hunk") == 2
    assert [r.kind for r in diff_side_by_side(old, new)].count("changed") == 2
    assert diff_unified(old, old) == [] == diff_side_by_side(old, old)


lines = st.lists(st.sampled_from(["a", "b", "c", "", "## Steps", "<b>x</b>"]), max_size=25)


@given(lines, lines)
def test_a_full_context_diff_gives_back_both_texts(old_lines, new_lines):
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    for rows in (diff_unified(old, new, context=100), diff_side_by_side(old, new, context=100)):
        rows = [r for r in rows if r.kind != "hunk"]
        if old.splitlines() == new.splitlines():
            assert rows == []
            continue
        assert [r.old_text for r in rows if r.old_number] == old.splitlines()
        assert [r.new_text for r in rows if r.new_number] == new.splitlines()
        assert [r.old_number for r in rows if r.old_number] == list(range(1, len(old.splitlines()) + 1))


# Query counts ------------------------------------------------------------------------------------


@pytest.fixture
def big(system, lead):
    """A runbook with many revisions, skills and reads."""

    def build(revisions, skills, reads):
        runbook = make_runbook(system, [make_skill(system) for _ in range(skills)], title="Big", owner=lead)
        for n in range(revisions):
            write(runbook, author=lead, body=f"## Purpose\n\nVersion {n}\n")
        for person in [make_person(system.team) for _ in range(reads)]:
            services.runbook_mark_read(runbook=runbook, person=person)
        return runbook

    return build


@pytest.mark.parametrize(("revisions", "skills", "reads"), [(2, 2, 2), (50, 40, 60)])
def test_the_runbook_page_runs_a_fixed_number_of_queries(
    client_for, member, big, django_assert_max_num_queries, revisions, skills, reads
):
    runbook = big(revisions, skills, reads)
    c = client_for(member)
    # session, viewer, the runbook with its system, team, owner, latest revision number, the
    # viewer's read, the read and execution counts; its skills with their system; the latest
    # revision and its author; the latest executions (none here: see test_runbook_page.py); the
    # latest readers; the unread notices in the header
    with django_assert_max_num_queries(8):
        response = c.get(runbook.get_absolute_url())
    assert response.context["runbook"].read_count == reads


@pytest.mark.parametrize("runbooks", [2, 40])
def test_the_list_runs_a_fixed_number_of_queries(
    client_for, member, system, lead, django_assert_max_num_queries, runbooks
):
    for n in range(runbooks):
        runbook = make_runbook(system, [make_skill(system)], owner=lead, title=f"Runbook {n}")
        write(runbook, author=lead)
        services.runbook_mark_read(runbook=runbook, person=member)
    c = client_for(member)
    # session, viewer, the review dates in scope (for the overdue count), the page's count, the
    # page of runbooks with system, team, owner, skill count, latest revision and the viewer's
    # read; systems and teams for the filters; the unread notices in the header
    with django_assert_max_num_queries(8):
        c.get(url("runbooks"))


@pytest.mark.parametrize("revisions", [2, 50])
def test_the_revisions_and_diff_pages_run_a_fixed_number_of_queries(
    client_for, member, big, django_assert_max_num_queries, revisions
):
    runbook = big(revisions, 3, 3)
    c = client_for(member)
    # session, viewer, the runbook (system, team, owner, latest revision, viewer's read), the
    # count of revisions, a page of them with their authors, the unread notices
    with django_assert_max_num_queries(6):
        c.get(url("runbook-revisions", runbook))
    # session, viewer, the runbook, the two revisions with their authors, the unread notices
    with django_assert_max_num_queries(5):
        c.get(url("runbook-diff", runbook, a=1, b=revisions))


# Admin -------------------------------------------------------------------------------------------


def test_admin_pages_open(client_for, admin_user, runbook, member, new_hire, skill):
    services.runbook_mark_read(runbook=runbook, person=member)
    execution = make_execution(runbook, member, participants=[new_hire])
    session = make_session(member, [new_hire], [skill])
    c = client_for(admin_user)
    objects = {
        "runbook": runbook,
        "runbookrevision": runbook.revisions.get(),
        "runbookread": RunbookRead.objects.get(),
        "runbookexecution": execution,
        "pairingsession": session,
    }
    for model, obj in objects.items():
        assert c.get(reverse(f"admin:evidence_{model}_changelist"), {"q": "a"}).status_code == 200
        assert c.get(reverse(f"admin:evidence_{model}_change", args=[obj.pk])).status_code == 200


def test_saving_in_the_admin_makes_a_revision(client_for, admin_user, runbook, skill):
    data = {
        "system": runbook.system_id,
        "title": runbook.title,
        "slug": runbook.slug,
        "body": "## Purpose\n\nEdited in the admin\n",
        "skills": [skill.pk],
        "owner": admin_user.pk,  # required in the admin: the model's owner has null=True but not blank=True
        "review_interval_days": 180,
        "last_reviewed_on": "",
        "source_path": "",
        "revisions-TOTAL_FORMS": 1,
        "revisions-INITIAL_FORMS": 1,
        "revisions-MIN_NUM_FORMS": 0,
        "revisions-MAX_NUM_FORMS": 1000,
        "revisions-0-id": runbook.revisions.get().pk,
        "revisions-0-runbook": runbook.pk,
    }
    response = client_for(admin_user).post(reverse("admin:evidence_runbook_change", args=[runbook.pk]), data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    latest = runbook.revisions.first()
    assert (latest.number, latest.author, latest.note) == (2, admin_user, "Edited in the admin")


def test_revisions_are_read_only_in_the_admin(client_for, admin_user, runbook):
    c = client_for(admin_user)
    assert c.get(reverse("admin:evidence_runbookrevision_add")).status_code == 403
    before = RunbookRevision.objects.get()
    c.post(reverse("admin:evidence_runbookrevision_change", args=[before.pk]), {"title": "Rewritten"})
    assert RunbookRevision.objects.get().title == before.title
