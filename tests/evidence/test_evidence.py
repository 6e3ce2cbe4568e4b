"""Pairing sessions and runbook executions: logging, confirming, and the levels they move."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ops_skills import flows
from ops_skills.evidence import services
from ops_skills.evidence.models import PairingSession, RunbookExecution
from ops_skills.levels import facts, selectors
from ops_skills.people.models import Notice
from tests.factories import (
    make_assessment,
    make_execution,
    make_person,
    make_runbook,
    make_session,
    make_skill,
    make_system,
)


@pytest.fixture
def system(team):
    return make_system(team, slug="postgres-main", tier=1)


@pytest.fixture
def skill(system):
    return make_skill(system, slug="restore", name="Restore from snapshot")


@pytest.fixture
def runbook(system, skill):
    return make_runbook(system, [skill], title="Restore the main database")


def level_of(person, skill):
    """The stored level: what every page reads."""
    return selectors.level_of(person, skill).level


# Levels from evidence --------------------------------------------------------------------


def test_confirmed_successful_production_run_makes_the_performer_independent(member, runbook, skill):
    make_execution(runbook, member)
    assert level_of(member, skill) == 3


def test_failed_production_run_is_hands_on_only(member, runbook, skill):
    make_execution(runbook, member, outcome="failed")
    assert level_of(member, skill) == 2


def test_staging_run_is_hands_on(member, runbook, skill):
    make_execution(runbook, member, environment="staging")
    assert level_of(member, skill) == 2


def test_someone_present_at_a_run_is_aware(member, new_hire, runbook, skill):
    make_execution(runbook, member, participants=[new_hire])
    assert level_of(new_hire, skill) == 1


def test_learner_in_a_pairing_session_is_assisted(lead, new_hire, skill):
    make_session(lead, [new_hire], [skill])
    assert level_of(new_hire, skill) == 2


def test_independent_mentor_becomes_expert(lead, member, new_hire, skill):
    make_assessment(member, skill, 3, author=lead, days_ago=10)
    make_session(member, [new_hire], [skill], days_ago=2)
    assert level_of(member, skill) == 4


def test_mentor_below_independent_is_not_made_expert(lead, member, new_hire, skill):
    make_session(member, [new_hire], [skill])
    assert level_of(member, skill) == 2


@pytest.mark.parametrize("status", ["pending", "disputed"])
def test_unconfirmed_or_disputed_evidence_moves_nothing(member, new_hire, runbook, skill, status):
    make_execution(runbook, member, status=status)
    make_session(member, [new_hire], [skill], status=status)
    assert level_of(member, skill) == 0
    assert level_of(new_hire, skill) == 0


def test_a_lead_lowering_overrides_older_evidence_until_new_evidence(lead, member, runbook, skill):
    make_execution(runbook, member, days_ago=20)
    make_assessment(member, skill, 1, author=lead, days_ago=10)
    assert level_of(member, skill) == 1
    make_execution(runbook, member, days_ago=1)
    assert level_of(member, skill) == 3


def test_evidence_names_itself_as_the_reason(member, runbook, skill):
    execution = make_execution(runbook, member)
    stored = selectors.level_of(member, skill)
    assert stored.basis == "evidence"
    assert "runbook execution" in stored.explain()
    # The explanation recomputes, from the same rule, and names the execution itself.
    levels, _practised = facts.levels_and_practice([member.pk], [skill.pk])
    assert levels[member.pk, skill.pk].evidence.id == execution.pk


def test_practice_keeps_a_cover_fresh_and_observing_does_not(lead, member, new_hire, runbook, skill):
    make_assessment(new_hire, skill, 3, author=lead, days_ago=400)
    make_execution(runbook, member, participants=[new_hire], days_ago=5)
    stored = selectors.stored_levels(None, [skill.pk])
    assert stored[member.pk, skill.pk].practised_at is not None
    assert stored[new_hire.pk, skill.pk].practised_at is None


def test_matrix_cell_is_fresh_after_recent_practice(client_for, lead, member, runbook, skill):
    make_execution(runbook, member, days_ago=3)
    html = client_for(lead).get(reverse("skills:matrix")).content.decode()
    assert f'class="l3" data-s="{skill.pk}"' in html


# Logging ----------------------------------------------------------------------------------


def test_logging_a_session_asks_the_others_to_confirm(lead, member, new_hire, skill):
    session = services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=45
    )
    assert session.status == "pending"
    assert list(Notice.objects.values_list("person__email", flat=True)) == ["newhire@example.com"]


def test_logging_sends_the_confirmation_email_after_commit(
    client_for, member, new_hire, skill, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.pairing_session_log(
            author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=45
        )
    (message,) = mail.outbox
    assert message.to == ["newhire@example.com"]
    assert "/evidence/pairing/" in message.body


def test_member_cannot_log_evidence_in_someone_elses_name(member, new_hire, lead, skill, runbook):
    with pytest.raises(PermissionDenied):
        services.pairing_session_log(
            author=member, mentor=lead, learners=[new_hire], skills=[skill], duration_minutes=30
        )
    with pytest.raises(PermissionDenied):
        services.execution_log(
            author=member, runbook=runbook, performer=new_hire, environment="staging", outcome="success"
        )
    assert not PairingSession.objects.exists() and not RunbookExecution.objects.exists()


def test_lead_logs_evidence_for_their_team_but_not_another(lead, member, new_hire, other_lead, skill):
    services.pairing_session_log(author=lead, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=30)
    with pytest.raises(PermissionDenied):
        services.pairing_session_log(
            author=other_lead, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=30
        )


def test_session_needs_a_learner_who_is_not_the_mentor(member, skill):
    with pytest.raises(ValidationError):
        services.pairing_session_log(
            author=member, mentor=member, learners=[member], skills=[skill], duration_minutes=30
        )


def test_departed_people_cannot_take_part(member, team, skill):
    gone = make_person(team, departed_on="2020-01-01")
    gone.refresh_from_db()
    with pytest.raises(ValidationError):
        services.pairing_session_log(author=member, mentor=member, learners=[gone], skills=[skill], duration_minutes=30)


# Confirming -------------------------------------------------------------------------------


def test_the_other_participant_confirms(member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    flows.evidence_confirm(evidence=session, person=new_hire)
    session.refresh_from_db()
    assert (session.status, session.decided_by) == ("confirmed", new_hire)


def test_the_one_who_logged_it_cannot_confirm_it(member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with pytest.raises(PermissionDenied):
        flows.evidence_confirm(evidence=session, person=member)


def test_lead_confirms_for_their_team_only(lead, other_lead, member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with pytest.raises(PermissionDenied):
        flows.evidence_confirm(evidence=session, person=other_lead)
    flows.evidence_confirm(evidence=session, person=lead)


def test_a_stranger_cannot_confirm(team, member, new_hire, skill):
    stranger = make_person(team)
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with pytest.raises(PermissionDenied):
        flows.evidence_confirm(evidence=session, person=stranger)


def test_dispute_needs_a_reason_and_tells_the_logger(member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending", logged_by=member)
    with pytest.raises(ValidationError):
        flows.evidence_dispute(evidence=session, person=new_hire, reason=" ")
    flows.evidence_dispute(evidence=session, person=new_hire, reason="We only talked about it")
    session.refresh_from_db()
    assert session.status == "disputed"
    assert Notice.objects.filter(person=member, text__contains="We only talked about it").exists()


# Views ------------------------------------------------------------------------------------


def test_pairing_form_logs_a_session(client_for, member, new_hire, system, skill):
    response = client_for(member).post(
        reverse("evidence:session-create"),
        {
            "mentor": member.pk,
            "learners": [new_hire.pk],
            "system": system.pk,
            "skills": [skill.pk],
            "duration_minutes": 60,
            "occurred_at": "2026-11-20T10:00",
            "notes": "Restored staging",
        },
    )
    session = PairingSession.objects.get()
    assert response.url == session.get_absolute_url()
    assert list(session.learners.all()) == [new_hire]


def test_pairing_form_refuses_another_persons_session_for_a_member(client_for, member, new_hire, lead, system, skill):
    """Said on the form, which keeps what they typed (it was a bare 403 page that lost it)."""
    make_skill(make_system(lead.team, slug="batch-jobs"), slug="rerun", name="Rerun a failed batch")
    response = client_for(member).post(
        reverse("evidence:session-create"),
        {
            "mentor": lead.pk,
            "learners": [new_hire.pk],
            "system": system.pk,
            "skills": [skill.pk],
            "duration_minutes": 75,
            "occurred_at": "2026-11-20T10:00",
            "notes": "Restored **staging** together",
        },
    )
    assert response.status_code == 400
    assert not PairingSession.objects.exists()
    html = response.content.decode()
    assert "You can only log evidence you took part in" in html
    assert "Add yourself as the mentor or a learner." in html
    form = response.context["form"]
    assert form.non_field_errors() and form["notes"].value() == "Restored **staging** together"
    assert f'<option value="{lead.pk}" selected>' in html
    assert f'<option value="{new_hire.pk}" selected>' in html
    assert f'<option value="{system.pk}" selected>' in html
    assert f'<option value="{skill.pk}" selected>Restore from snapshot</option>' in html
    assert 'value="75"' in html and "Restored **staging** together</textarea>" in html
    assert "Rerun a failed batch" not in html  # only the chosen system's skills


def test_execution_form_refuses_another_persons_run_for_a_member(client_for, member, lead, runbook):
    response = client_for(member).post(
        reverse("evidence:execution-create"),
        {
            "runbook": runbook.pk,
            "performer": lead.pk,
            "environment": "staging",
            "outcome": "success",
            "occurred_at": "2026-11-20T10:00",
            "notes": "Took 12 minutes",
        },
    )
    assert response.status_code == 400
    assert not RunbookExecution.objects.exists()
    html = response.content.decode()
    assert "You can only log evidence you took part in" in html
    assert "Add yourself as the performer or as someone who was there." in html
    assert f'<option value="{lead.pk}" selected>' in html and "Took 12 minutes</textarea>" in html
    assert f'<option value="{runbook.pk}" selected>' in html


def skills_select(html: str) -> str:
    start = html.index('<select name="skills"')
    return html[start : html.index("</select>", start)]


def test_pairing_form_offers_no_skills_before_a_system_is_chosen(client_for, member, skill, team):
    make_skill(make_system(team, slug="batch-jobs"), slug="rerun", name="Rerun a failed batch")
    html = client_for(member).get(reverse("evidence:session-create")).content.decode()
    assert skills_select(html).count("<option") == 1
    assert '<option value="" disabled>Choose a system first</option>' in skills_select(html)
    assert "Restore from snapshot" not in html and "postgres-main/restore" not in html


def test_pairing_form_after_an_error_offers_the_chosen_systems_skills_by_name(
    client_for, member, new_hire, system, skill, team
):
    other = make_skill(system, slug="failover", name="Fail over to the replica")
    make_skill(make_system(team, slug="batch-jobs"), slug="rerun", name="Rerun a failed batch")
    data = {"mentor": member.pk, "learners": [new_hire.pk], "system": system.pk, "skills": [skill.pk]}
    response = client_for(member).post(reverse("evidence:session-create"), {**data, "duration_minutes": 1})
    assert response.status_code == 400
    select = skills_select(response.content.decode())
    assert f'<option value="{skill.pk}" selected>Restore from snapshot</option>' in select
    assert f'<option value="{other.pk}">Fail over to the replica</option>' in select
    assert select.count("<option") == 2  # not the other system's


def test_pairing_form_sent_without_a_system_offers_the_system_of_its_skills(client_for, member, system, skill):
    """A form sent without the system (no JavaScript, or a script): its skills' system is chosen."""
    response = client_for(member).post(reverse("evidence:session-create"), {"skills": [skill.pk]})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<option value="{system.pk}" selected>' in html
    assert f'<option value="{skill.pk}" selected>Restore from snapshot</option>' in skills_select(html)


