"""The weekly digest of a team, built when it is sent, to its Slack channel and/or a generic
incoming webhook (``TeamChat``). A week's digest goes to each destination once (``DigestSent``).

What it says, for the team's systems: the single points of knowledge (new ones since the last
digest marked), covers going stale in the next two weeks, skills left uncovered by planned
absences, overdue transfer assignments and onboarding items, runbooks overdue for review, the
next week's on-call shifts that are not ready (``oncall``), and the pairing sessions of the past
week. Its figures are the report engine's (``reports.summary``)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from slack_sdk.errors import SlackApiError

from ops_skills.chat.blocks import context, escape, link, name, path_of, section
from ops_skills.chat.models import DigestSent, TeamChat
from ops_skills.evidence.models import PairingSession, Runbook
from ops_skills.levels import rules
from ops_skills.levels.models import CurrentLevel
from ops_skills.onboarding.models import ChecklistItem
from ops_skills.oncall import selectors as oncall_selectors
from ops_skills.people.models import Person
from ops_skills.planner.models import Assignment
from ops_skills.reports import home as report_home
from ops_skills.reports import selectors as report_selectors
from ops_skills.reports.summary import summarise

logger = logging.getLogger(__name__)

STALE_DAYS = 14
SHOWN = 8


@dataclass
class Digest:
    team: object
    week: str
    today: date
    single_points: list[dict] = field(default_factory=list)  # {"key", "system", "skill", "holder", "new"}
    skills: int = 0
    uncovered: int = 0
    going_stale: list[dict] = field(default_factory=list)
    absences: list[dict] = field(default_factory=list)
    overdue_assignments: list = field(default_factory=list)
    overdue_onboarding: list = field(default_factory=list)
    runbooks_due: list = field(default_factory=list)
    pairing: list = field(default_factory=list)
    oncall: list = field(default_factory=list)  # the next week's shifts that are not ready

    @property
    def new_single_points(self) -> list[dict]:
        return [p for p in self.single_points if p["new"]]


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def build(team, *, today: date | None = None, before: set[str] | None = None) -> Digest:
    """The digest of ``team`` as of ``today``; ``before``: the single points the last digest
    named (``"system/skill"``), to mark the new ones (all are new when there was none)."""
    today = today or timezone.localdate()
    digest = Digest(team=team, week=week_of(today), today=today)
    facts, _ = report_selectors.report_facts(team=team, span=None, levels=False)
    summary = summarise(facts)
    digest.skills, digest.uncovered = summary.skills, summary.uncovered
    for row in summary.systems:
        for skill in row.skills:
            if skill.single_point:
                key = f"{row.system.slug}/{skill.skill.slug}"
                holder = skill.holders[0]
                digest.single_points.append(
                    {
                        "key": key,
                        "system": row.system,
                        "skill": skill.skill,
                        "holder": holder,
                        "new": before is None or key not in before,
                    }
                )
    active = Person.objects.active(today)
    digest.going_stale = [
        {"person": cl.person, "skill": cl.skill, "until": cl.fresh_until}
        for cl in CurrentLevel.objects.filter(
            skill__system__team=team,
            level__gte=rules.COVER_LEVEL,
            person__in=active,
            fresh_until__gte=today,
            fresh_until__lt=today + timedelta(days=STALE_DAYS),
        )
        .select_related("person", "skill__system")
        .order_by("fresh_until", "skill__system__slug", "skill__slug", "person__email")
    ]
    digest.absences = report_home.uncovered_by_absences(team=team, today=today, days=STALE_DAYS)
    digest.overdue_assignments = list(
        Assignment.objects.overdue(today)
        .for_team(team)
        .select_related("skill__system", "mentor", "learner")
        .order_by("due_on", "pk")
    )
    digest.overdue_onboarding = list(
        ChecklistItem.objects.filter(
            checklist__team=team, done_at__isnull=True, due_on__lt=today, checklist__person__in=active
        )
        .select_related("checklist__person")
        .order_by("due_on", "pk")
    )
    digest.runbooks_due = [
        runbook
        for runbook in Runbook.objects.filter(system__team=team)
        .select_related("system")
        .order_by("system__slug", "title")
        if runbook.is_overdue(today)
    ]
    digest.pairing = list(
        PairingSession.objects.filter(occurred_at__gte=timezone.now() - timedelta(days=7), skills__system__team=team)
        .exclude(status=PairingSession.Status.DISPUTED)
        .distinct()
        .select_related("mentor")
        .prefetch_related("learners", "skills__system")
        .order_by("-occurred_at", "-pk")
    )
    digest.oncall = [row for row in oncall_selectors.upcoming(teams=[team], weeks=1) if row.status != "ready"]
    return digest


def _lines(items, line, empty: str) -> str:
    shown = [line(item) for item in items[:SHOWN]]
    if len(items) > SHOWN:
        shown.append(f"… and {len(items) - SHOWN} more")
    return "\n".join(shown) or empty


def sections(digest: Digest) -> list[tuple[str, str]]:
    """(title, mrkdwn) of each part, the same for Slack and the webhook's text."""
    return [
        (
            f"Single points of knowledge: {len(digest.single_points)} ({len(digest.new_single_points)} new)",
            _lines(
                sorted(digest.single_points, key=lambda p: (not p["new"], p["key"])),
                lambda p: f"• {'*new* ' if p['new'] else ''}{escape(p['key'])}: only {name(p['holder'])}",
                "None.",
            ),
        ),
        (
            f"Covers going stale in the next {STALE_DAYS} days: {len(digest.going_stale)}",
            _lines(
                digest.going_stale,
                lambda g: f"• {path_of(g['skill'])}: {escape(g['person'])} on {g['until']:%d %b}",
                "None.",
            ),
        ),
        (
            f"Skills left uncovered by absences: {len(digest.absences)}",
            _lines(
                digest.absences,
                lambda a: (
                    f"• {escape(a['system'].slug)}/{escape(a['skill'].slug)}: {a['first']:%d %b}–{a['last']:%d %b}, "
                    f"{', '.join(escape(p.name or p.email) for p in a['away'])} away"
                ),
                "None.",
            ),
        ),
        (
            f"Overdue: {len(digest.overdue_assignments)} assignments, "
            f"{len(digest.overdue_onboarding)} onboarding items",
            _lines(
                [
                    *(
                        f"• {path_of(a.skill)}: {escape(a.mentor)} → {escape(a.learner)}, due {a.due_on:%d %b}"
                        for a in digest.overdue_assignments
                    ),
                    *(
                        f"• {escape(i.checklist.person)}: {escape(i.title)}, due {i.due_on:%d %b}"
                        for i in digest.overdue_onboarding
                    ),
                ],
                str,
                "Nothing overdue.",
            ),
        ),
        (
            f"Runbooks overdue for review: {len(digest.runbooks_due)}",
            _lines(
                digest.runbooks_due, lambda r: f"• {link(r.get_absolute_url(), f'{r.system.slug}: {r.title}')}", "None."
            ),
        ),
        (
            f"On call next week, not ready: {len(digest.oncall)} shifts",
            _lines(
                digest.oncall,
                lambda row: (
                    f"• {escape(row.schedule)}, {timezone.localtime(row.start):%a %d %b %H:%M}: "
                    f"{escape(row.person.name if row.person else row.email or 'nobody')} — {escape(row.label)}"
                    + (f"; nobody available for {escape(', '.join(row.unbacked))}" if row.unbacked else "")
                ),
                "Every shift is ready, or there is no rota.",
            ),
        ),
        (
            f"This week's pairing: {len(digest.pairing)} sessions",
            _lines(
                digest.pairing,
                lambda s: (
                    f"• {escape(s.mentor)} with {', '.join(escape(p) for p in s.learners.all())} on "
                    f"{', '.join(escape(k.slug) for k in s.skills.all())}"
                ),
                "No pairing logged this week.",
            ),
        ),
    ]


