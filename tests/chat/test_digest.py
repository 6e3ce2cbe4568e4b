"""The weekly digest: built at send time from the report engine, once a week per destination."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ops_skills.chat import digest
from ops_skills.chat import slack as chat_slack
from ops_skills.chat.models import DigestSent, TeamChat
from ops_skills.reports import selectors
from ops_skills.reports.summary import summarise
from tests.factories import make_assessment, make_person, make_runbook, make_session, make_skill, make_system


@pytest.fixture
def org(team, lead, member):
    pg = make_system(team, slug="pg", name="Postgres", tier=1)
    restore, failover, vacuum = (make_skill(pg, slug=s) for s in ("restore", "failover", "vacuum"))
    make_assessment(lead, restore, level=3)  # a single point
    make_assessment(lead, failover, level=3)
    make_assessment(member, failover, level=3)
    make_runbook(pg, [restore], owner=lead, title="Restore a snapshot")  # never reviewed: overdue
    make_session(lead, [member], [vacuum], days_ago=2)
    return {"pg": pg, "restore": restore, "failover": failover, "vacuum": vacuum}


def test_the_digest_counts_as_the_report_does(team, org):
    built = digest.build(team)
    facts, _ = selectors.report_facts(team=team, span=None, levels=False)
    report = summarise(facts)
    assert len(built.single_points) == report.single_points
    assert built.uncovered == report.uncovered and built.skills == report.skills
    assert [p["key"] for p in built.single_points] == ["pg/restore"]
    assert [r.title for r in built.runbooks_due] == ["Restore a snapshot"]
    assert len(built.pairing) == 1


def test_first_digest_marks_every_single_point_new_then_only_new_ones(team, lead, org):
    first = digest.build(team)
    assert [p["new"] for p in first.single_points] == [True]
    later = digest.build(team, before={"pg/restore"})
    assert [p["new"] for p in later.single_points] == [False]


def test_covers_going_stale_within_two_weeks(team, lead, member, org):
    skill = make_skill(org["pg"], slug="upgrade", freshness_days=90)
    make_assessment(member, skill, level=3)
    make_session(member, [lead], [skill], days_ago=80)  # fresh until 10 days from now
    stale_soon = digest.build(team).going_stale
    assert [(g["person"], g["skill"].slug) for g in stale_soon] == [(member, "upgrade")]


def test_digest_queries_stay_fixed(team, lead, org, django_assert_max_num_queries):
    with django_assert_max_num_queries(22):
        digest.text(digest.build(team))
    for n in range(15):
        person = make_person(team, email=f"p{n}@example.com")
        skill = make_skill(org["pg"], slug=f"s{n}")
        make_assessment(person, skill, level=3)
        make_session(person, [lead], [skill], days_ago=1)
        make_runbook(org["pg"], [skill], owner=person, title=f"Runbook {n}")
    with django_assert_max_num_queries(22):
        digest.text(digest.build(team))


def test_sent_to_the_channel_and_the_webhook_once_a_week(slack, team, org):
    TeamChat.objects.create(team=team, slack_channel="C0TEAM", webhook_url=slack.url("/webhook"))
    client = chat_slack.client()
    assert digest.send(team, client=client) == ["slack:C0TEAM", "webhook"]
    assert digest.send(team, client=client) == []  # never the same week twice
    [posted] = slack.called("chat.postMessage")
    assert posted["channel"] == "C0TEAM" and posted["blocks"][0]["type"] == "header"
    assert "Single points of knowledge: 1 (1 new)" in json.dumps(posted["blocks"])
    [hook] = slack.called("webhook")
    assert hook["text"].startswith(f"Weekly digest of {team.name}") and "pg/restore" in hook["text"]
    assert DigestSent.objects.get(destination="webhook").single_points == ["pg/restore"]


def test_next_week_is_sent_again_and_says_nothing_is_new(slack, team, org):
    TeamChat.objects.create(team=team, webhook_url=slack.url("/webhook"))
    digest.send(team)
    digest.send(team, today=timezone.localdate() + timedelta(days=7))
    first, second = slack.called("webhook")
    assert "(1 new)" in first["text"] and "(0 new)" in second["text"]


def test_a_failing_webhook_is_tried_again_next_run(slack, team, org):
    TeamChat.objects.create(team=team, webhook_url=slack.url("/missing"))
    assert digest.send(team) == []
    assert not DigestSent.objects.exists()


def test_a_slack_error_leaves_the_webhook_unharmed(slack, team, org):
    TeamChat.objects.create(team=team, slack_channel="C0TEAM", webhook_url=slack.url("/webhook"))
    slack.fail["chat.postMessage"] = "channel_not_found"
    assert digest.send(team, client=chat_slack.client()) == ["webhook"]


def test_disabled_sends_nothing(slack, team, org):
    TeamChat.objects.create(team=team, webhook_url=slack.url("/webhook"), digest_enabled=False)
    assert digest.send(team) == []


def test_a_file_url_is_never_opened():
    with pytest.raises(digest.WebhookError):
        digest.post_webhook("file:///etc/passwd", {"text": "x"})


def test_the_command_dry_run_prints_and_sends_nothing(slack, team, org, capsys):
    TeamChat.objects.create(team=team, webhook_url=slack.url("/webhook"))
    call_command("send_digests", "--dry-run")
    assert "Weekly digest of" in capsys.readouterr().out
    assert not slack.called("webhook") and not DigestSent.objects.exists()


def test_the_command_and_the_task_send(slack, team, org, capsys):
    from ops_skills.chat import tasks

    TeamChat.objects.create(team=team, webhook_url=slack.url("/webhook"))
    call_command("send_digests")
    assert f"{team.slug}: webhook" in capsys.readouterr().out
    assert tasks.send_digests.enqueue().return_value == 0  # this week's went already


def test_week_of():
    assert digest.week_of(date(2026, 12, 31)) == "2026-W53"
    assert digest.week_of(date(2027, 1, 4)) == "2027-W01"


def test_next_weeks_on_call_shifts_that_are_not_ready(team, member, org):
    from ops_skills.oncall.models import Schedule, Shift

    schedule = Schedule.objects.create(team=team, name="Primary", url="https://rota.example.com/p.ics")
    schedule.systems.add(org["pg"])
    start = timezone.now() + timedelta(days=1)
    Shift.objects.create(
        schedule=schedule, person=member, email=member.email, start=start, end=start + timedelta(days=2)
    )
    built = digest.build(team)
    [row] = built.oncall
    assert row.status in ("backup", "at_risk")
    text = digest.text(built)
    assert "On call next week, not ready: 1 shifts" in text and "Primary, " in text and member.name in text