def test_pairing_form_errors_are_shown(client_for, member, skill):
    response = client_for(member).post(reverse("evidence:session-create"), {"mentor": member.pk, "duration_minutes": 0})
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_skill_options_follow_the_system(client_for, member, system, skill, team):
    make_skill(make_system(team), slug="other")
    html = client_for(member).get(reverse("evidence:skill-options"), {"system": system.pk}).content.decode()
    assert "Restore from snapshot" in html and "Other" not in html
    html = client_for(member).get(reverse("evidence:skill-options")).content.decode()
    assert html.strip() == '<option value="" disabled>Choose a system first</option>'


def test_execution_alone_in_production_is_flagged_for_leads(client_for, lead, member, other_lead, runbook):
    client_for(member).post(
        reverse("evidence:execution-create"),
        {
            "runbook": runbook.pk,
            "performer": member.pk,
            "environment": "production",
            "outcome": "success",
            "occurred_at": "2026-11-20T10:00",
        },
    )
    execution = RunbookExecution.objects.get()
    assert list(client_for(lead).get(reverse("evidence:flagged")).context["page"]) == [execution]
    assert list(client_for(other_lead).get(reverse("evidence:flagged")).context["page"]) == []
    assert client_for(member).get(reverse("evidence:flagged")).status_code == 403