def slack_message(digest: Digest) -> dict:
    title = f"Weekly digest of {digest.team.name}, {digest.week}"
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for heading, body in sections(digest):
        blocks.append(section(f"*{heading}*\n{body}"))
    blocks.append(
        context(link(f"/reports/?team={digest.team.slug}", "The team's report") + " · " + link("/plan/", "The planner"))
    )
    return {"text": text(digest), "blocks": blocks}


def text(digest: Digest) -> str:
    """The whole digest as plain text with Slack-style links: a webhook's ``text`` field."""
    parts = [f"Weekly digest of {digest.team.name}, {digest.week}"]
    for heading, body in sections(digest):
        parts.append(f"{heading}\n{body}")
    return "\n\n".join(parts)


class Sent(Exception):
    """This week's digest already went there."""


def _before(team, destination: str) -> set[str] | None:
    last = DigestSent.objects.filter(team=team, destination=destination).order_by("-sent_at").first()
    return set(last.single_points) if last is not None else None


def send(team, *, today: date | None = None, client=None) -> list[str]:
    """Send ``team``'s digest for this week to each of its destinations that has not had it.
    Returns the destinations it went to. A destination that fails is logged and left to the next
    run; the others still get theirs."""
    today = today or timezone.localdate()
    chat = TeamChat.objects.filter(team=team, digest_enabled=True).first()
    if chat is None:
        return []
    destinations = []
    if chat.slack_channel and client is not None:
        destinations.append(f"slack:{chat.slack_channel}")
    if chat.webhook_url:
        destinations.append("webhook")
    sent = []
    for destination in destinations:
        week = week_of(today)
        if DigestSent.objects.filter(team=team, week=week, destination=destination).exists():
            continue
        digest = build(team, today=today, before=_before(team, destination))
        try:
            with transaction.atomic():
                # Claimed first: two runs at once send it once.
                record = DigestSent.objects.create(
                    team=team,
                    week=week,
                    destination=destination,
                    single_points=[p["key"] for p in digest.single_points],
                )
                if destination == "webhook":
                    post_webhook(chat.webhook_url, {"text": text(digest)})
                else:
                    client.chat_postMessage(channel=chat.slack_channel, **slack_message(digest))
        except IntegrityError:
            continue
        except (SlackApiError, WebhookError) as error:
            logger.warning("The digest of %s did not reach %s: %s", team.slug, destination, error)
            continue
        sent.append(record.destination)
    return sent


class WebhookError(Exception):
    pass


def post_webhook(url: str, payload: dict) -> None:
    """POST ``payload`` as JSON; anything but a 2xx answer within the timeout is a ``WebhookError``."""
    if not url.lower().startswith(("https://", "http://")):
        raise WebhookError("A webhook address starts with https:// or http://.")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "ops-skills"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CHAT_TIMEOUT_SECONDS) as answer:  # noqa: S310
            answer.read(65536)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise WebhookError(str(error)) from None