def test_execution_with_two_people_is_not_flagged(client_for, lead, member, new_hire, runbook):
    make_execution(runbook, member, participants=[new_hire])
    assert list(client_for(lead).get(reverse("evidence:flagged")).context["page"]) == []


@pytest.mark.parametrize(
    "who,status",
    [("new_hire", 302), ("lead", 302), ("admin", 302), ("member", 403), ("other_lead", 403)],
)
def test_who_may_confirm_through_the_view(client_for, cast, skill, who, status):
    session = make_session(cast["member"], [cast["new_hire"]], [skill], status="pending", logged_by=cast["member"])
    response = client_for(cast[who]).post(reverse("evidence:confirm", args=["pairing", session.pk]))
    assert response.status_code == status
    session.refresh_from_db()
    assert (session.status == "confirmed") == (status == 302)


def test_confirm_needs_post_and_login(client, client_for, member, new_hire, skill):
    session = make_session(member, [new_hire], [skill], status="pending")
    url = reverse("evidence:confirm", args=["pairing", session.pk])
    assert client.post(url).status_code == 302 and client.post(url).url.startswith(reverse("account_login"))
    assert client_for(new_hire).get(url).status_code == 405
    assert client_for(new_hire).post(reverse("evidence:confirm", args=["other", session.pk])).status_code == 404


@pytest.mark.parametrize("who", ["lead", "member", "new_hire", "other_lead", "admin"])
def test_everyone_logged_in_reads_evidence_pages(client_for, cast, skill, runbook, who):
    session = make_session(cast["member"], [cast["new_hire"]], [skill], notes="**paired**")
    execution = make_execution(runbook, cast["member"])
    c = client_for(cast[who])
    for url in [
        reverse("evidence:list"),
        session.get_absolute_url(),
        execution.get_absolute_url(),
        reverse("evidence:notices"),
    ]:
        assert c.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login(client, db):
    for name in [
        "evidence:list",
        "evidence:session-create",
        "evidence:execution-create",
        "evidence:notices",
        "evidence:flagged",
    ]:
        assert client.get(reverse(name)).status_code == 302


@pytest.mark.parametrize("n", [1, 30])
def test_evidence_list_runs_a_fixed_number_of_queries(
    client_for, member, new_hire, runbook, skill, django_assert_max_num_queries, n
):
    for _ in range(n):
        make_session(member, [new_hire], [skill])
        make_execution(runbook, member, participants=[new_hire])
    c = client_for(member)
    # session, user; for sessions and executions each: a count, the page's dates and ids, the
    # records; learners with their teams, skills with their systems, participants with their
    # teams; unread notices
    with django_assert_max_num_queries(12):
        c.get(reverse("evidence:list"), {"show": "all"})


def test_opening_the_evidence_reads_its_notice(client_for, member, new_hire, skill):
    session = services.pairing_session_log(
        author=member, mentor=member, learners=[new_hire], skills=[skill], duration_minutes=30
    )
    c = client_for(new_hire)
    assert c.get(reverse("people:home")).context["unread_notices"] == 1
    c.get(session.get_absolute_url())
    assert c.get(reverse("people:home")).context["unread_notices"] == 0
